"""Low-voltage applications that go straight to the area's operator (TSO functions of FUNCTIONS.md
2.1 other than the switching pair): 設備情報照会 (SW-L01), 使用量情報照会 password and retrieval
(SW-L02, SW-L03), 再点 (SW-L04), 廃止・撤去 (SW-L05), アンペア変更 (SW-L12), 需要者情報変更 (SW-L13);
and 訂正 / 取消 of any application by its filer.

Each service files an `Application` with its 受付番号 and writes the message to the operator in the
same transaction (kouiki.tso.services.submit; sent on commit). The operator's answer moves the
application to its final state (services/answers.py); the registry changes only through such
answers. Rules from issue 7 ("The business rules (low voltage)") and seed 001 2.2.1.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kouiki.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.field_facts import FieldFacts, field_facts
from kouiki.core.japanese import clean_text, is_visible, normalize_phone, validate_phone
from kouiki.identity.access import function, organization_of, require_function
from kouiki.switching.models import (
    OPEN_SWITCH_STATES,
    Application,
    ContractDecisionMethod,
    ContractState,
    Kind,
    SupplyPoint,
    SupplyPointVersion,
    Switch,
    Voltage,
)
from kouiki.switching.services import switch_changes, switches
from kouiki.switching.services.dates import require_future_date
from kouiki.switching.services.filing import file_application, forward, publish_application
from kouiki.switching.services.personal_data import check_purpose
from kouiki.switching.services.points import point_for_number, require_current_retailer, require_voltage

if TYPE_CHECKING:
    from kouiki.identity.models import User

# seed 001 2.2.1: アンペア変更 only where ampere breakers are used — not Kansai, Chugoku, Shikoku, Okinawa.
NO_AMPERE_BREAKER_AREAS = {"06": "関西", "07": "中国", "08": "四国", "10": "沖縄"}
AMPERES = (10, 15, 20, 30, 40, 50, 60)
LOW = "低圧"
# The function through which each kind is filed (its filer's right to correct or cancel it).
KIND_FUNCTIONS: dict[str, str] = {
    Kind.ABOLISH: "SW-L05",
    Kind.ABOLISH_WITH_REMOVAL: "SW-L05",
    Kind.SWITCH_ABOLISH: "SW-L11",
    Kind.RECONNECT: "SW-L04",
    Kind.SWITCH_START: "SW-L08",
    Kind.AMPERE_CHANGE: "SW-L12",
    Kind.CUSTOMER_CHANGE: "SW-L13",
    Kind.USAGE_PASSWORD: "SW-L02",
    Kind.FACILITY_INQUIRY: "SW-L01",
    Kind.USAGE_RETRIEVE: "SW-L03",
    Kind.CANCEL_FORWARD: "SW-L06",
}
# 需要者情報変更: the items a current retailer may change (API names → registry fields).
CUSTOMER_ITEMS = {
    "customer_name": "customer_name",
    "customer_address": "customer_address",
    "customer_phone": "customer_phone",
    "contract_number": "retail_contract_number",
}
# Their labels and the longest values the registry keeps, from the registry's fields.
CUSTOMER_ITEM_FACTS: dict[str, FieldFacts] = {
    name: field_facts(SupplyPointVersion, registry_field) for name, registry_field in CUSTOMER_ITEMS.items()
}


def _retailer_code(actor: User) -> str:
    organization = actor.organization
    return organization.code if organization is not None else ""


# --- SW-L01 設備情報照会, SW-L02 / SW-L03 使用量情報照会 (any retailer or DR contractor) ---------------


@function("SW-L01", "SW-L02", "SW-L03")
def check_inquiry(
    *, actor: User, supply_point_number: str, purpose: str, password: str | None = None
) -> SupplyPoint:
    """SW-L01..L03 without writing: the refusals of an inquiry (a retrieval with its ``password``),
    which calls it; the screens' 確認 step asks it too. Returns the point."""
    check_purpose(purpose)
    if password is not None and not password.strip():
        raise ValidationFailed("パスワードを入力してください。", code="password_required", field="password")
    point, _version = point_for_number(supply_point_number)
    require_voltage(point, Voltage.LOW, LOW)
    return point


@function("SW-L01")
def inquire_facility(*, actor: User, supply_point_number: str, purpose: str) -> Application:
    """SW-L01 設備情報照会 (kind 09): ask the operator for a point's facility information.

    ``purpose`` is one of the joint-use purposes (Purpose); reading the result is recorded with it
    (SW-P1), and the customer's basic info in it is shown only to a lawful reader (SW-P2)."""
    point = check_inquiry(actor=actor, supply_point_number=supply_point_number, purpose=purpose)
    with transaction.atomic():
        application = file_application(
            actor=actor, kind=Kind.FACILITY_INQUIRY, point=point, payload={"purpose": purpose}
        )
        forward(
            application,
            {"supply_point_number": point.number, "requester_code": _retailer_code(actor)},
        )
        publish_application(application)
    return application


