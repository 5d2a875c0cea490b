"""Choices of the general-meeting models, importable without the models (forms, back office)."""

from __future__ import annotations

from django.db import models

from kouiki.identity.choices import Duty

# The mails of general meetings go to the users holding this duty (and administrators).
DUTY = Duty.ASSEMBLY.value


class NoticeMethod(models.TextChoices):
    """How the convocation reached a member (定款第25条: e-mail only with the member's consent)."""

    EMAIL = "email", "電子メール"
    PAPER = "paper", "書面"


class PaperReason(models.TextChoices):
    NO_CONSENT = "no_consent", "電磁的方法の承諾なし"
    NO_RECIPIENT = "no_recipient", "通知先メールアドレスなし"


class VoteChoice(models.TextChoices):
    FOR = "for", "賛成"
    AGAINST = "against", "反対"
    ABSTAIN = "abstain", "棄権"


# The tally's fourth column: a member with voting rights that did not vote on the item.
UNANSWERED = "未回答"


class CheckInOutcome(models.TextChoices):
    """What the venue's reader is told about a scanned code."""

    CHECKED_IN = "checked_in", "受付しました"
    ALREADY = "already", "受付済みです"
    OTHER_MEETING = "other_meeting", "別の総会の受付票です"
    UNKNOWN = "unknown", "登録されていない受付票です"
    INVALID = "invalid", "無効なコードです"
