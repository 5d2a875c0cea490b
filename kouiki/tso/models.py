"""The operators' gateway: messages to the area operators and their answers; the simulator's state.

`OperatorMessage` is the truth about a message, not the task that sends it (docs/decisions/0014).
The `Simulator*` models and `UsagePassword` belong to the in-process simulator of
the ten operators: what a real operator keeps on its side. `ReadingCalendar` and `ReadingDate` are
the operators' published 検針日程 calendars, loaded by staff (docs/decisions/0025).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kouiki.core.japanese import Area
from kouiki.tso.services.gateway import ERROR_CODE_MAX_LENGTH, OPERATION_LABELS, STEP_MAX_LENGTH, Outcome

OPERATION_CHOICES = list(OPERATION_LABELS.items())


class MessageState(models.TextChoices):
    PENDING = "pending", "送信待ち"
    SENDING = "sending", "送信中"
    ACKNOWLEDGED = "acknowledged", "受付済み（回答待ち）"
    ANSWERED = "answered", "回答済み"


class OutcomeChoices(models.TextChoices):
    ACCEPTED = Outcome.ACCEPTED.value, "受付"
    COMPLETED = Outcome.COMPLETED.value, "完了"
    REJECTED = Outcome.REJECTED.value, "不備"


class FinalOutcome(models.TextChoices):
    NONE = "", "—"
    COMPLETED = Outcome.COMPLETED.value, "完了"
    REJECTED = Outcome.REJECTED.value, "不備"


class OperatorMessage(models.Model):
    """A message to one area's operator (一般送配電事業者), written with the hub's application."""

    message_id = models.CharField("電文ID", max_length=32, unique=True)
    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    operation = models.CharField("電文種別", max_length=32, choices=OPERATION_CHOICES)
    reference = models.CharField("受付番号", max_length=40, db_index=True)
    payload = models.JSONField("内容", default=dict, encoder=DjangoJSONEncoder)
    state = models.CharField(
        "状態", max_length=16, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveIntegerField("送信試行回数", default=0)
    next_attempt_at = models.DateTimeField("次回送信日時", default=timezone.now)
    enqueued_at = models.DateTimeField("キュー投入日時", null=True, blank=True)
    # The claim of the worker sending the row (as in the mail outbox, ADR 3).
    claim_token = models.CharField("送信権トークン", max_length=32, blank=True)
    claimed_until = models.DateTimeField("送信権の期限", null=True, blank=True)
    last_error = models.TextField("直近のエラー", blank=True)
    final_outcome = models.CharField(
        "最終回答", max_length=16, choices=FinalOutcome.choices, blank=True, default=""
    )
    created_at = models.DateTimeField("作成日時", default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField("受付日時", null=True, blank=True)
    answered_at = models.DateTimeField("最終回答日時", null=True, blank=True)

    class Meta:
        verbose_name = "送配電事業者向け電文"
        verbose_name_plural = "送配電事業者向け電文"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="tso_message_due")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=MessageState.values), name="tso_message_state"),
            models.CheckConstraint(condition=Q(area__in=Area.values), name="tso_message_area"),
            models.CheckConstraint(
                condition=Q(state=MessageState.ANSWERED, final_outcome__in=["completed", "rejected"])
                | (~Q(state=MessageState.ANSWERED) & Q(final_outcome="")),
                name="tso_message_final_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.operation} {self.reference}"


class AnswerSource(models.TextChoices):
    OPERATOR = "operator", "一般送配電事業者"
    GATEWAY = "gateway", "ゲートウェイ（送信不可）"


class AnswerRecord(models.Model):
    """One answer received for a message; the same (message, outcome, step) is recorded once."""

    message = models.ForeignKey(
        OperatorMessage, on_delete=models.PROTECT, related_name="answers", verbose_name="電文"
    )
    outcome = models.CharField("回答区分", max_length=16, choices=OutcomeChoices.choices)
    step = models.CharField("受付工程", max_length=STEP_MAX_LENGTH)
    data = models.JSONField("回答内容", default=dict, encoder=DjangoJSONEncoder)
    error_code = models.CharField("エラーコード", max_length=ERROR_CODE_MAX_LENGTH, blank=True)
    error_detail = models.TextField("エラー内容", blank=True)
    answered_at = models.DateTimeField("回答日時")
    received_at = models.DateTimeField("受信日時", default=timezone.now)
    source = models.CharField(
        "回答元", max_length=16, choices=AnswerSource.choices, default=AnswerSource.OPERATOR
    )
    # Handed to the hub's handler (in the transaction that set this); NULL = still to hand over.
    delivered_at = models.DateTimeField("引渡日時", null=True, blank=True)
    handler_error = models.TextField("引渡エラー", blank=True)

    class Meta:
        verbose_name = "送配電事業者からの回答"
        verbose_name_plural = "送配電事業者からの回答"
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "outcome", "step"], name="tso_answer_once"),
        ]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(delivered_at__isnull=True), name="tso_answer_undelivered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.outcome} {self.step}"


class AnswerFeedCursor(models.Model):
    """How far the gateway has read one area's answer feed."""

    area = models.CharField("エリア", max_length=2, choices=Area.choices, unique=True)
    position = models.BigIntegerField("読取位置", default=0)
    polled_at = models.DateTimeField("最終取得日時", null=True, blank=True)

    class Meta:
        verbose_name = "回答取得位置"
        verbose_name_plural = "回答取得位置"

    def __str__(self) -> str:
        return f"{self.area}: {self.position}"


