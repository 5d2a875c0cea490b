"""Input and output of the switching API. JSON fields in English snake_case, the same name for the
same item everywhere (`supply_point_number`, `customer_name`, `customer_address`,
`contract_number`, `desired_date`, `reception_number`, `switch_number`)."""

from __future__ import annotations

from copy import copy
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from ninja import Path, Schema
from pydantic import ConfigDict, Field, create_model

from kouiki.core.field_facts import field_facts
from kouiki.core.schemas import Code, IsoDate, Kana, Phone, SupplyPointNumber, Text, UpperCode
from kouiki.switching.models import MAX_NG_REASONS, Application, Kind, NgReason, PointClass, Switch
from kouiki.switching.services import usage
from kouiki.switching.services.applications import AMPERES, CUSTOMER_ITEM_FACTS
from kouiki.switching.services.lines import FIT, HIGH, LOW, Line, line
from kouiki.switching.services.switches import ITEM_FACTS, NEW_CONTRACT_NUMBER, NG_TEXT, REQUIRED_ITEMS


class Event(Schema):
    """One change told to the organization (the feed and the callbacks carry the same shape)."""

    sequence: int = Field(description="事業者ごとの通番（1から欠番なし）")
    topic: str = Field(description="種別: application.updated, switch.updated など")
    reference: str = Field(description="対象の番号（受付番号・廃止取次番号）")
    created_at: datetime
    payload: dict[str, Any]


class EventPage(Schema):
    events: list[Event]
    last_sequence: int = Field(description="次回の after に渡す値（このページの最後の通番）")
    has_more: bool = Field(description="続きがあるか（true なら last_sequence で続けて取得）")


class CallbackDelivery(Schema):
    id: int
    sequence: int
    topic: str
    reference: str
    url: str
    state: str = Field(description="pending 送信待ち / sending 送信中 / delivered 送信済 / failed 送信失敗")
    attempts: int
    last_status: int | None = Field(description="通知先が直近に返したHTTPステータス")
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class CallbackDeliveryPage(Schema):
    deliveries: list[CallbackDelivery]
    count: int


# --- Items shared by many operations ---------------------------------------------------------------

PURPOSES = Literal["wheeling_contract", "cancel_forward", "point_info", "tso_operations", "billing"]
PURPOSE_DESCRIPTION = (
    "個人情報の利用目的（共同利用の目的）: wheeling_contract ①託送供給等契約 / cancel_forward ②廃止取次 / "
    "point_info ③供給地点情報の確認 / tso_operations ④一般送配電事業者の業務 / billing ⑤料金精算"
)
# The enums' values as the OpenAPI's enums (the models' choices, said once there).
if TYPE_CHECKING:  # a Literal built at run time is no type to mypy: strings, as the choices are
    KIND_VALUES = str
    POINT_CLASS_VALUES = str
    NG_REASON_VALUES = str
else:
    KIND_VALUES = Literal[tuple(Kind.values)]
    POINT_CLASS_VALUES = Literal[tuple(PointClass.values)]
    NG_REASON_VALUES = Literal[tuple(NgReason.values)]
NG_REASON_DESCRIPTION = "NG理由コード: " + " / ".join(f"{value} {label}" for value, label in NgReason.choices)
POINT_CLASS_DESCRIPTION = "地点区分: " + " / ".join(f"{value} {label}" for value, label in PointClass.choices)
RECEPTION_NUMBER = field_facts(Application, "reception_number")
SWITCH_NUMBER = field_facts(Switch, "number")
# Codes and free text are normalized and checked as in a form (core.schemas): `Ａ－９００１` is
# `A-9001`, a character CP932 cannot hold is refused naming it.
WIDTHS = "全角の英数字・ハイフンは半角として扱います。"


def supply_point_number_field(point: str = "供給地点") -> Any:
    return Field(
        description=f"{point}特定番号（22桁。全角数字・ハイフン・空白は読み替えます）",
        examples=["0300000000000000000001"],
    )