@function("SW-L02")
def apply_usage_password(*, actor: User, supply_point_number: str, purpose: str) -> Application:
    """SW-L02 使用量情報照会申請 (kind 08): the operator issues a password for the point's usage data
    and delivers it to the customer (valid for one month); the retailer asks the customer for it."""
    point = check_inquiry(actor=actor, supply_point_number=supply_point_number, purpose=purpose)
    with transaction.atomic():
        application = file_application(
            actor=actor, kind=Kind.USAGE_PASSWORD, point=point, payload={"purpose": purpose}
        )
        forward(
            application,
            {"supply_point_number": point.number, "requester_code": _retailer_code(actor)},
        )
        publish_application(application)
    return application


@function("SW-L03")
def retrieve_usage(*, actor: User, supply_point_number: str, password: str, purpose: str) -> Application:
    """SW-L03 使用量情報照会 (kind 10): retrieve 13 months of usage with the customer's password.

    The password travels to the operator only (it is not kept in the application); an expired or
    wrong password comes back as 不備 with the operator's code (e.g. usage_password_expired)."""
    point = check_inquiry(
        actor=actor, supply_point_number=supply_point_number, purpose=purpose, password=password or ""
    )
    with transaction.atomic():
        application = file_application(
            actor=actor, kind=Kind.USAGE_RETRIEVE, point=point, payload={"purpose": purpose}
        )
        forward(
            application,
            {
                "supply_point_number": point.number,
                "requester_code": _retailer_code(actor),
                "password": password.strip(),
            },
        )
        publish_application(application)
    return application


# --- changes of a point: only its current retailer (issue 7) -------------------------------------------


def _no_open_switch(point_id: int, what: str) -> None:
    switch = Switch.objects.filter(supply_point_id=point_id, state__in=OPEN_SWITCH_STATES).first()
    if switch is not None:
        raise Conflict(
            f"この供給地点はスイッチング手続中（廃止取次番号 {switch.number}）のため、"
            f"{what}を申し込めません。",
            code="switch_in_progress",
            field="supply_point_number",
        )


@function("SW-L04")
def check_reconnection(
    *, actor: User, supply_point_number: str, desired_date: date | None = None
) -> SupplyPoint:
    """SW-L04 without writing: the refusals of `apply_reconnection`, which calls it (and 確認)."""
    require_future_date(desired_date)
    point, version = point_for_number(supply_point_number)
    require_voltage(point, Voltage.LOW, LOW)
    require_current_retailer(actor, version)
    if version.contract_state != ContractState.STOPPED:
        raise ValidationFailed(
            f"再点は停止中の供給地点のみ申し込めます（この供給地点は{version.get_contract_state_display()}）。",
            code="point_not_stopped",
            field="supply_point_number",
        )
    return point


@function("SW-L04")
def apply_reconnection(
    *, actor: User, supply_point_number: str, desired_date: date | None = None
) -> Application:
    """SW-L04 再点 (kind 04): power a stopped point again; only a stopped point, only its current
    retailer."""
    point = check_reconnection(
        actor=actor, supply_point_number=supply_point_number, desired_date=desired_date
    )
    with transaction.atomic():
        application = file_application(
            actor=actor,
            kind=Kind.RECONNECT,
            point=point,
            payload={"desired_date": desired_date.isoformat() if desired_date else None},
            desired_date=desired_date,
        )
        forward(
            application,
            {
                "supply_point_number": point.number,
                "retailer_code": _retailer_code(actor),
                "desired_date": desired_date.isoformat() if desired_date else None,
            },
        )
        publish_application(application)
    return application


@function("SW-L05")
def check_abolition(
    *, actor: User, supply_point_number: str, removal: bool = False, desired_date: date | None = None
) -> SupplyPoint:
    """SW-L05 without writing: the refusals of `apply_abolition`, which calls it (and 確認)."""
    require_future_date(desired_date)
    point, version = point_for_number(supply_point_number)
    require_voltage(point, Voltage.LOW, LOW)
    require_current_retailer(actor, version)
    if version.contract_state == ContractState.ABOLISHED:
        raise ValidationFailed(
            "この供給地点は既に廃止されています。", code="point_abolished", field="supply_point_number"
        )
    _no_open_switch(point.pk, "廃止")
    return point