# --- The operators' 検針日程 calendars ---------------------------------------------------------------


class ReadingCalendar(models.Model):
    """One operator's 検針日程 calendar of one month: on which date of the month the points of each
    schedule code are read. Loaded from the operator's published calendar (or the demo's)."""

    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    # The first day of the month.
    month = models.DateField("年月")
    loaded_at = models.DateTimeField("登録日時", default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登録者",
        null=True,
        blank=True,
    )
    # The CSV file it came from; empty for the demo's generated calendars.
    filename = models.CharField("登録ファイル", max_length=255, blank=True)

    class Meta:
        verbose_name = "検針日程カレンダー"
        verbose_name_plural = "検針日程カレンダー"
        ordering = ["area", "month"]
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="tso_readingcal_area_month"),
            models.CheckConstraint(condition=Q(area__in=Area.values), name="tso_readingcal_area"),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()} {self.month.year}年{self.month.month}月"


class ReadingDate(models.Model):
    """The date the points of one 検針日程 code are read in its calendar's month."""

    calendar = models.ForeignKey(
        ReadingCalendar, on_delete=models.CASCADE, related_name="dates", verbose_name="検針日程カレンダー"
    )
    code = models.CharField("検針日程", max_length=2)
    reading_date = models.DateField("検針日")

    class Meta:
        verbose_name = "検針日"
        verbose_name_plural = "検針日"
        ordering = ["calendar", "code"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "code"], name="tso_readingdate_once"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}$"), name="tso_readingdate_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.reading_date:%Y/%m/%d}"


# --- The simulator's side -----------------------------------------------------------------------


class SimulatorReceipt(models.Model):
    """A message the simulated operator has taken; a repeated id gets the same answers back."""

    message_id = models.CharField("電文ID", max_length=32, unique=True)
    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    operation = models.CharField("電文種別", max_length=32)
    reference = models.CharField("受付番号", max_length=40)
    payload = models.JSONField("内容", default=dict, encoder=DjangoJSONEncoder)
    # The answers given at once, in their JSON form, returned again to a repeated send.
    answers = models.JSONField("即時回答", default=list, encoder=DjangoJSONEncoder)
    received_at = models.DateTimeField("受信日時", default=timezone.now)

    class Meta:
        verbose_name = "（模擬）受信電文"
        verbose_name_plural = "（模擬）受信電文"

    def __str__(self) -> str:
        return self.message_id


class SimulatorJob(models.Model):
    """The final answer of a receipt, due later (after the answer delay, or on a switching date)."""

    receipt = models.OneToOneField(
        SimulatorReceipt, on_delete=models.CASCADE, related_name="job", verbose_name="受信電文"
    )
    due_at = models.DateTimeField("処理予定日時")
    done_at = models.DateTimeField("処理日時", null=True, blank=True)

    class Meta:
        verbose_name = "（模擬）処理予定"
        verbose_name_plural = "（模擬）処理予定"
        indexes = [models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="tso_simjob_due")]

    def __str__(self) -> str:
        return f"{self.receipt_id} @ {self.due_at}"


class SimulatorFeed(models.Model):
    """Per area, the last position of its answer feed: locked while an answer is appended, so the
    positions are gapless and in commit order (a reader never skips one)."""

    area = models.CharField("エリア", max_length=2, choices=Area.choices, unique=True)
    last_seq = models.BigIntegerField("最終位置", default=0)

    class Meta:
        verbose_name = "（模擬）回答フィード"
        verbose_name_plural = "（模擬）回答フィード"

    def __str__(self) -> str:
        return f"{self.area}: {self.last_seq}"


class SimulatorAnswer(models.Model):
    """An answer the simulated operator gave, at its position in the area's feed."""

    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    seq = models.BigIntegerField("位置")
    message_id = models.CharField("電文ID", max_length=32)
    outcome = models.CharField("回答区分", max_length=16)
    step = models.CharField("受付工程", max_length=STEP_MAX_LENGTH)
    body = models.JSONField("回答", encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = "（模擬）回答"
        verbose_name_plural = "（模擬）回答"
        constraints = [
            models.UniqueConstraint(fields=["area", "seq"], name="tso_simanswer_position"),
            models.UniqueConstraint(fields=["message_id", "outcome", "step"], name="tso_simanswer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.area}#{self.seq} {self.message_id} {self.outcome}"


class UsagePassword(models.Model):
    """使用量情報照会パスワード: issued to the customer of a point, valid up to one month."""

    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    supply_point_number = models.CharField("供給地点特定番号", max_length=22, db_index=True)
    password_hash = models.CharField("パスワード（ハッシュ）", max_length=128)
    issued_at = models.DateTimeField("発行日時", default=timezone.now)
    valid_until = models.DateTimeField("有効期限")
    message_id = models.CharField("申請電文ID", max_length=32)
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)

    class Meta:
        verbose_name = "（模擬）使用量情報照会パスワード"
        verbose_name_plural = "（模擬）使用量情報照会パスワード"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.supply_point_number} （〜{self.valid_until:%Y-%m-%d}）"
