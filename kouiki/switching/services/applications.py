"""Applications that go straight to the area's operator (TSO functions of FUNCTIONS.md 2.1 other
than the switching pair), one service per 業務 whatever the line it is reached from
(services/lines.py): 設備情報照会 (SW-L01, SW-F01), 使用量情報照会 password and retrieval (SW-L02,
SW-L03, SW-H01, SW-H02), 再点 (SW-L04, SW-F02), 廃止・撤去 (SW-L05, SW-H03, SW-F03), アンペア変更
(SW-L12), 需要者情報変更 / 発電者情報変更 (SW-L13, SW-H10, SW-F10); and 訂正 / 取消 of any
application by its filer.

Each service files an `Application` with its 受付番号 and writes the message to the operator in the
same transaction (kouiki.tso.services.submit; sent on commit). The operator's answer moves the
application to its final state (services/answers.py); the registry changes only through such
answers. Rules from issue 7 ("The business rules (low voltage)"), issue 13 and seed 001 2.2.1; the
point's class decides which of them apply (services/lines.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kouiki.core.errors import Conflict, KouikiError, NotFound, ValidationFailed
from kouiki.core.field_facts import FieldFacts, field_facts
from kouiki.core.japanese import (
    clean_text,
    is_visible,
    normalize_phone,
    normalize_supply_point_number,
    validate_phone,
)
from kouiki.identity.access import function, organization_of, participant_of, require_function
from kouiki.switching.models import (
    OPEN_SWITCH_STATES,
    Application,
    ContractDecisionMethod,
    ContractState,
    Kind,
    PointClass,
    SupplyPoint,
    SupplyPointVersion,
    Switch,
    UsageDocument,
)
from kouiki.switching.services import lines, switch_changes, switches, updates, usage
from kouiki.switching.services.dates import require_future_date
from kouiki.switching.services.filing import file_application, forward, publish_application
from kouiki.switching.services.lines import LOW, Business
from kouiki.switching.services.personal_data import check_purpose
from kouiki.switching.services.points import (
    current_versions,
    number_refusal,
    point_for_number,
    point_not_found,
    require_current_retailer,
)

if TYPE_CHECKING:
    from kouiki.identity.models import User

# seed 001 2.2.1: アンペア変更 only where ampere breakers are used — not Kansai, Chugoku, Shikoku, Okinawa.
NO_AMPERE_BREAKER_AREAS = {"06": "関西", "07": "中国", "08": "四国", "10": "沖縄"}
AMPERES = (10, 15, 20, 30, 40, 50, 60)
# 高圧 廃止・撤去 is always with removal of the equipment (申込種別 02; SWITCHING-REAL.md "Codes").
REMOVAL_ONLY_CLASSES = frozenset({PointClass.HIGH})
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
INQUIRIES = (Business.FACILITY_INQUIRY, Business.USAGE_PASSWORD, Business.USAGE_RETRIEVE)


def _retailer_code(actor: User) -> str:
    organization = participant_of(actor)
    return organization.code if organization is not None else ""


def _point(
    actor: User, line: str, business: Business, supply_point_number: str
) -> tuple[lines.Line, SupplyPoint, SupplyPointVersion]:
    """The line reached (the actor's right to its function checked) and the point, refused when the
    line does not serve its class for ``business``."""
    reached = lines.enter(actor, line, business)
    point, version = point_for_number(supply_point_number, noun=reached.point_label)
    lines.require_class(reached, business, point)
    return reached, point, version


# --- 設備情報照会, 使用量情報照会 (any retailer or DR contractor) ------------------------------------------


@function(*lines.functions_of(*INQUIRIES))
def check_inquiry(
    *,
    actor: User,
    supply_point_number: str,
    purpose: str,
    password: str | None = None,
    line: str = LOW,
    business: Business = Business.FACILITY_INQUIRY,
    valid_until: date | None = None,
    valid_days: int | None = None,
    documents: Sequence[usage.Document] = (),
) -> SupplyPoint:
    """設備情報照会 / 使用量情報照会 without writing: the refusals of an inquiry (a retrieval with its
    ``password``; a password application with its validity and identity documents), which calls
    it; the screens' 確認 step asks it too. Returns the point."""
    if business not in INQUIRIES:
        raise ValueError(f"not an inquiry: {business}")
    check_purpose(purpose)
    if password is not None and not password.strip():
        raise ValidationFailed("パスワードを入力してください。", code="password_required", field="password")
    if business == Business.USAGE_PASSWORD:
        usage.valid_until(today=timezone.localdate(), until=valid_until, days=valid_days)
        usage.check_documents(documents)
    _reached, point, _version = _point(actor, line, business, supply_point_number)
    return point


def _inquire(
    actor: User,
    kind: str,
    point: SupplyPoint,
    payload: dict[str, Any],
    documents: Sequence[usage.CheckedDocument] = (),
    **message: Any,
) -> Application:
    """File the inquiry with its documents and forward it; the operator gets each document's name,
    type, size and digest (the simulated operators need no more)."""
    if documents:
        message["documents"] = [
            {"name": item.name, "content_type": item.content_type, "size": item.size, "sha256": item.sha256}
            for item in documents
        ]
    with transaction.atomic():
        application = file_application(actor=actor, kind=kind, point=point, payload=payload)
        for document in documents:
            UsageDocument.objects.create(
                application=application,
                name=document.name,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                data=document.data,
            )
        forward(
            application,
            {"supply_point_number": point.number, "requester_code": _retailer_code(actor), **message},
        )
        publish_application(application)
    return application


@function(*lines.functions_of(Business.FACILITY_INQUIRY))
def inquire_facility(*, actor: User, supply_point_number: str, purpose: str, line: str = LOW) -> Application:
    """設備情報照会 (SW-L01, SW-F01): ask the operator for a point's facility information.

    ``purpose`` is one of the joint-use purposes (Purpose); reading the result is recorded with it
    (SW-P1), and the customer's basic info in it is shown only to a lawful reader (SW-P2)."""
    point = check_inquiry(
        actor=actor,
        supply_point_number=supply_point_number,
        purpose=purpose,
        line=line,
        business=Business.FACILITY_INQUIRY,
    )
    return _inquire(actor, Kind.FACILITY_INQUIRY, point, {"purpose": purpose})


@function(*lines.functions_of(Business.USAGE_PASSWORD))
def apply_usage_password(
    *,
    actor: User,
    supply_point_number: str,
    purpose: str,
    line: str = LOW,
    valid_until: date | None = None,
    valid_days: int | None = None,
    documents: Sequence[usage.Document] = (),
) -> Application:
    """使用量情報照会申請 (SW-L02, SW-H01; 申込種別 08): the operator issues a password for the point's
    usage data and answers it to this retailer in the application's result (SWITCHING-REAL.md
    "Usage data"). The password is valid through ``valid_until`` or for ``valid_days`` days, at
    most one month (one month when neither is given); while valid, another retailer given it may
    retrieve too. ``documents``: the customer's identity documents (pdf, jpg, png, gif, 1 MB at
    most each, recognized by their content), kept with the application and never shown to another
    retailer."""
    point = check_inquiry(
        actor=actor,
        supply_point_number=supply_point_number,
        purpose=purpose,
        line=line,
        business=Business.USAGE_PASSWORD,
        valid_until=valid_until,
        valid_days=valid_days,
        documents=documents,
    )
    until = usage.valid_until(today=timezone.localdate(), until=valid_until, days=valid_days)
    return _inquire(
        actor,
        Kind.USAGE_PASSWORD,
        point,
        {"purpose": purpose, "valid_until": until.isoformat()},
        usage.check_documents(documents),
        valid_until=until.isoformat(),
    )


@function(*lines.functions_of(Business.USAGE_PASSWORD))
def check_usage_passwords(
    *, actor: User, line: str, rows: Sequence[dict[str, Any]], documents: Sequence[usage.Document]
) -> list[KouikiError | SupplyPoint]:
    """`check_inquiry` of 使用量情報照会申請 for a batch (SW-W07 / W13: many points, the same
    ``documents`` for each; each row its `supply_point_number`, `purpose`, `valid_until`,
    `valid_days`), the points read in one query: each row's refusal, or its point. Documents that
    are refused refuse every row (raised)."""
    reached = lines.enter(actor, line, Business.USAGE_PASSWORD)
    usage.check_documents(documents)
    numbers = [
        normalize_supply_point_number(row["supply_point_number"])
        for row in rows
        if number_refusal(row["supply_point_number"]) is None
    ]
    versions = current_versions(numbers)
    today = timezone.localdate()
    results: list[KouikiError | SupplyPoint] = []
    for row in rows:
        try:
            check_purpose(row["purpose"])
            usage.valid_until(today=today, until=row.get("valid_until"), days=row.get("valid_days"))
            refusal = number_refusal(row["supply_point_number"])
            if refusal is not None:
                raise refusal
            version = versions.get(normalize_supply_point_number(row["supply_point_number"]))
            if version is None:
                raise point_not_found(noun=reached.point_label)
            lines.require_class(reached, Business.USAGE_PASSWORD, version.supply_point)
        except KouikiError as error:
            results.append(error)
        else:
            results.append(version.supply_point)
    return results


@function(*lines.functions_of(Business.USAGE_RETRIEVE))
def retrieve_usage(
    *, actor: User, supply_point_number: str, password: str, purpose: str, line: str = LOW
) -> Application:
    """使用量情報照会 (SW-L03, SW-H02): retrieve 13 months of usage with the password the operator
    answered to a usage-password application — this retailer's, or another's that gave it.

    The password travels to the operator only (it is not kept in the application); an expired or
    wrong password comes back as 不備 with the operator's code (e.g. usage_password_expired). The
    operator withholds the usage from before the current contract holder (``holder_since`` in the
    message: the registry's history of the customer's name is what the simulated operators know)."""
    point = check_inquiry(
        actor=actor,
        supply_point_number=supply_point_number,
        purpose=purpose,
        password=password or "",
        line=line,
        business=Business.USAGE_RETRIEVE,
    )
    since = usage.holder_since(point)
    return _inquire(
        actor,
        Kind.USAGE_RETRIEVE,
        point,
        {"purpose": purpose},
        password=password.strip(),
        holder_since=since.isoformat() if since else None,
    )


# --- changes of a point: only its current retailer (issue 7) -------------------------------------------


def _no_open_switch(point_id: int, noun: str, what: str) -> None:
    switch = Switch.objects.filter(supply_point_id=point_id, state__in=OPEN_SWITCH_STATES).first()
    if switch is not None:
        raise Conflict(
            f"この{noun}はスイッチング手続中（廃止取次番号 {switch.number}）のため、{what}を申し込めません。",
            code="switch_in_progress",
            field="supply_point_number",
        )


def _change(
    actor: User, line: str, business: Business, supply_point_number: str
) -> tuple[lines.Line, SupplyPoint, SupplyPointVersion]:
    """A change of a point: the line's class, then only its current retailer."""
    reached, point, version = _point(actor, line, business, supply_point_number)
    require_current_retailer(actor, version, reached.point_label)
    return reached, point, version


def _file_change(
    actor: User, kind: str, point: SupplyPoint, payload: dict[str, Any], desired_date: date | None = None
) -> Application:
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


def _desired(desired_date: date | None) -> str | None:
    return desired_date.isoformat() if desired_date else None


@function(*lines.functions_of(Business.RECONNECT))
def check_reconnection(
    *, actor: User, supply_point_number: str, desired_date: date | None = None, line: str = LOW
) -> SupplyPoint:
    """再点 without writing: the refusals of `apply_reconnection`, which calls it (and 確認)."""
    require_future_date(desired_date)
    reached, point, version = _change(actor, line, Business.RECONNECT, supply_point_number)
    if version.contract_state != ContractState.STOPPED:
        noun = reached.point_label
        raise ValidationFailed(
            f"再点は停止中の{noun}のみ申し込めます（この{noun}は{version.get_contract_state_display()}）。",
            code="point_not_stopped",
            field="supply_point_number",
        )
    return point


@function(*lines.functions_of(Business.RECONNECT))
def apply_reconnection(
    *, actor: User, supply_point_number: str, desired_date: date | None = None, line: str = LOW
) -> Application:
    """再点 (SW-L04; FIT卒業電源 SW-F02; 申込種別 04 / 15): power a stopped point again; only a
    stopped point, only its current retailer. No 再点 for high voltage nor for a FIT point."""
    point = check_reconnection(
        actor=actor, supply_point_number=supply_point_number, desired_date=desired_date, line=line
    )
    return _file_change(actor, Kind.RECONNECT, point, {"desired_date": _desired(desired_date)}, desired_date)


@function(*lines.functions_of(Business.ABOLISH))
def check_abolition(
    *,
    actor: User,
    supply_point_number: str,
    removal: bool = False,
    desired_date: date | None = None,
    line: str = LOW,
) -> SupplyPoint:
    """廃止・撤去 without writing: the refusals of `apply_abolition`, which calls it (and 確認)."""
    require_future_date(desired_date)
    reached, point, version = _change(actor, line, Business.ABOLISH, supply_point_number)
    if version.contract_state == ContractState.ABOLISHED:
        raise ValidationFailed(
            f"この{reached.point_label}は既に廃止されています。",
            code="point_abolished",
            field="supply_point_number",
        )
    _no_open_switch(point.pk, reached.point_label, "廃止")
    return point


@function(*lines.functions_of(Business.ABOLISH))
def apply_abolition(
    *,
    actor: User,
    supply_point_number: str,
    removal: bool = False,
    desired_date: date | None = None,
    line: str = LOW,
) -> Application:
    """廃止・撤去 (SW-L05, SW-H03, SW-F03): without removal of the equipment (申込種別 01 / FIT 12) or
    with it (02 / FIT 13); a high-voltage point always with it (02). Only the current retailer, not
    an abolished point, not during a switch."""
    point = check_abolition(
        actor=actor, supply_point_number=supply_point_number, desired_date=desired_date, line=line
    )
    removal = bool(removal) or point.point_class in REMOVAL_ONLY_CLASSES
    kind = Kind.ABOLISH_WITH_REMOVAL if removal else Kind.ABOLISH
    payload = {"removal": removal, "desired_date": _desired(desired_date)}
    return _file_change(actor, kind, point, payload, desired_date)


@function(*lines.functions_of(Business.AMPERE_CHANGE))
def check_ampere_change(
    *,
    actor: User,
    supply_point_number: str,
    current_limit_a: int,
    desired_date: date | None = None,
    line: str = LOW,
) -> SupplyPoint:
    """アンペア変更 without writing: the refusals of `apply_ampere_change`, which calls it (and 確認)."""
    require_future_date(desired_date)
    reached = lines.enter(actor, line, Business.AMPERE_CHANGE)
    point, version = point_for_number(supply_point_number, noun=reached.point_label)
    lines.require_class(reached, Business.AMPERE_CHANGE, point)
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
    _check_amperes(current_limit_a, version)
    return point


def _check_amperes(current_limit_a: Any, version: SupplyPointVersion) -> None:
    """The ampere an アンペア変更 (or its 訂正) asks: one of AMPERES, not the current one."""
    if isinstance(current_limit_a, bool) or current_limit_a not in AMPERES:
        raise ValidationFailed(
            "変更後の契約電流は " + "・".join(f"{a}A" for a in AMPERES) + " のいずれかを指定してください。",
            code="ampere_invalid",
            field="current_limit_a",
        )
    if current_limit_a == version.current_limit_a:
        raise ValidationFailed(
            "変更後の契約電流が現在の契約電流と同じです。", code="ampere_unchanged", field="current_limit_a"
        )


@function(*lines.functions_of(Business.AMPERE_CHANGE))
def apply_ampere_change(
    *,
    actor: User,
    supply_point_number: str,
    current_limit_a: int,
    desired_date: date | None = None,
    line: str = LOW,
) -> Application:
    """アンペア変更 (SW-L12; 申込種別 06): only low voltage, only where ampere breakers are used —
    refused in Kansai, Chugoku, Shikoku and Okinawa (seed 001 2.2.1) — and only by the current
    retailer."""
    point = check_ampere_change(
        actor=actor,
        supply_point_number=supply_point_number,
        current_limit_a=current_limit_a,
        desired_date=desired_date,
        line=line,
    )
    payload = {"current_limit_a": current_limit_a, "desired_date": _desired(desired_date)}
    return _file_change(actor, Kind.AMPERE_CHANGE, point, payload, desired_date)


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


@function(*lines.functions_of(Business.CUSTOMER_CHANGE))
def check_customer_change(
    *,
    actor: User,
    supply_point_number: str,
    customer_name: str | None = None,
    customer_address: str | None = None,
    customer_phone: str | None = None,
    contract_number: str | None = None,
    line: str = LOW,
) -> tuple[SupplyPoint, dict[str, str]]:
    """需要者情報変更 / 発電者情報変更 without writing: the refusals of `apply_customer_change`, which
    calls it (and 確認). Returns the point and the items that change, as kept."""
    _reached, point, version = _change(actor, line, Business.CUSTOMER_CHANGE, supply_point_number)
    return point, _customer_change_items(
        version,
        {
            "customer_name": customer_name,
            "customer_address": customer_address,
            "customer_phone": customer_phone,
            "contract_number": contract_number,
        },
    )


def _customer_change_items(version: SupplyPointVersion, values: dict[str, str | None]) -> dict[str, str]:
    """The items that change, as kept: those given that differ from the point's current data; at
    least one."""
    changes = _customer_changes(values)
    changes = {
        name: value for name, value in changes.items() if getattr(version, CUSTOMER_ITEMS[name]) != value
    }
    if not changes:
        raise ValidationFailed(
            "変更する項目を1つ以上、現在の登録内容と異なる値で入力してください。", code="nothing_to_change"
        )
    return changes


@function(*lines.functions_of(Business.CUSTOMER_CHANGE))
def check_customer_changes(
    *, actor: User, line: str, rows: Sequence[dict[str, Any]]
) -> list[KouikiError | None]:
    """`check_customer_change` for a batch (a bulk file's; each row its `supply_point_number` and
    items), the points read in one query: each row's refusal, or None."""
    reached = lines.enter(actor, line, Business.CUSTOMER_CHANGE)
    numbers = [
        normalize_supply_point_number(row["supply_point_number"])
        for row in rows
        if number_refusal(row["supply_point_number"]) is None
    ]
    versions = current_versions(numbers)
    results: list[KouikiError | None] = []
    for row in rows:
        try:
            refusal = number_refusal(row["supply_point_number"])
            if refusal is not None:
                raise refusal
            version = versions.get(normalize_supply_point_number(row["supply_point_number"]))
            if version is None:
                raise point_not_found(noun=reached.point_label)
            lines.require_class(reached, Business.CUSTOMER_CHANGE, version.supply_point)
            require_current_retailer(actor, version, reached.point_label)
            _customer_change_items(version, {name: row.get(name) for name in CUSTOMER_ITEMS})
        except KouikiError as error:
            results.append(error)
        else:
            results.append(None)
    return results


@function(*lines.functions_of(Business.CUSTOMER_CHANGE))
def apply_customer_change(
    *,
    actor: User,
    supply_point_number: str,
    customer_name: str | None = None,
    customer_address: str | None = None,
    customer_phone: str | None = None,
    contract_number: str | None = None,
    line: str = LOW,
) -> Application:
    """需要者情報変更 (SW-L13, SW-H10; 申込種別 07) / 発電者情報変更 (SW-F10; 17): the current retailer
    changes the customer's (generator's) basic info — name, address, phone, retail contract number;
    at least one item."""
    point, changes = check_customer_change(
        actor=actor,
        supply_point_number=supply_point_number,
        customer_name=customer_name,
        customer_address=customer_address,
        customer_phone=customer_phone,
        contract_number=contract_number,
        line=line,
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


def _own(
    actor: User, reception_number: str, line: str | None = None, business: Business | None = None
) -> Application:
    """The actor's organization's application; with ``business``, only one of that 業務 (another
    number is NotFound, not "wrong kind"); with ``line``, one of a point the line serves for it
    (another is refused naming the function that serves it, as its filing would have been)."""
    application = (
        Application.objects.select_related("switch", "supply_point")
        .filter(reception_number=(reception_number or "").strip(), organization_id=organization_of(actor))
        .first()
    )
    filed_as = lines.KIND_BUSINESS[application.kind] if application is not None else None
    if application is None or (business is not None and filed_as != business):
        raise NotFound("指定された受付番号の申請はありません。", code="application_not_found")
    if line is not None:
        lines.require_class(lines.line(line), lines.KIND_BUSINESS[application.kind], application.point_class)
    require_function(actor, lines.function_of(application.kind, application.point_class))
    return application


def allowed_acts(application: Application) -> frozenset[str]:
    """What the filer may do next on its application: "correct" (訂正) and "cancel" (取消), by the
    rules `correct_application` and `cancel_application` enforce: a switch's applications until
    matching, an application forwarded to the operator until the operator has taken it."""
    if application.kind in switches.SWITCH_KINDS:
        return switch_changes.application_acts(application)
    return updates.acts(application)


def _operator_base(actor: User, application: Application) -> dict[str, Any]:
    """What every message about the application names: the point and the filer."""
    code_key = "requester_code" if application.kind in INQUIRY_KINDS else "retailer_code"
    return {"supply_point_number": application.supply_point.number, code_key: _retailer_code(actor)}


INQUIRY_KINDS = frozenset({Kind.FACILITY_INQUIRY, Kind.USAGE_PASSWORD, Kind.USAGE_RETRIEVE})


def _given_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            "希望日は YYYY-MM-DD の形式で指定してください。", code="date_invalid", field="desired_date"
        ) from None


def _corrected(
    actor: User, application: Application, changes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A forwarded application as the 訂正 gives it, checked by its 業務's rules: (what the hub keeps
    once the operator applies it — payload, kind, desired date, the items given —, the operator's
    message of the corrected application). An item not given stays as filed."""
    refused = updates.refusal(application, "correct")
    if refused is not None:
        raise refused
    updates.refuse_unknown_items(application, changes)
    payload = {key: value for key, value in application.payload.items() if key != updates.PENDING_KEY}
    kind = application.kind
    point = application.supply_point
    version = SupplyPointVersion.objects.get(supply_point=point, valid_to__isnull=True)
    message = _operator_base(actor, application)
    if kind == Kind.CUSTOMER_CHANGE:
        filed = dict(payload.get("changes") or {})
        given = _customer_changes({name: changes.get(name) for name in CUSTOMER_ITEMS if name in changes})
        items = {**filed, **given}
        items = {
            name: value for name, value in items.items() if getattr(version, CUSTOMER_ITEMS[name]) != value
        }
        if not items:
            raise ValidationFailed(
                "訂正後に変更する項目が残りません（全て現在の登録内容と同じです）。取消してください。",
                code="nothing_to_change",
            )
        if items == filed:
            raise switch_changes.nothing_to_change()
        payload = {**payload, "changes": items}
        message["changes"] = {CUSTOMER_ITEMS[name]: value for name, value in items.items()}
        desired = application.desired_date
    else:
        desired = application.desired_date
        if "desired_date" in changes:
            desired = _given_date(changes["desired_date"])
            require_future_date(desired)
        payload["desired_date"] = _desired(desired)
        if "current_limit_a" in changes:
            amperes = changes["current_limit_a"]
            _check_amperes(amperes, version)
            payload["current_limit_a"] = amperes
        if "removal" in changes:
            removal = bool(changes["removal"])
            if application.point_class in REMOVAL_ONLY_CLASSES and not removal:
                raise ValidationFailed(
                    "高圧の廃止は常に設備撤去ありのため、撤去の有無は訂正できません。",
                    code="removal_fixed",
                    field="removal",
                )
            payload["removal"] = removal
            kind = Kind.ABOLISH_WITH_REMOVAL if removal else Kind.ABOLISH
        filed = {key: value for key, value in application.payload.items() if key != updates.PENDING_KEY}
        if payload == filed:
            raise switch_changes.nothing_to_change()
        message.update(payload)
    corrected = {
        "payload": payload,
        "kind": kind,
        "desired_date": _desired(desired),
        "changes": sorted(changes),
    }
    return corrected, message


def correct_application(
    *,
    actor: User,
    reception_number: str,
    changes: dict[str, Any],
    line: str | None = None,
    business: Business | None = None,
) -> Application:
    """訂正: the filer changes its application under the same 受付番号 — a 廃止取次登録 before the
    current retailer's decision, a スイッチング開始申請 before matching (services/switch_changes.py);
    a 再点 (its desired date), 廃止 (desired date, removal — not for high voltage), アンペア変更
    (desired date, ampere) or 需要者情報変更 (its items) until the operator has taken it, through the
    operator (更新フラグ 2, services/updates.py). After that, a clear refusal. ``line`` and
    ``business``: the operation it is reached through (`_own`)."""
    application = _own(actor, reception_number, line, business)
    if application.kind in switches.SWITCH_KINDS:
        return switch_changes.correct(actor=actor, application=application, changes=changes)
    corrected, message = _corrected(actor, application, changes)
    return updates.send_update(
        actor=actor, application=application, act="correct", message=message, corrected=corrected
    )


def check_correction(
    *,
    actor: User,
    reception_number: str,
    changes: dict[str, Any],
    line: str | None = None,
    business: Business | None = None,
) -> None:
    """訂正 without writing: the refusals of `correct_application` as of now (its 確認 step)."""
    application = _own(actor, reception_number, line, business)
    if application.kind in switches.SWITCH_KINDS:
        switch_changes.check_correction(application=application, changes=changes)
        return
    _corrected(actor, application, changes)


def check_cancellation(
    *, actor: User, reception_number: str, line: str | None = None, business: Business | None = None
) -> Application:
    """取消 without writing: the refusals of `cancel_application` as of now (its 確認 step);
    returns the application."""
    application = _own(actor, reception_number, line, business)
    if application.kind in switches.SWITCH_KINDS:
        switch_changes.check_cancellation(application=application)
        return application
    refused = updates.refusal(application, "cancel")
    if refused is not None:
        raise refused
    return application


def cancel_application(
    *, actor: User, reception_number: str, line: str | None = None, business: Business | None = None
) -> Application:
    """取消: the filer withdraws its application under the same 受付番号 — a 廃止取次登録 (20)
    cancels the whole switch; a 05 or 03 is withdrawn and may be filed again (until matching); an
    application forwarded to the operator is withdrawn through the operator (更新フラグ 3) until the
    operator has taken it. ``line`` and ``business``: the operation it is reached through (`_own`)."""
    application = _own(actor, reception_number, line, business)
    if application.kind in switches.SWITCH_KINDS:
        return switch_changes.cancel(actor=actor, application=application)
    return updates.send_update(
        actor=actor, application=application, act="cancel", message=_operator_base(actor, application)
    )
