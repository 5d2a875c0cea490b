"""Models of the shared kernel: the mail outbox, the bookkeeping of periodic jobs, closing days, and
what every system's API shares (idempotency records, the per-organization event feed, callbacks)."""

from __future__ import annotations

from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
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


# --- The API's shared kernel (issue 7): idempotency, the event feed, HTTPS callbacks ---------------
# Organizations are plain integers here: the kernel imports nothing of ours (identity owns them).


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an `Idempotency-Key`, kept to be replayed byte for byte.

    Written in the same transaction as the operation it answers (kouiki.core.api): a concurrent
    duplicate waits on the unique (scope, key) index and then finds the committed answer.
    """

    scope = models.CharField("範囲", max_length=64)  # "switching:user:<pk>"
    key = models.CharField("冪等キー", max_length=255)
    method = models.CharField("メソッド", max_length=8)
    path = models.CharField("パス", max_length=300)
    request_hash = models.CharField("要求のハッシュ", max_length=64)
    status = models.PositiveSmallIntegerField("ステータス", default=0)
    content_type = models.CharField("Content-Type", max_length=100, blank=True)
    location = models.CharField("Location", max_length=300, blank=True)
    body = models.TextField("応答本文", blank=True)
    created_at = models.DateTimeField("作成日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "冪等キー記録"
        verbose_name_plural = "冪等キー記録"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class EventCounter(models.Model):
    """The last sequence number of one organization's feed in one system.

    Locked (UPDATE) by `kouiki.core.events.publish` until the publishing transaction ends, so
    numbers are gapless and commit in order.
    """

    organization_id = models.BigIntegerField("事業者ID")
    system = models.CharField("システム", max_length=16)
    last_sequence = models.BigIntegerField("最終番号", default=0)

    class Meta:
        verbose_name = "イベント採番"
        verbose_name_plural = "イベント採番"
        constraints = [
            models.UniqueConstraint(fields=["organization_id", "system"], name="core_event_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.system} {self.last_sequence}"


class OrganizationEvent(models.Model):
    """One change an organization is told about, numbered in its feed (`after=N`)."""

    organization_id = models.BigIntegerField("事業者ID")
    system = models.CharField("システム", max_length=16)
    sequence = models.BigIntegerField("通番")
    topic = models.CharField("種別", max_length=64)
    reference = models.CharField("対象番号", max_length=64, blank=True)
    payload = models.JSONField("内容", default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField("発生日時", default=timezone.now)

    class Meta:
        verbose_name = "事業者イベント"
        verbose_name_plural = "事業者イベント"
        ordering = ["organization_id", "system", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization_id", "system", "sequence"], name="core_event_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.system}#{self.sequence} {self.topic}"


class CallbackEndpoint(models.Model):
    """The HTTPS URL an organization has registered to receive its events of one system."""

    organization_id = models.BigIntegerField("事業者ID")
    system = models.CharField("システム", max_length=16)
    url = models.URLField("通知先URL", max_length=500)
    # The HMAC-SHA256 key of the signature; shown to the administrator once, when it is made.
    secret = models.CharField("署名鍵", max_length=64)
    is_active = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "コールバック通知先"
        verbose_name_plural = "コールバック通知先"
        constraints = [
            models.UniqueConstraint(
                fields=["organization_id", "system"], name="core_callback_endpoint_one_per_system"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.system} {self.url}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "送信待ち"
    SENDING = "sending", "送信中"
    DELIVERED = "delivered", "送信済"
    FAILED = "failed", "送信失敗"


class CallbackDelivery(models.Model):
    """One event to one endpoint: written with the event, POSTed on commit, retried with backoff.

    Claimed with a lease like the mail outbox (docs/decisions/0003-outbox-delivery.md).
    """

    event = models.ForeignKey(OrganizationEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(CallbackEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    organization_id = models.BigIntegerField("事業者ID")
    url = models.URLField("通知先URL", max_length=500)
    state = models.CharField(
        "状態", max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField("試行回数", default=0)
    last_status = models.PositiveSmallIntegerField("直近の応答コード", null=True, blank=True)
    last_error = models.TextField("直近のエラー", blank=True)
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    next_attempt_at = models.DateTimeField("次回試行日時", default=timezone.now)
    enqueued_at = models.DateTimeField("キュー投入日時", null=True, blank=True)
    last_attempt_at = models.DateTimeField("直近の試行日時", null=True, blank=True)
    delivered_at = models.DateTimeField("送信日時", null=True, blank=True)
    claim_token = models.CharField("送信権トークン", max_length=32, blank=True)
    claimed_until = models.DateTimeField("送信権の期限", null=True, blank=True)

    class Meta:
        verbose_name = "コールバック送信"
        verbose_name_plural = "コールバック送信"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="core_callback_due"),
            models.Index(fields=["organization_id", "-created_at"], name="core_callback_by_org"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.url} {self.state}"


# --- Stopping a system (利用の停止, X-S1) ----------------------------------------------------------


class MaintenanceKind(models.TextChoices):
    """The grounds of seeds 000/001/002 2.4 on which the organization stops a system (the fourth,
    access above a set limit, is a participant's request limit, not a stop)."""

    MAINTENANCE = "maintenance", "保守作業（不具合の改修・重要なパッチ適用等）"
    DISASTER = "disaster", "天災地変等による設備の障害その他不測の事態"
    OPERATIONAL = "operational", "本機関が運用上必要と判断した場合"


# The `system` of a window that stops every participant system at once.
ALL_SYSTEMS = "all"


class Maintenance(models.Model):
    """A window during which one participant system (or all) is stopped: its screens and API answer
    503, its outbound work waits (kouiki.core.maintenance). Staff keep working in the back office."""

    system = models.CharField("対象システム", max_length=16)  # a System value, or ALL_SYSTEMS
    kind = models.CharField("事由", max_length=16, choices=MaintenanceKind.choices)
    starts_at = models.DateTimeField("開始日時")
    # None: until staff end it.
    ends_at = models.DateTimeField("終了予定日時", null=True, blank=True)
    message = models.TextField("利用者への案内")
    created_by = models.CharField("設定者", max_length=200)
    created_at = models.DateTimeField("設定日時", default=timezone.now)
    # Staff ended it (before its end, or an open-ended one); before its start: cancelled.
    ended_at = models.DateTimeField("終了日時", null=True, blank=True)
    ended_by = models.CharField("終了者", max_length=200, blank=True)
    # The notices published beforehand (notices app), one per system; plain ids: core imports nothing.
    notice_ids = models.JSONField("告知したお知らせ", default=list, blank=True)

    class Meta:
        verbose_name = "利用の停止"
        verbose_name_plural = "利用の停止"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["ended_at", "ends_at"], name="core_maintenance_open")]

    def __str__(self) -> str:
        return f"{self.system} {self.starts_at:%Y-%m-%d %H:%M} {self.kind}"