# Numbers in a path, in any width (core.schemas).
ReceptionNumberPath = Annotated[
    UpperCode,
    Path(
        min_length=1,
        max_length=RECEPTION_NUMBER.limit,
        description=f"{RECEPTION_NUMBER.label}（16桁。{WIDTHS}）",
        examples=["2026112000000001"],
    ),
]
SwitchNumberPath = Annotated[
    UpperCode,
    Path(
        min_length=1,
        max_length=SWITCH_NUMBER.limit,
        description=f"{SWITCH_NUMBER.label}（HTと14桁。{WIDTHS}）",
        examples=["HT20261120000001"],
    ),
]
SupplyPointNumberPath = Annotated[
    SupplyPointNumber, Path(description="供給地点特定番号（22桁。全角数字・ハイフン・空白は読み替えます）")
]


def desired_date_field() -> Any:
    return Field(None, description="希望日 (YYYY-MM-DD)。本日から1年以内、一般送配電事業者の標準処理期間以降")


def changed_item(name: str) -> Any:
    """A 需要者情報変更 item, given only when it changes: the registry field's length and label."""
    facts = CUSTOMER_ITEM_FACTS[name]
    return Field(None, max_length=facts.max_length, description=facts.label)


def identification_item(name: str, *, required: bool = True, description: str = "") -> Any:
    """An item a new retailer sends with a cancel-forward (or a current retailer with its decision):
    the switch field's length; one not `required` may be left out (a 訂正's items), and blank only
    where the registration takes it blank."""
    facts = ITEM_FACTS[name]
    least = 1 if required or name in REQUIRED_ITEMS else None
    default: Any = ... if required else None
    return Field(
        default, min_length=least, max_length=facts.max_length, description=description or facts.label
    )


def identification_read(name: str) -> Any:
    """An item of the identification as a switch's reader gets it (null when it may not read it)."""
    return Field(description=f"{ITEM_FACTS[name].label}（読めない場合は null）")


KANA_DESCRIPTION = "（全角カタカナ。半角カナは全角に読み替えます。省略可）"
PHONE_DESCRIPTION = "（例: 03-1234-5678。全角数字は半角に読み替えます。省略可）"
CONTACT_DESCRIPTION = "。需要者の個人情報ではなく事業者の業務連絡先として、両小売に示されます（省略可）"


def new_contract_number() -> Any:
    return Field(
        min_length=1, max_length=NEW_CONTRACT_NUMBER.max_length, description="新小売の小売供給契約番号"
    )


class OperatorMessageOut(Schema):
    """受付メッセージ: one message of the operator about the application."""

    code: str = Field(description="メッセージコード")
    text: str = Field(description="メッセージ")


STEP_CODE_DESCRIPTION = (
    "受付工程コード（一般送配電事業者の処理段階）: 01〜04・10 処理中 / 05 マッチング完了"
    "（スイッチングの開始・廃止が突合済み。ハブが突合時に設定） / 06・08 完了 / 09 NG。"
    "一般送配電事業者へ送る前の申請は null"
)
UPDATE_FLAG_DESCRIPTION = (
    "更新フラグ: 一般送配電事業者へ最後に送った電文の種別。1 新規 / 2 訂正 / 3 取消（同じ受付番号のまま）"
)


