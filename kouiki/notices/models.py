"""Notices (お知らせ / インフォメーション) from the organization to the participants of one system.

CAP-N1 (capacity), SW-N01/SW-N02 (switching); the member system can show its own through the same
app. A notice is addressed to every participant of its system or to chosen organizations, is shown
during its publication period, and each user's first reading is recorded (未読/既読).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kouiki.core.systems import System


class Category(models.TextChoices):
    """What a notice is about; the list shows it as a label."""

    IMPORTANT = "important", "重要なお知らせ"
    MAINTENANCE = "maintenance", "メンテナンス情報"
    OUTAGE = "outage", "障害情報"
    RULES = "rules", "制度・規程"
    GENERAL = "general", "お知らせ"


class Audience(models.TextChoices):
    ALL = "all", "全事業者"
    SELECTED = "selected", "指定した事業者"


class Notice(models.Model):
    """One notice of one system."""

    system = models.CharField("システム", max_length=16, choices=System.choices)
    category = models.CharField("区分", max_length=16, choices=Category.choices, default=Category.GENERAL)
    title = models.CharField("件名", max_length=200)
    body = models.TextField("本文")
    # Shown from `publish_from` (included) until `publish_until` (excluded; None: no end).
    publish_from = models.DateTimeField("掲載開始日時")
    publish_until = models.DateTimeField("掲載終了日時", null=True, blank=True)
    audience = models.CharField("対象", max_length=16, choices=Audience.choices, default=Audience.ALL)
    # Withdrawn (取り下げ): never shown again, kept for the record.
    withdrawn_at = models.DateTimeField("取下げ日時", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取下げ者",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-publish_from", "-id"]
        indexes = [
            models.Index(fields=["system", "publish_from"], name="notice_system_publish_from"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_until__isnull=True) | Q(publish_until__gt=models.F("publish_from")),
                name="notice_period_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(system__in=System.values), name="notice_system_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="notice_category_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="notice_audience_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def state_at(self, moment: datetime | None = None) -> str:
        """ "withdrawn", "scheduled", "published" or "ended" at `moment` (now by default)."""
        now = moment or timezone.now()
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.publish_from > now:
            return "scheduled"
        if self.publish_until is not None and self.publish_until <= now:
            return "ended"
        return "published"


class NoticeRecipient(models.Model):
    """An organization a notice with the audience "selected" is addressed to."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    organization = models.ForeignKey(
        "identity.Organization", verbose_name="事業者", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "お知らせの宛先"
        verbose_name_plural = "お知らせの宛先"
        constraints = [
            models.UniqueConstraint(fields=["notice", "organization"], name="notice_recipient_once"),
        ]
        indexes = [models.Index(fields=["organization", "notice"], name="notice_recipient_org")]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.organization_id}"


def attachment_path(instance: NoticeAttachment, filename: str) -> str:
    """An unguessable stored name; the name users download is kept in `original_name`."""
    return f"notices/{instance.notice_id}/{uuid.uuid4().hex}"


class NoticeAttachment(models.Model):
    """A file attached to a notice (PDF, Office documents, CSV, images; see services.ATTACHMENT_TYPES)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("ファイル", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("ファイル名", max_length=200)
    content_type = models.CharField("種類", max_length=100)
    size = models.PositiveIntegerField("サイズ（バイト）")
    uploaded_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "お知らせの添付ファイル"
        verbose_name_plural = "お知らせの添付ファイル"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class NoticeRead(models.Model):
    """When a user first opened a notice (既読)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField("既読日時", default=timezone.now)

    class Meta:
        verbose_name = "お知らせの既読"
        verbose_name_plural = "お知らせの既読"
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.user_id}"
