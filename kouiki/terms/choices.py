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