class ApplicationStatus(Schema):
    """An application as its filer sees it (SW-L14, SW-L15, and every filing's answer)."""

    reception_number: str = Field(description="受付番号")
    kind: str = Field(
        description=(
            "旧来の申請種別コード（互換のため残しています。新しい連携では `application_type` と "
            "`business` を使ってください）: 申込種別のある申請はその申込種別（01〜08、FIT 12〜17）、"
            "ないものは 09 設備情報照会 / 10 使用量情報照会（取得） / 20 廃止取次登録"
        ),
        json_schema_extra={"deprecated": True},
    )
    kind_name: str = Field(description="申請種別の名称（FIT電源の需要者情報変更は「発電者情報変更」）")
    business: KIND_VALUES = Field(description="業務（ハブの名前。申込種別コードではありません）")
    application_type: str | None = Field(
        description=(
            "申込種別（01〜08、低圧FIT電源・FIT卒業電源は 12〜17）。廃止取次登録・設備情報照会・"
            "使用量情報照会（取得）には申込種別がなく null です"
        )
    )
    point_class: POINT_CLASS_VALUES = Field(description=POINT_CLASS_DESCRIPTION)
    state: str = Field(
        description="received 受付 / processing 処理中 / completed 完了 / defective 不備 / cancelled 取消"
    )
    state_name: str
    operator_step: str = Field(description="受付工程（一般送配電事業者の回答、またはハブの処理段階）")
    step_code: str | None = Field(description=STEP_CODE_DESCRIPTION)
    step_name: str = Field(description="受付工程コードの名称（コードがなければ空）")
    operator_messages: list[OperatorMessageOut] = Field(description="受付メッセージ（受け取った順）")
    operator_notes: str = Field(description="ご連絡事項（一般送配電事業者からの自由記述。なければ空）")
    planned_change_date: date | None = Field(description="異動予定日")
    change_date: date | None = Field(description="異動日（完了した異動の日）")
    update_flag: Literal["1", "2", "3"] = Field(description=UPDATE_FLAG_DESCRIPTION)
    supply_point_number: str
    switch_number: str | None = Field(description="廃止取次番号（スイッチング案件の申請のみ）")
    desired_date: date | None
    switching_date: date | None
    error_code: str = Field(description="不備のコード（不備でなければ空）")
    error_detail: str = Field(description="不備の内容")
    revision: int = Field(description="訂正回数")
    created_at: datetime
    updated_at: datetime
    forwarded_at: datetime | None = Field(description="一般送配電事業者へ送信した日時")
    finished_at: datetime | None
    status_url: str = Field(description="この申請の処理状況を確認するURL (SW-L14)")


class ApplicationPage(Schema):
    applications: list[ApplicationStatus]
    count: int
    limit: int
    offset: int


class ApplicationResult(Schema):
    """An application and the operator's result (facility information, usage)."""

    application: ApplicationStatus
    result: dict[str, Any] = Field(description="一般送配電事業者の回答内容（未回答なら空）")


ReceptionNumberItem = Annotated[UpperCode, Field(min_length=1, max_length=RECEPTION_NUMBER.limit)]


class StatusesIn(Schema):
    reception_numbers: list[ReceptionNumberItem] = Field(
        min_length=1,
        max_length=1000,
        description=f"受付番号（1〜1,000件、各16桁。{WIDTHS}）",
        examples=[["2026112000000001"]],
    )


class StatusItem(Schema):
    reception_number: str
    found: bool = Field(description="自社の申請として見つかったか")
    application: ApplicationStatus | None


class StatusesOut(Schema):
    results: list[StatusItem] = Field(description="指定した順の結果")


# --- SW-L01..L05, L12, L13: applications forwarded to the operator ---------------------------------


class InquiryIn(Schema):
    """SW-L01 設備情報照会, SW-L02 使用量情報照会申請."""

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    purpose: PURPOSES = Field(description=PURPOSE_DESCRIPTION)


