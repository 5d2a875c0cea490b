"""What retailers file with the hub (申請, numbered by 受付番号) and the switches they make up
(スイッチング案件, numbered by 廃止取次番号). docs/decisions/0011-switching-hub.md.

An `Application` is one thing a retailer files: its kind is the 業務 (`Kind`), its
`application_type` the 申込種別 code of the real system for the point's class (01..08, FIT 12..17;
none for 廃止取次 and the inquiries). Its state moves 受付 → 処理中 → 完了 / 不備 / 取消;
`operator_step` is the 受付工程 the operator last reported (or the hub's own step while it waits).

A `Switch` ties the new retailer's 廃止取次登録, the current retailer's decision, the new
retailer's スイッチング開始申請 (05; FIT 16) and the current retailer's スイッチング廃止申請
(03; FIT 14). At most one
open switch per supply point, held by a partial unique constraint in the database so that two
concurrent registrations cannot both pass.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kouiki.core.japanese import Area
from kouiki.switching.models.registry import RECEIVING_CLASSES, PointClass, SupplyPoint, Voltage
from kouiki.tso.services.gateway import ERROR_CODE_MAX_LENGTH, STEP_MAX_LENGTH


class Kind(models.TextChoices):
    """業務 of an application: what it asks, whatever the point's class. Its 申込種別 code — 01..08
    for supply points, 12..17 for FIT receiving points, none for what only the hub handles
    (廃止取次, 設備情報照会, 使用量情報照会) — is `application_type`, set at filing from the class
    (services/lines.py); the values here are the hub's names, never a code of the real system."""

    FACILITY_INQUIRY = "facility_inquiry", "設備情報照会"
    USAGE_PASSWORD = "usage_password", "使用量情報照会申請"
    USAGE_RETRIEVE = "usage_retrieve", "使用量情報照会（取得）"
    RECONNECT = "reconnect", "再点"
    ABOLISH = "abolish", "廃止（撤去なし）"
    ABOLISH_WITH_REMOVAL = "abolish_with_removal", "廃止（撤去あり）"
    CANCEL_FORWARD = "cancel_forward", "スイッチング廃止取次登録"
    SWITCH_START = "switch_start", "スイッチング開始"
    SWITCH_ABOLISH = "switch_abolish", "スイッチング廃止"
    AMPERE_CHANGE = "ampere_change", "アンペア変更"
    CUSTOMER_CHANGE = "customer_change", "需要者情報変更"


class State(models.TextChoices):
    """処理状況 of an application."""

    RECEIVED = "received", "受付"
    PROCESSING = "processing", "処理中"
    COMPLETED = "completed", "完了"
    DEFECTIVE = "defective", "不備"
    CANCELLED = "cancelled", "取消"


FINAL_STATES = frozenset({State.COMPLETED, State.DEFECTIVE, State.CANCELLED})
# An application that still counts for its switch (a cancelled or defective one may be filed again).
LIVE_STATES = (State.RECEIVED, State.PROCESSING, State.COMPLETED)


class SwitchState(models.TextChoices):
    REQUESTED = "requested", "現小売判断待ち"
    APPROVED = "approved", "取次OK（開始・廃止申請待ち）"
    REJECTED = "rejected", "取次NG"
    MATCHED = "matched", "突合済（一般送配電事業者処理中）"
    COMPLETED = "completed", "完了"
    FAILED = "failed", "不備"
    CANCELLED = "cancelled", "取消"


# The states of a switch in progress: one per supply point at most.
OPEN_SWITCH_STATES = (SwitchState.REQUESTED, SwitchState.APPROVED, SwitchState.MATCHED)
# Before matching: the deadline runs, and the switching date is an estimate until the pair is in.
UNMATCHED_SWITCH_STATES = (SwitchState.REQUESTED, SwitchState.APPROVED)


class SwitchDecision(models.TextChoices):
    """取次判断 of the current retailer."""

    OK = "ok", "OK（取次可）"
    NG = "ng", "NG（取次不可）"


class NgReason(models.TextChoices):
    """The fixed reasons a current retailer gives for an NG (with free text besides)."""

    CUSTOMER_MISMATCH = "01", "需要者情報（氏名・住所・契約番号）が当社の契約と一致しない"
    CUSTOMER_CONTINUES = "02", "需要者から契約継続の申出を受けている"
    CONTRACT_TERMS = "03", "契約上の解約手続が完了していない（解約予告期間等）"
    POINT_CHANGING = "04", "供給地点の廃止・移転等の手続中である"
    DUPLICATE = "05", "同一需要者について別の申込みを受け付けている"
    CONTRACT_ENDED = "06", "当社との契約は既に終了している"
    HOLDER_CHANGED = "07", "契約名義人が変更されている（名義変更の手続中を含む）"
    POINT_MISMATCH = "08", "供給地点特定番号が当社の契約と一致しない"
    OTHER = "99", "その他"


# Up to all nine NG reasons may be given together (SWITCHING-REAL.md "The current retailer's decision").
MAX_NG_REASONS = len(NgReason.values)


