"""Choices of the terms app, importable by other apps without touching the models."""

from __future__ import annotations

from django.db import models


class DocumentKind(models.TextChoices):
    """What a document is; each system has its own set (X-T1)."""

    ARTICLES = "articles", "定款"
    SYSTEM_TERMS = "system_terms", "システム利用規約"
    # 総会招集通知の電磁的方法利用許諾 (定款第25条): general-meeting convocations by e-mail.
    ELECTRONIC_NOTICE = "electronic_notice", "総会招集通知の電磁的方法利用許諾"


# Seed 003 1.4: the three documents a company joining the organization consents to, in the order
# the manual lists them.
MEMBER_JOIN_DOCUMENTS: tuple[str, ...] = (
    DocumentKind.ARTICLES,
    DocumentKind.SYSTEM_TERMS,
    DocumentKind.ELECTRONIC_NOTICE,
)


# The documents each system keeps (X-T1): the member system has three (seed 003 1.4), the
# switching and capacity systems their system terms only (seeds 001, 002).
SYSTEM_DOCUMENT_KINDS: dict[str, tuple[str, ...]] = {
    "member": MEMBER_JOIN_DOCUMENTS,
    "switching": (DocumentKind.SYSTEM_TERMS,),
    "capacity": (DocumentKind.SYSTEM_TERMS,),
}

# Seed 001/002 1.3.3 (seed 000 alike): when the terms change, every user is mailed within 30 days;
# the back office warns from day 25 while any mail is still unsent.
CHANGE_MAIL_DEADLINE_DAYS = 30
CHANGE_MAIL_WARNING_DAYS = 25