# Base64 of a 1 MB file, padded: the largest document the API takes.
DOCUMENT_BASE64_LENGTH = 4 * ((usage.MAX_DOCUMENT_BYTES + 2) // 3)


class UsageDocumentIn(Schema):
    """An identity document of a usage-password application, its content in base64."""

    name: str = Field(
        min_length=1, max_length=usage.NAME_LENGTH, description="ファイル名", examples=["本人確認書類.pdf"]
    )
    content_base64: str = Field(
        min_length=1,
        max_length=DOCUMENT_BASE64_LENGTH,
        description=(
            "ファイルの内容（Base64。改行なし）。種類は内容で判定します（PDF・JPEG・PNG・GIF。"
            "ファイル名の拡張子は見ません）。1ファイル1MBまで"
        ),
        examples=["JVBERi0xLjQK"],
    )


class UsagePasswordIn(Schema):
    """SW-L02 / SW-H01 使用量情報照会申請: the password's validity and identity documents."""

    # The validity is a date or a number of days, not both (the service says so in Japanese too).
    model_config = ConfigDict(json_schema_extra={"not": {"required": ["valid_until", "valid_days"]}})

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    purpose: PURPOSES = Field(description=PURPOSE_DESCRIPTION)
    valid_until: IsoDate | None = Field(
        None,
        description=(
            "パスワードの有効期限（この日まで有効。申請日から1か月以内）。"
            "valid_days とはどちらか一方。どちらも省略すると1か月"
        ),
    )
    valid_days: int | None = Field(
        None,
        ge=1,
        le=31,
        description="パスワードの有効日数（申請日からの日数。1か月以内）。valid_until とはどちらか一方",
    )
    documents: list[UsageDocumentIn] = Field(
        default_factory=list,
        max_length=usage.MAX_DOCUMENTS,
        description=f"本人確認書類（{usage.DOCUMENT_RULE}）。申請した事業者以外には一切開示されません",
    )


class UsageDocumentOut(Schema):
    name: str
    content_type: str = Field(
        description="内容から判定した種類（application/pdf, image/jpeg, image/png, image/gif）"
    )
    size: int = Field(description="バイト数")
    uploaded_at: datetime


class UsagePasswordResult(Schema):
    """A usage-password application, the operator's answer (the password) and its documents."""

    application: ApplicationStatus
    result: dict[str, Any] = Field(
        description=(
            "一般送配電事業者の回答（未回答なら空）: password 使用量情報照会パスワード、"
            "valid_until 有効期限（この日まで有効）、expires_at 失効日時"
        )
    )
    documents: list[UsageDocumentOut] = Field(description="添付した本人確認書類（名前・種類・サイズのみ）")


class UsageRetrievalIn(Schema):
    """SW-L03 使用量情報照会 (retrieval with the password of a usage-password application)."""

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    password: str = Field(
        min_length=1,
        max_length=64,
        description="使用量情報照会申請の回答のパスワード（有効期限内なら、申請した事業者から受け取った他の事業者も使えます）",
    )
    purpose: PURPOSES = Field(description=PURPOSE_DESCRIPTION)


class ReconnectionIn(Schema):
    """SW-L04 再点."""

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    desired_date: IsoDate | None = desired_date_field()


class AbolitionIn(Schema):
    """SW-L05 廃止・撤去."""

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    removal: bool = Field(
        False, description="設備の撤去を伴うか（true: 02 廃止（撤去あり） / false: 01 廃止（撤去なし））"
    )
    desired_date: IsoDate | None = desired_date_field()


class HighVoltageAbolitionIn(Schema):
    """SW-H03 廃止・撤去: 高圧の供給地点は常に設備撤去あり（申込種別 02）。"""

    removal: ClassVar[bool] = True  # what the service does for a high-voltage point, said here too
    supply_point_number: SupplyPointNumber = supply_point_number_field()
    desired_date: IsoDate | None = desired_date_field()


class FitAbolitionIn(AbolitionIn):
    """SW-F03 廃止・撤去（受電地点）."""

    supply_point_number: SupplyPointNumber = supply_point_number_field(line(FIT).point_label)
    removal: bool = Field(
        False, description="設備の撤去を伴うか（true: 13 廃止（撤去あり） / false: 12 廃止（撤去なし））"
    )


class AmpereChangeIn(Schema):
    """SW-L12 アンペア変更."""

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    current_limit_a: int = Field(
        description="変更後の契約電流（A）: " + ", ".join(str(a) for a in AMPERES),
        json_schema_extra={"enum": list(AMPERES)},
    )
    desired_date: IsoDate | None = desired_date_field()


class CustomerChangeIn(Schema):
    """SW-L13 需要者情報変更: the items to change (at least one)."""

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    customer_name: Text | None = changed_item("customer_name")
    customer_address: Text | None = changed_item("customer_address")
    customer_phone: Code | None = changed_item("customer_phone")
    contract_number: Code | None = changed_item("contract_number")


class ReconnectionCorrection(Schema):
    """訂正 of a 再点 until the operator has taken it: the desired date."""

    desired_date: IsoDate | None = desired_date_field()


class AbolitionCorrection(Schema):
    """訂正 of a 廃止・撤去 until the operator has taken it: the items given change."""

    removal: bool | None = Field(
        None, description="設備の撤去を伴うか（訂正すると申込種別も 01 ⇔ 02、FIT 12 ⇔ 13 に変わります）"
    )
    desired_date: IsoDate | None = desired_date_field()


class HighVoltageAbolitionCorrection(Schema):
    """訂正 of a 高圧 廃止・撤去: the desired date (always with removal)."""

    desired_date: IsoDate | None = desired_date_field()


class AmpereChangeCorrection(Schema):
    """訂正 of an アンペア変更 until the operator has taken it: the items given change."""

    current_limit_a: int | None = Field(
        None,
        description="変更後の契約電流（A）: " + ", ".join(str(a) for a in AMPERES),
        json_schema_extra={"enum": [*AMPERES, None]},
    )
    desired_date: IsoDate | None = desired_date_field()


class CustomerChangeCorrection(Schema):
    """訂正 of a 需要者情報変更 until the operator has taken it: the items given replace those filed."""

    customer_name: Text | None = changed_item("customer_name")
    customer_address: Text | None = changed_item("customer_address")
    customer_phone: Code | None = changed_item("customer_phone")
    contract_number: Code | None = changed_item("contract_number")


class CustomerInfo(Schema):
    """A customer's basic info (需要者基本情報), for the current retailer or a new retailer with its
    switching in progress (SW-P2)."""

    supply_point_number: str
    customer_name: str
    customer_address: str
    customer_phone: str
    contract_number: str
    retailer_code: str
    retailer_name: str
    lawful_role: str = Field(description="current 現小売 / new 新小売（スイッチング手続中）")
    switch_number: str


# --- SW-L06..L11: switching -------------------------------------------------------------------------


class CancelForwardIn(Schema):
    """SW-L06 スイッチング廃止取次登録."""

    supply_point_number: SupplyPointNumber = supply_point_number_field()
    customer_name: Text = identification_item(
        "customer_name", description=f"{ITEM_FACTS['customer_name'].label}（現小売との契約のとおり）"
    )
    customer_name_kana: Kana | None = identification_item(
        "customer_name_kana",
        required=False,
        description=ITEM_FACTS["customer_name_kana"].label + KANA_DESCRIPTION,
    )
    customer_address: Text = identification_item("customer_address")
    building_name: Text | None = identification_item(
        "building_name", required=False, description=f"{ITEM_FACTS['building_name'].label}（省略可）"
    )
    contract_number: Code = identification_item("contract_number", description="現小売との小売供給契約番号")
    new_contact_name: Text | None = identification_item(
        "new_contact_name",
        required=False,
        description=f"{ITEM_FACTS['new_contact_name'].label}（自社の担当者名{CONTACT_DESCRIPTION}）",
    )
    new_contact_phone: Phone | None = identification_item(
        "new_contact_phone",
        required=False,
        description=ITEM_FACTS["new_contact_phone"].label + PHONE_DESCRIPTION,
    )
    desired_date: IsoDate | None = Field(
        None,
        description=(
            "希望日 (YYYY-MM-DD)。本日から1年以内、一般送配電事業者の標準処理期間以降。省略時は最短の検針日"
        ),
    )


class CancelForwardCorrection(Schema):
    """訂正 of a cancel-forward before the current retailer's decision: the items given change (null
    clears an optional item)."""

    customer_name: Text | None = identification_item("customer_name", required=False)
    customer_name_kana: Kana | None = identification_item(
        "customer_name_kana",
        required=False,
        description=ITEM_FACTS["customer_name_kana"].label + KANA_DESCRIPTION,
    )
    customer_address: Text | None = identification_item("customer_address", required=False)
    building_name: Text | None = identification_item("building_name", required=False)
    contract_number: Code | None = identification_item("contract_number", required=False)
    new_contact_name: Text | None = identification_item("new_contact_name", required=False)
    new_contact_phone: Phone | None = identification_item(
        "new_contact_phone",
        required=False,
        description=ITEM_FACTS["new_contact_phone"].label + PHONE_DESCRIPTION,
    )
    desired_date: IsoDate | None = desired_date_field()


class CancelForwardAnswer(ApplicationStatus):
    deadline: datetime | None = Field(description="開始申請・廃止申請の突合期限")


class NgReasonOut(Schema):
    code: NG_REASON_VALUES = Field(description=NG_REASON_DESCRIPTION)
    name: str = Field(description="NG理由の名称")


class SwitchSummary(Schema):
    """スイッチング案件 as either retailer sees it, without the customer's identification."""

    switch_number: str = Field(description="廃止取次番号")
    supply_point_number: str
    point_class: POINT_CLASS_VALUES = Field(description=POINT_CLASS_DESCRIPTION)
    state: str = Field(
        description="requested 現小売判断待ち / approved 取次OK / rejected 取次NG / matched 突合済 / "
        "completed 完了 / failed 不備 / cancelled 取消"
    )
    state_name: str
    new_retailer_code: str
    current_retailer_code: str
    decision: str = Field(description="現小売の取次判断: ok / ng（未判断は空）")
    ng_reasons: list[NgReasonOut] = Field(description="NG理由（コードと名称、コード順。NGでなければ空）")
    ng_reason: str = Field(
        description="最初のNG理由コード（互換のため残しています。`ng_reasons` を使ってください）",
        json_schema_extra={"deprecated": True},
    )
    ng_reason_name: str = Field(
        description="最初のNG理由の名称（互換のため残しています）", json_schema_extra={"deprecated": True}
    )
    ng_text: str
    desired_date: date | None
    switching_date: date | None
    deadline: datetime
    decided_at: datetime | None
    matched_at: datetime | None
    closed_at: datetime | None
    close_code: str
    close_detail: str
    created_at: datetime
    updated_at: datetime


class SwitchPage(Schema):
    switches: list[SwitchSummary]
    count: int
    limit: int
    offset: int


class IdentificationItem(Schema):
    """One item of the identification beside the registry's entry (the current retailer's view)."""

    item: str = Field(description="項目: customer_name / customer_address / contract_number")
    name: str = Field(description="項目名")
    sent: str = Field(description="新小売が登録した内容")
    registered: str = Field(description="供給地点の登録内容（現小売の登録）")
    matches: bool = Field(
        description="一致するか（全角・半角、空白、ハイフンの違いは問いません。住所は建物名を続けても照合します）"
    )


class SwitchDetail(SwitchSummary):
    """The switch with the items the new retailer registered (a recorded read); the customer's items
    are null once the switch has ended, unless the caller is the point's current retailer. The
    contacts of both retailers are business data: always given, their read not recorded."""

    customer_name: str | None = identification_read("customer_name")
    customer_name_kana: str | None = identification_read("customer_name_kana")
    customer_address: str | None = identification_read("customer_address")
    building_name: str | None = identification_read("building_name")
    contract_number: str | None = identification_read("contract_number")
    identification_check: list[IdentificationItem] | None = Field(
        description=(
            "現小売のみ: 新小売が登録した本人確認情報と供給地点の登録内容の項目ごとの照合（一致・不一致）。"
            "新小売、または本人確認情報を読めない場合は null"
        )
    )
    new_contact_name: str = Field(description="新小売担当者")
    new_contact_phone: str = Field(description="新小売担当者電話番号")
    current_contact_name: str = Field(description="現小売担当者（判断時に登録）")
    current_contact_phone: str = Field(description="現小売担当者電話番号（判断時に登録）")
    applications: list[ApplicationStatus] = Field(description="この案件の自社の申請")


class DecisionIn(Schema):
    """SW-L10 スイッチング廃止取次判断."""

    # NG needs at least one reason and the text (what decide_cancel_forward enforces), said in JSON
    # Schema too: the reasons in `ng_reasons`, or one in `ng_reason` as clients before them sent it.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"decision": {"const": "ng"}}, "required": ["decision"]},
            "then": {
                "required": ["ng_text"],
                "properties": {"ng_text": {"pattern": "\\S"}},
                "anyOf": [
                    {
                        "required": ["ng_reasons"],
                        "properties": {"ng_reasons": {"type": "array", "minItems": 1}},
                    },
                    {"required": ["ng_reason"], "properties": {"ng_reason": {"type": "string"}}},
                ],
            },
        }
    )

    decision: Literal["ok", "ng"] = Field(description="ok 取次可 / ng 取次不可")
    ng_reasons: list[NG_REASON_VALUES] | None = Field(
        None,
        max_length=MAX_NG_REASONS,
        description=(
            f"NG理由（ng のとき1つ以上必須、{MAX_NG_REASONS}件まで同時に指定可。重複は1つとして扱います）。"
            + NG_REASON_DESCRIPTION
        ),
    )
    ng_reason: NG_REASON_VALUES | None = Field(
        None,
        description=(
            "NG理由コード1つ（互換のため残しています。`ng_reasons` を使ってください。"
            "両方指定すると合わせて扱います）"
        ),
        json_schema_extra={"deprecated": True},
    )
    ng_text: Text = Field("", max_length=NG_TEXT.max_length, description="NG理由の詳細（ng のとき必須）")
    current_contact_name: Text | None = identification_item(
        "current_contact_name",
        required=False,
        description=f"{ITEM_FACTS['current_contact_name'].label}（自社の担当者名{CONTACT_DESCRIPTION}）",
    )
    current_contact_phone: Phone | None = identification_item(
        "current_contact_phone",
        required=False,
        description=ITEM_FACTS["current_contact_phone"].label + PHONE_DESCRIPTION,
    )