@function("SW-L05")
def apply_abolition(
    *, actor: User, supply_point_number: str, removal: bool, desired_date: date | None = None
) -> Application:
    """SW-L05 廃止・撤去 (kind 01 without removal of the equipment, 02 with it); only the current
    retailer, not an abolished point, not during a switch."""
    point = check_abolition(actor=actor, supply_point_number=supply_point_number, desired_date=desired_date)
    kind = Kind.ABOLISH_WITH_REMOVAL if removal else Kind.ABOLISH
    payload = {"removal": bool(removal), "desired_date": desired_date.isoformat() if desired_date else None}
    with transaction.atomic():
        application = file_application(
            actor=actor, kind=kind, point=point, payload=payload, desired_date=desired_date
        )
        forward(
            application,
            {"supply_point_number": point.number, "retailer_code": _retailer_code(actor), **payload},
        )
        publish_application(application)
    return application


@function("SW-L12")
def check_ampere_change(
    *, actor: User, supply_point_number: str, current_limit_a: int, desired_date: date | None = None
) -> SupplyPoint:
    """SW-L12 without writing: the refusals of `apply_ampere_change`, which calls it (and 確認)."""
    require_future_date(desired_date)
    point, version = point_for_number(supply_point_number)
    require_voltage(point, Voltage.LOW, LOW)
    if point.area in NO_AMPERE_BREAKER_AREAS:
        raise ValidationFailed(
            f"{NO_AMPERE_BREAKER_AREAS[point.area]}エリアはアンペアブレーカーを用いない（最低料金制の）エリアのため、"
            "アンペア変更は申し込めません。契約容量の変更は需要者情報変更ではなく各一般送配電事業者の手続によります。",
            code="ampere_change_not_in_area",
            field="supply_point_number",
        )
    require_current_retailer(actor, version)
    if version.contract_decision_method != ContractDecisionMethod.AMPERE:
        raise ValidationFailed(
            "この供給地点は契約電流（アンペア制）の契約ではないため、アンペア変更は申し込めません。",
            code="not_ampere_contract",
            field="supply_point_number",
        )
    if version.contract_state != ContractState.IN_SERVICE:
        raise ValidationFailed(
            "アンペア変更は送電中の供給地点のみ申し込めます。",
            code="point_not_in_service",
            field="supply_point_number",
        )
    if current_limit_a not in AMPERES:
        raise ValidationFailed(
            "変更後の契約電流は " + "・".join(f"{a}A" for a in AMPERES) + " のいずれかを指定してください。",
            code="ampere_invalid",
            field="current_limit_a",
        )
    if current_limit_a == version.current_limit_a:
        raise ValidationFailed(
            "変更後の契約電流が現在の契約電流と同じです。", code="ampere_unchanged", field="current_limit_a"
        )
    return point


@function("SW-L12")
def apply_ampere_change(
    *, actor: User, supply_point_number: str, current_limit_a: int, desired_date: date | None = None
) -> Application:
    """SW-L12 アンペア変更 (kind 06): only where ampere breakers are used — refused in Kansai,
    Chugoku, Shikoku and Okinawa (seed 001 2.2.1) — and only by the current retailer."""
    point = check_ampere_change(
        actor=actor,
        supply_point_number=supply_point_number,
        current_limit_a=current_limit_a,
        desired_date=desired_date,
    )
    payload = {
        "current_limit_a": current_limit_a,
        "desired_date": desired_date.isoformat() if desired_date else None,
    }
    with transaction.atomic():
        application = file_application(
            actor=actor, kind=Kind.AMPERE_CHANGE, point=point, payload=payload, desired_date=desired_date
        )
        forward(
            application,
            {"supply_point_number": point.number, "retailer_code": _retailer_code(actor), **payload},
        )
        publish_application(application)
    return application


def _customer_changes(values: dict[str, str | None]) -> dict[str, str]:
    """The items given (a blank one is not given), cleaned as the registry keeps them
    (core.japanese.clean_text); an item with nothing visible left is refused."""
    changes: dict[str, str] = {}
    for name, facts in CUSTOMER_ITEM_FACTS.items():
        label, limit = facts.label, facts.limit
        value = values.get(name)
        if value is None or not str(value).strip():
            continue
        text = clean_text(str(value))
        if not is_visible(text):
            raise ValidationFailed(
                f"{label}に表示される文字がありません。空白や表示されない文字（ゼロ幅スペースなど）だけでは"
                "変更できません。",
                code="not_visible",
                field=name,
            )
        if len(text) > limit:
            raise ValidationFailed(f"{limit}文字以内で入力してください。", code="too_long", field=name)
        if name == "customer_phone":
            text = normalize_phone(text)
            try:
                validate_phone(text)
            except ValidationError as error:
                raise ValidationFailed(error.messages[0], code="phone_format", field=name) from error
        changes[name] = text
    return changes


