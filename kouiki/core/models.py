"""Models of the shared kernel: the mail outbox and the bookkeeping of periodic jobs."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone


class OutboxState(models.TextChoices):
    PENDING = "pending", "送信待ち"
    # Claimed by one worker until `claimed_until`; see docs/decisions/0003-outbox-delivery.md.
    SENDING = "sending", "送信中"
    SENT = "sent", "送信済"
    FAILED = "failed", "送信失敗"


class OutboxMessage(models.Model):
    """A mail, written in the same transaction as the change that causes it.

    The row is the truth, not the task that sends it: see kouiki.core.outbox.
    """

    created_at = models.DateTimeField("作成日時", default=timezone.now, db_index=True)
    to = models.JSONField("宛先", default=list)
    subject = models.CharField("件名", max_length=200)
    body = models.TextField("本文")
    template = models.CharField("テンプレート", max_length=200, blank=True)
    # Bodies that carry a password or a token are blanked once sent.
    sensitive = models.BooleanField("機微情報を含む", default=False)
    state = models.CharField("状態", max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField("試行回数", default=0)
    last_error = models.TextField("直近のエラー", blank=True)
    next_attempt_at = models.DateTimeField("次回試行日時", default=timezone.now)
    enqueued_at = models.DateTimeField("キュー投入日時", null=True, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    # The claim of the worker sending the row: only the holder of the token marks it sent or failed,
    # and the sweeper takes the row back only once the lease has run out.
    claim_token = models.CharField("送信権トークン", max_length=32, blank=True)
    claimed_until = models.DateTimeField("送信権の期限", null=True, blank=True)

    class Meta:
        verbose_name = "送信メール"
        verbose_name_plural = "送信メール"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class PeriodicRun(models.Model):
    """One row per periodic job: the next slot, claimed by a conditional update (kouiki.core.periodic)."""

    name = models.CharField("ジョブ名", max_length=100, unique=True)
    # The interval the slot was taken with: a shorter registered interval takes effect at once.
    interval = models.DurationField("実行間隔", default=timedelta(0))
    last_run_at = models.DateTimeField("前回実行日時", null=True, blank=True)
    next_run_at = models.DateTimeField("次回実行日時", default=timezone.now)

    class Meta:
        verbose_name = "定期ジョブ"
        verbose_name_plural = "定期ジョブ"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClosingDay(models.Model):
    """A day the organization closes besides weekends, national holidays and 12/29-1/3 (CAP-H1).

    Set in the back office; `kouiki.core.calendar` callers pass these days as `extra_closed`.
    """

    day = models.DateField("休業日", unique=True)
    reason = models.CharField("理由", max_length=100, blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "本機関休業日"
        verbose_name_plural = "本機関休業日"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.reason}".strip()