class SwitchStartIn(Schema):
    """SW-L08 スイッチング開始申請."""

    switch_number: UpperCode = Field(
        min_length=1, max_length=SWITCH_NUMBER.limit, description="廃止取次番号（取次OKのもの）"
    )
    contract_number: Code = new_contract_number()


class SwitchStartCorrection(Schema):
    contract_number: Code = new_contract_number()


class SwitchAbolishIn(Schema):
    """SW-L11 スイッチング廃止申請."""

    switch_number: UpperCode = Field(
        min_length=1, max_length=SWITCH_NUMBER.limit, description="廃止取次番号（取次OKのもの）"
    )


# --- SW-C01 ------------------------------------------------------------------------------------------


class OperatorOut(Schema):
    code: str = Field(description="事業者コード")
    name: str = Field(description="事業者名")


class OperatorList(Schema):
    operators: list[OperatorOut]


# --- the lines' own inputs ----------------------------------------------------------------------------

# An input a line takes otherwise than the low-voltage line.
LINE_VARIANTS: dict[tuple[type[Schema], str], type[Schema]] = {
    (AbolitionIn, HIGH): HighVoltageAbolitionIn,
    (AbolitionIn, FIT): FitAbolitionIn,
    (AbolitionCorrection, HIGH): HighVoltageAbolitionCorrection,
}


def line_schema(schema: type, reached: Line) -> type:
    """An input of an operation as the line ``reached`` takes it: its own variant where it has one
    (高圧 廃止 has no `removal`), its descriptions in the line's words (受電地点特定番号, 発電者 on the
    FIT line); anything but an input schema as it is."""
    if not issubclass(schema, Schema):
        return schema
    return _worded(LINE_VARIANTS.get((schema, reached.key), schema), reached.key)


@cache
def _worded(schema: type[Schema], line_key: str) -> type[Schema]:
    low, reached = line(LOW), line(line_key)
    words = {
        said_low: said
        for said_low, said in (
            (f"{low.point_label}特定番号", f"{reached.point_label}特定番号"),
            (low.customer_label, reached.customer_label),
        )
        if said_low != said
    }
    fields: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        described = info.description or ""
        for said_low, said in words.items():
            described = described.replace(said_low, said)
        if described != (info.description or ""):
            reworded = copy(info)
            reworded.description = described
            fields[name] = (info.annotation, reworded)
    if not fields:
        return schema
    # The low-voltage input's docstring names its functions: the line's has none of its own.
    return create_model(
        f"{reached.key.capitalize()}{schema.__name__}", __base__=schema, __doc__=None, **fields
    )