@function("SW-L13")
def check_customer_change(
    *,
    actor: User,
    supply_point_number: str,
    customer_name: str | None = None,
    customer_address: str | None = None,
    customer_phone: str | None = None,
    contract_number: str | None = None,
) -> tuple[SupplyPoint, dict[str, str]]:
    """SW-L13 without writing: the refusals of `apply_customer_change`, which calls it (and 確認).
    Returns the point and the items that change, as kept."""
    point, version = point_for_number(supply_point_number)
    require_voltage(point, Voltage.LOW, LOW)
    require_current_retailer(actor, version)
    changes = _customer_changes(
        {
            "customer_name": customer_name,
            "customer_address": customer_address,
            "customer_phone": customer_phone,
            "contract_number": contract_number,
        }
    )
    changes = {
        name: value for name, value in changes.items() if getattr(version, CUSTOMER_ITEMS[name]) != value
    }
    if not changes:
        raise ValidationFailed(
            "変更する項目を1つ以上、現在の登録内容と異なる値で入力してください。", code="nothing_to_change"
        )
    return point, changes


@function("SW-L13")
def apply_customer_change(
    *,
    actor: User,
    supply_point_number: str,
    customer_name: str | None = None,
    customer_address: str | None = None,
    customer_phone: str | None = None,
    contract_number: str | None = None,
) -> Application:
    """SW-L13 需要者情報変更 (kind 07): the current retailer changes the customer's basic info
    (name, address, phone, retail contract number); at least one item."""
    point, changes = check_customer_change(
        actor=actor,
        supply_point_number=supply_point_number,
        customer_name=customer_name,
        customer_address=customer_address,
        customer_phone=customer_phone,
        contract_number=contract_number,
    )
    with transaction.atomic():
        application = file_application(
            actor=actor, kind=Kind.CUSTOMER_CHANGE, point=point, payload={"changes": changes}
        )
        forward(
            application,
            {
                "supply_point_number": point.number,
                "retailer_code": _retailer_code(actor),
                "changes": {CUSTOMER_ITEMS[name]: value for name, value in changes.items()},
            },
        )
        publish_application(application)
    return application


# --- 訂正 / 取消 (更新フラグ: correct / cancel) --------------------------------------------------------


def _own(actor: User, reception_number: str) -> Application:
    application = (
        Application.objects.select_related("switch", "supply_point")
        .filter(reception_number=(reception_number or "").strip(), organization_id=organization_of(actor))
        .first()
    )
    if application is None:
        raise NotFound("指定された受付番号の申請はありません。", code="application_not_found")
    require_function(actor, KIND_FUNCTIONS[application.kind])
    return application


def _refuse_forwarded(application: Application) -> None:
    if application.is_final:
        raise InvalidTransition(
            f"受付番号 {application.reception_number} は「{application.get_state_display()}」のため、"
            "訂正・取消できません。",
            code="application_final",
        )
    raise InvalidTransition(
        f"受付番号 {application.reception_number} は一般送配電事業者へ送信済みのため、訂正・取消できません。",
        code="already_forwarded",
    )


def allowed_acts(application: Application) -> frozenset[str]:
    """What the filer may do next on its application: "correct" (訂正) and "cancel" (取消), by the
    rules `correct_application` and `cancel_application` enforce. Only a switch's applications
    change, until matching; any other is with the operator (or done) from its filing."""
    if application.kind in switches.SWITCH_KINDS:
        return switch_changes.application_acts(application)
    return frozenset()


def correct_application(*, actor: User, reception_number: str, changes: dict[str, Any]) -> Application:
    """訂正: the filer changes its application under the same 受付番号 — a 廃止取次登録 (20) before
    the current retailer's decision, a スイッチング開始申請 (05) before matching. After matching, or
    once an application is with the operator, a clear refusal."""
    application = _own(actor, reception_number)
    if application.kind in switches.SWITCH_KINDS:
        return switch_changes.correct(actor=actor, application=application, changes=changes)
    _refuse_forwarded(application)
    raise AssertionError("unreachable")  # pragma: no cover


def check_correction(*, actor: User, reception_number: str, changes: dict[str, Any]) -> None:
    """訂正 without writing: the refusals of `correct_application` as of now (its 確認 step)."""
    application = _own(actor, reception_number)
    if application.kind in switches.SWITCH_KINDS:
        switch_changes.check_correction(application=application, changes=changes)
        return
    _refuse_forwarded(application)


def cancel_application(*, actor: User, reception_number: str) -> Application:
    """取消: the filer withdraws its application under the same 受付番号 — a 廃止取次登録 (20)
    cancels the whole switch; a 05 or 03 is withdrawn and may be filed again. Until matching only."""
    application = _own(actor, reception_number)
    if application.kind in switches.SWITCH_KINDS:
        return switch_changes.cancel(actor=actor, application=application)
    _refuse_forwarded(application)
    raise AssertionError("unreachable")  # pragma: no cover