class NumberCounter(models.Model):
    """The last serial issued for one kind of number, where the database has no sequences.

    On PostgreSQL the numbers come from sequences (no lock held until commit); elsewhere (SQLite,
    which serializes writers anyway) from this row. See services/numbering.py.
    """

    name = models.CharField("採番名", max_length=32, unique=True)
    last = models.BigIntegerField("最終番号", default=0)

    class Meta:
        verbose_name = "採番"
        verbose_name_plural = "採番"

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"


class Switch(models.Model):
    """スイッチング案件: one customer moving from the current retailer to the new one."""

    number = models.CharField("廃止取次番号", max_length=16, unique=True)
    supply_point = models.ForeignKey(
        SupplyPoint, on_delete=models.PROTECT, related_name="switches", verbose_name="供給地点"
    )
    voltage = models.CharField("電圧区分", max_length=12, choices=Voltage.choices)
    point_class = models.CharField(
        "地点区分", max_length=16, choices=PointClass.choices, default=PointClass.LOW
    )
    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    new_retailer = models.ForeignKey(
        "identity.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="新小売"
    )
    current_retailer = models.ForeignKey(
        "identity.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="現小売"
    )
    state = models.CharField(
        "状態", max_length=12, choices=SwitchState.choices, default=SwitchState.REQUESTED
    )
    # The customer's identification as the new retailer registered it; the current retailer compares
    # it with its own records and decides (the hub does not own the truth about the customer).
    customer_name = models.CharField("需要者氏名", max_length=100)
    customer_name_kana = models.CharField("需要者氏名カナ", max_length=100, blank=True)
    customer_address = models.CharField("需要場所住所", max_length=200)
    building_name = models.CharField("建物名", max_length=100, blank=True)
    contract_number = models.CharField("現小売の契約番号", max_length=40)
    # Who to call on each side about this switch.
    new_contact_name = models.CharField("新小売担当者", max_length=50, blank=True)
    new_contact_phone = models.CharField("新小売担当者電話番号", max_length=20, blank=True)
    current_contact_name = models.CharField("現小売担当者", max_length=50, blank=True)
    current_contact_phone = models.CharField("現小売担当者電話番号", max_length=20, blank=True)
    desired_date = models.DateField("希望日", null=True, blank=True)
    # Whether the meter must be replaced (no smart meter yet): the longer lead time applies.
    meter_work = models.BooleanField("計器工事", default=False)
    switching_date = models.DateField("スイッチング予定日", null=True, blank=True)
    deadline = models.DateTimeField("突合期限")
    decision = models.CharField("取次判断", max_length=2, choices=SwitchDecision.choices, blank=True)
    # The first of the NG reasons (kept for clients that read one) and all of them, in code order.
    ng_reason = models.CharField("NG理由", max_length=2, choices=NgReason.choices, blank=True)
    ng_reasons = models.JSONField("NG理由（全て）", default=list, blank=True)
    ng_text = models.CharField("NG理由（詳細）", max_length=200, blank=True)
    decided_at = models.DateTimeField("判断日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="判断者",
    )
    matched_at = models.DateTimeField("突合日時", null=True, blank=True)
    closed_at = models.DateTimeField("終了日時", null=True, blank=True)
    close_code = models.CharField("終了理由コード", max_length=64, blank=True)
    close_detail = models.CharField("終了理由", max_length=300, blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "スイッチング案件"
        verbose_name_plural = "スイッチング案件"
        constraints = [
            models.UniqueConstraint(
                fields=["supply_point"],
                condition=Q(state__in=OPEN_SWITCH_STATES),
                name="switching_one_open_switch_per_point",
            ),
            models.CheckConstraint(condition=Q(state__in=SwitchState.values), name="switching_switch_state"),
            models.CheckConstraint(
                condition=~Q(new_retailer=models.F("current_retailer")),
                name="switching_switch_two_retailers",
            ),
        ]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(state__in=UNMATCHED_SWITCH_STATES),
                name="switching_switch_unmatched",
            ),
            models.Index(fields=["new_retailer", "-created_at"], name="switching_switch_new"),
            models.Index(fields=["current_retailer", "-created_at"], name="switching_switch_current"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_SWITCH_STATES

    @property
    def is_unmatched(self) -> bool:
        return self.state in UNMATCHED_SWITCH_STATES

    @property
    def ng_reason_choices(self) -> list[NgReason]:
        """The NG reasons in code order (a switch decided before reasons were kept together: its one)."""
        codes = self.ng_reasons or ([self.ng_reason] if self.ng_reason else [])
        return [NgReason(code) for code in codes if code in NgReason.values]


class Application(models.Model):
    """申請: one thing a retailer filed, with its 受付番号, state and the operator's answer."""

    reception_number = models.CharField("受付番号", max_length=16, unique=True)
    kind = models.CharField("業務", max_length=24, choices=Kind.choices)
    # 申込種別 of the real system (01..08, FIT 12..17); blank for what only the hub handles.
    application_type = models.CharField("申込種別", max_length=2, blank=True)
    voltage = models.CharField("電圧区分", max_length=12, choices=Voltage.choices)
    point_class = models.CharField(
        "地点区分", max_length=16, choices=PointClass.choices, default=PointClass.LOW
    )
    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    organization = models.ForeignKey(
        "identity.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (organization, created_at) below serves it
        verbose_name="申請事業者",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申請者",
    )
    supply_point = models.ForeignKey(
        SupplyPoint, on_delete=models.PROTECT, related_name="applications", verbose_name="供給地点"
    )
    switch = models.ForeignKey(
        Switch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name="スイッチング案件",
    )
    state = models.CharField("処理状況", max_length=12, choices=State.choices, default=State.RECEIVED)
    # As long as the gateway keeps an answer's step and error code (kouiki.tso.services.gateway): an answer
    # it took must fit here too, or the application would wait for it for ever.
    operator_step = models.CharField("受付工程", max_length=STEP_MAX_LENGTH, blank=True)
    desired_date = models.DateField("希望日", null=True, blank=True)
    switching_date = models.DateField("スイッチング予定日", null=True, blank=True)
    payload = models.JSONField("申請内容", default=dict, blank=True)
    result = models.JSONField("処理結果", default=dict, blank=True)
    error_code = models.CharField("不備コード", max_length=ERROR_CODE_MAX_LENGTH, blank=True)
    error_detail = models.TextField("不備内容", blank=True)
    # The id of the message that carried it to the operator (tso.submit), once forwarded.
    message_id = models.CharField("送信電文ID", max_length=32, blank=True)
    # The operator's answers as they came, for idempotency and for the record.
    answers = models.JSONField("回答履歴", default=list, blank=True)
    revision = models.PositiveIntegerField("訂正回数", default=0)
    # The operator's status as the real system answers it: the coded 受付工程 (05 matched, 06 / 08
    # complete, 09 NG; 01–04, 10 in progress), its 受付メッセージ ([{"code", "text"}]), ご連絡事項,
    # and the planned and actual change dates (異動予定日 / 異動日).
    step_code = models.CharField("受付工程コード", max_length=2, blank=True)
    operator_messages = models.JSONField("受付メッセージ", default=list, blank=True)
    operator_notes = models.TextField("ご連絡事項", blank=True)
    planned_change_date = models.DateField("異動予定日", null=True, blank=True)
    change_date = models.DateField("異動日", null=True, blank=True)
    # 更新フラグ of the last message sent to the operator: 1 new, 2 訂正, 3 取消 (same 受付番号).
    update_flag = models.CharField("更新フラグ", max_length=1, default="1")
    created_at = models.DateTimeField("受付日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)
    forwarded_at = models.DateTimeField("一般送配電事業者送信日時", null=True, blank=True)
    finished_at = models.DateTimeField("処理終了日時", null=True, blank=True)

    class Meta:
        verbose_name = "申請"
        verbose_name_plural = "申請"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="switching_app_kind"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="switching_app_state"),
            # One live 廃止取次 / 開始 / 廃止 per switch: a second start or abolish for the same switch loses.
            models.UniqueConstraint(
                fields=["switch", "kind"],
                condition=Q(switch__isnull=False, state__in=LIVE_STATES),
                name="switching_app_one_live_per_switch_kind",
            ),
        ]
        indexes = [
            # An organization's applications, newest first (lists, CSV, status by date).
            models.Index(fields=["organization", "-created_at"], name="switching_app_org_created"),
            models.Index(fields=["message_id"], condition=~Q(message_id=""), name="switching_app_message"),
        ]

    def __str__(self) -> str:
        return self.reception_number

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def kind_name(self) -> str:
        """The kind as the point's class calls it: 需要者情報変更 is 発電者情報変更 for a FIT source."""
        if self.kind == Kind.CUSTOMER_CHANGE and self.point_class in RECEIVING_CLASSES:
            return "発電者情報変更"
        return str(self.get_kind_display())

    @property
    def kind_display(self) -> str:
        """The 申込種別 code and the kind's name ("05 スイッチング開始"; the name alone without a code)."""
        return f"{self.application_type} {self.kind_name}" if self.application_type else self.kind_name


class UsageDocument(models.Model):
    """An identity document a retailer attached to a usage-password application (pdf, jpg, png, gif;
    1 MB at most, its type checked by content). Kept in the database with the application; read by
    the operator's side and the organization's staff only, never served back to another party."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="documents", verbose_name="申請"
    )
    name = models.CharField("ファイル名", max_length=200)
    content_type = models.CharField("形式", max_length=40)
    size = models.PositiveIntegerField("サイズ（バイト）")
    sha256 = models.CharField("SHA-256", max_length=64)
    data = models.BinaryField("内容")
    uploaded_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "本人確認書類"
        verbose_name_plural = "本人確認書類"
        constraints = [
            models.CheckConstraint(condition=models.Q(size__lte=1024 * 1024), name="switching_doc_1mb"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.name}"
