"""The switch (スイッチング) of a point and the rules of its states: the new retailer's 廃止取次登録
(SW-L06, SW-H04, SW-F04) that opens it, the current retailer's decision (SW-L10, SW-H08, SW-F08),
which acts each side may take next, and the deadline of an unmatched pair. One service per 業務 for
low-voltage, high-voltage (< 500 kW) and FIT-graduated points: the line reached and the point's class
decide what applies (services/lines.py). The 05 / 03 pair and its matching
are `switch_pairs`, 訂正 / 取消 until matching `switch_changes`.

Issue 7 and ADR 11:
- at most one switch in progress per supply point: refused with the number of the one in
  progress (409) — held by the partial unique constraint `switching_one_open_switch_per_point`,
  so two concurrent registrations cannot both pass;
- the hub checks a cancel-forward's point, the form of its items (each present where required,
  visible, within its length, in CP932; the kana in katakana, the phones as phone numbers) and
  that a switch may start — not whether the customer's identification matches: the current
  retailer sees it beside its registry entry, item by item (`compare_identification`), and decides
  (ADR 27; SWITCHING-REAL.md "The process");
- the current retailer's NG carries one or more of the fixed reasons (NgReason, up to all of them
  together) and free text, returned by name to the new retailer;
- once both 05 and 03 are in, the switch is matched and locked (訂正 / 取消 refused) and both are
  forwarded to the operator, which completes them on the switching date;
- a pair not complete by its deadline is rejected by the periodic job `expire_unmatched_switches`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record, record_many
from kouiki.core.calendar import today_jst
from kouiki.core.errors import (
    Conflict,
    InvalidTransition,
    KouikiError,
    NotFound,
    ValidationFailed,
    refuse_together,
)
from kouiki.core.events import Notice, publish_many
from kouiki.core.field_facts import FieldFacts, field_facts
from kouiki.core.japanese import (
    clean_text,
    is_visible,
    normalize_code,
    normalize_kana,
    normalize_phone,
    normalize_supply_point_number,
    too_long_message,
    validate_cp932,
    validate_kana,
    validate_phone,
)
from kouiki.identity.access import function, organization_of
from kouiki.switching.models import (
    LIVE_STATES,
    MAX_NG_REASONS,
    OPEN_SWITCH_STATES,
    UNMATCHED_SWITCH_STATES,
    Application,
    ContractState,
    Kind,
    NgReason,
    State,
    SupplyPoint,
    SupplyPointVersion,
    Switch,
    SwitchDecision,
    SwitchState,
)
from kouiki.switching.services import dates, lines
from kouiki.switching.services.dates import require_future_date
from kouiki.switching.services.filing import (
    STEP_DECIDED_NG,
    STEP_DECIDED_OK,
    STEP_DEFECTIVE,
    STEP_WAITING_DECISION,
    SYSTEM,
    application_notice,
    file_application,
    filing_detail,
    finish,
    new_application,
    ng_reason_names,
    publish_application,
    publish_switch,
    switch_notices,
)
from kouiki.switching.services.lines import LOW, Business
from kouiki.switching.services.numbering import (
    next_reception_numbers,
    next_switch_number,
    next_switch_numbers,
)
from kouiki.switching.services.points import (
    current_versions,
    number_refusal,
    point_for_number,
    point_not_found,
)

if TYPE_CHECKING:
    from kouiki.identity.models import User

logger = logging.getLogger(__name__)

SWITCH_KINDS = frozenset({Kind.CANCEL_FORWARD, Kind.SWITCH_START, Kind.SWITCH_ABOLISH})
# The customer identification of a cancel-forward: the switch's item → the registry field the current
# retailer compares it with (`compare_identification`).
IDENTIFICATION = {
    "customer_name": "customer_name",
    "customer_address": "customer_address",
    "contract_number": "retail_contract_number",
}
# What the new retailer sends with a 廃止取次登録, in the order of the screen: the identification, the
# customer's kana name and building (personal data, read as the identification is) and its own
# contact (business data: shown to both retailers, not recorded as a read of the customer's data).
CANCEL_FORWARD_ITEMS = (
    "customer_name",
    "customer_name_kana",
    "customer_address",
    "building_name",
    "contract_number",
    "new_contact_name",
    "new_contact_phone",
)
# What the current retailer sends with its decision besides it: its contact.
DECISION_CONTACT_ITEMS = ("current_contact_name", "current_contact_phone")
CONTACT_ITEMS = frozenset({"new_contact_name", "new_contact_phone", *DECISION_CONTACT_ITEMS})
REQUIRED_ITEMS = frozenset(IDENTIFICATION)
KANA_ITEMS = frozenset({"customer_name_kana"})
PHONE_ITEMS = frozenset({"new_contact_phone", "current_contact_phone"})
CODE_ITEMS = frozenset({"contract_number"})
# Their labels and the longest values kept, from the switch's fields (forms and API take them too).
ITEM_FACTS: dict[str, FieldFacts] = {
    name: field_facts(Switch, name) for name in (*CANCEL_FORWARD_ITEMS, *DECISION_CONTACT_ITEMS)
}
IDENTIFICATION_FACTS: dict[str, FieldFacts] = {name: ITEM_FACTS[name] for name in IDENTIFICATION}
NEW_CONTRACT_NUMBER = FieldFacts(
    label="新しい小売供給契約番号",
    max_length=field_facts(SupplyPointVersion, "retail_contract_number").max_length,
)
NG_TEXT = field_facts(Switch, "ng_text")
CLOSE_DETAIL = field_facts(Switch, "close_detail")
DEADLINE_PASSED = "pair_deadline_passed"
_HYPHENS = str.maketrans({c: "-" for c in "‐‑‒–—―−－ｰー"})


class SwitchInProgress(Conflict):
    """409: the point already has a switch in progress; `switch_number` names it."""

    code = "switch_in_progress"

    def __init__(self, switch_number: str) -> None:
        self.switch_number = switch_number
        super().__init__(
            f"この供給地点は既にスイッチング手続中です（廃止取次番号 {switch_number}）。"
            "手続が終わるまで新たな廃止取次は登録できません。",
            field="supply_point_number",
        )


def _comparable(value: str) -> str:
    """Identification compared as people write it: width, spaces, invisible characters and hyphen
    forms do not count."""
    return "".join(clean_text(value).translate(_HYPHENS).split())


def clean_item(name: str, value: object) -> str:
    """One item of a cancel-forward or a decision as kept: cleaned (core.japanese.clean_text); the
    kana in full-width katakana, a phone and a contract number in half-width (core.japanese)."""
    text = clean_text(str(value or ""))
    if name in KANA_ITEMS:
        return normalize_kana(text)
    if name in PHONE_ITEMS:
        return normalize_phone(text)
    if name in CODE_ITEMS:
        return normalize_code(text)
    return text


def _item_refusal(name: str, value: str) -> tuple[str, str] | None:
    """(code, Japanese message) of what is wrong with one cleaned item; None when it is fine. An
    optional item left blank is fine; a required one must show something."""
    facts = ITEM_FACTS[name]
    label, limit = facts.label, facts.limit
    if not value:
        if name in REQUIRED_ITEMS:
            return (
                "not_visible",
                f"{label}を入力してください（空白や表示されない文字だけでは登録できません）。",
            )
        return None
    if not is_visible(value):
        return (
            "not_visible",
            f"{label}に表示される文字がありません（空白や表示されない文字だけでは登録できません）。",
        )
    if len(value) > limit:
        return "too_long", f"{label}は{too_long_message(limit, len(value))}"
    checks: list[tuple[str, Any]] = [("cp932", validate_cp932)]
    if name in KANA_ITEMS:
        checks.append(("kana", validate_kana))
    if name in PHONE_ITEMS:
        checks.append(("phone_format", validate_phone))
    for code, check in checks:
        try:
            check(value)
        except ValidationError as error:
            return code, f"{label}: {error.messages[0]}"
    return None


def check_items(values: dict[str, str]) -> None:
    """The form of the items given (cleaned, `clean_item`), every refusal at once, per field. The
    hub checks the form only: whether the identification is the customer's is the current
    retailer's decision (`compare_identification`)."""
    errors: dict[str, list[str]] = {}
    first_code = ""
    for name, value in values.items():
        refusal = _item_refusal(name, value)
        if refusal is not None:
            first_code = first_code or refusal[0]
            errors[name] = [refusal[1]]
    if errors:
        labels = "・".join(ITEM_FACTS[name].label for name in errors)
        raise ValidationFailed(f"入力内容を確認してください（{labels}）。", code=first_code, errors=errors)


def cancel_forward_items(given: dict[str, Any]) -> dict[str, str]:
    """The items of a cancel-forward as kept, each cleaned (`clean_item`); an item not given is blank."""
    return {name: clean_item(name, given.get(name)) for name in CANCEL_FORWARD_ITEMS}


@dataclass(frozen=True)
class ItemComparison:
    """One item of the identification as the new retailer sent it beside the registry's entry."""

    name: str
    label: str
    sent: str
    registered: str
    matches: bool


def compare_identification(switch: Switch, version: SupplyPointVersion) -> list[ItemComparison]:
    """The identification the new retailer sent beside what the registry holds for the point, item
    by item, with whether they match as people write them (width, spaces and hyphen forms do not
    count). The address matches also when the address followed by the building name does (the
    registry keeps one address). For the current retailer's decision only: the registry's side is
    the customer's personal data (the caller checks the reader and records the read)."""
    compared: list[ItemComparison] = []
    for name, registry_field in IDENTIFICATION.items():
        sent, registered = getattr(switch, name), getattr(version, registry_field)
        matches = _comparable(sent) == _comparable(registered)
        if name == "customer_address" and not matches and switch.building_name:
            matches = _comparable(f"{sent}{switch.building_name}") == _comparable(registered)
        compared.append(
            ItemComparison(
                name=name,
                label=IDENTIFICATION_FACTS[name].label,
                sent=sent,
                registered=registered,
                matches=matches,
            )
        )
    return compared


def _switchable(actor: User, version: SupplyPointVersion, noun: str) -> None:
    if version.contract_state != ContractState.IN_SERVICE:
        raise ValidationFailed(
            f"スイッチングは送電中の{noun}のみ申し込めます（この{noun}は{version.get_contract_state_display()}）。",
            code="point_not_in_service",
            field="supply_point_number",
        )
    if version.retailer_id is None:
        raise ValidationFailed(
            f"小売電気事業者との契約がない{noun}です。再点を申し込んでください。",
            code="no_current_retailer",
            field="supply_point_number",
        )
    if version.retailer_id == organization_of(actor):
        raise ValidationFailed(
            f"貴社が現在の小売電気事業者である{noun}です。",
            code="already_current_retailer",
            field="supply_point_number",
        )


def check_desired_date(desired_date: date | None, point: SupplyPoint, meter_work: bool) -> None:
    """Not before the operator's lead time from today, not beyond the horizon (one year ahead)."""
    require_future_date(desired_date)
    if desired_date is None:
        return
    earliest = dates.earliest_date(
        filed_on=today_jst(), area=point.area, point_class=point.point_class, meter_work=meter_work
    )
    if desired_date < earliest:
        raise ValidationFailed(
            f"希望日は一般送配電事業者の標準処理期間により {earliest:%Y/%m/%d} 以降を指定してください。",
            code="desired_date_too_early",
            field="desired_date",
        )


def estimated_switching_date(switch: Switch, version: SupplyPointVersion) -> date:
    """The switch's switching date as of today: its desired date, or the operator's earliest on the
    point's reading day (dates.switching_date)."""
    point = switch.supply_point
    return dates.switching_date(
        filed_on=today_jst(),
        area=point.area,
        point_class=point.point_class,
        meter_work=switch.meter_work,
        reading_code=version.reading_day,
        desired_date=switch.desired_date,
    )


def plan(
    switch: Switch, version: SupplyPointVersion, desired_date: date | None, *, registered_on: date
) -> None:
    """Set the switch's desired date, its switching date estimated as of today, and its deadline
    counted from ``registered_on`` — the day of the registration, also when a 訂正 recomputes it
    (a correction does not buy the pair more time)."""
    point = switch.supply_point
    switch.desired_date = desired_date
    switch.switching_date, switch.deadline = planned(
        area=point.area,
        point_class=point.point_class,
        meter_work=switch.meter_work,
        reading_code=version.reading_day,
        desired_date=desired_date,
        registered_on=registered_on,
    )


def planned(
    *,
    area: str,
    point_class: str,
    meter_work: bool,
    reading_code: str,
    desired_date: date | None,
    registered_on: date,
) -> tuple[date, datetime]:
    """(the switching date as of today, the pair's deadline) of a switch registered on
    ``registered_on`` (`plan`); the same for every switch of the same arguments, which a bulk file's
    batch computes once."""
    switching = dates.switching_date(
        filed_on=today_jst(),
        area=area,
        point_class=point_class,
        meter_work=meter_work,
        reading_code=reading_code,
        desired_date=desired_date,
    )
    deadline = dates.pair_deadline(
        registered_on=registered_on,
        area=area,
        point_class=point_class,
        meter_work=meter_work,
        desired_date=desired_date,
    )
    return switching, deadline


def _open_switch_number(point: SupplyPoint) -> str:
    return (
        Switch.objects.filter(supply_point=point, state__in=OPEN_SWITCH_STATES)
        .values_list("number", flat=True)
        .first()
        or ""
    )


# --- SW-L06 廃止取次登録 (new retailer) -----------------------------------------------------------------


class CancelForwardCheck(NamedTuple):
    """What `check_cancel_forward` found, for the registration to write."""

    point: SupplyPoint
    version: SupplyPointVersion
    items: dict[str, str]
    meter_work: bool


@function(*lines.functions_of(Business.CANCEL_FORWARD))
def check_cancel_forward(
    *,
    actor: User,
    supply_point_number: str,
    customer_name: str,
    customer_address: str,
    contract_number: str,
    customer_name_kana: str = "",
    building_name: str = "",
    new_contact_name: str = "",
    new_contact_phone: str = "",
    desired_date: date | None = None,
    line: str = LOW,
) -> CancelForwardCheck:
    """廃止取次登録 without writing: every refusal of `register_cancel_forward`, which calls it; the
    screen's 確認 step asks it too. The items and the desired date are refused together."""
    reached = lines.enter(actor, line, Business.CANCEL_FORWARD)
    point, version = point_for_number(supply_point_number, noun=reached.point_label)
    return judge_cancel_forward(
        actor=actor,
        reached=reached,
        version=version,
        given={
            "customer_name": customer_name,
            "customer_name_kana": customer_name_kana,
            "customer_address": customer_address,
            "building_name": building_name,
            "contract_number": contract_number,
            "new_contact_name": new_contact_name,
            "new_contact_phone": new_contact_phone,
        },
        desired_date=desired_date,
        in_progress=lambda: _open_switch_number(point),
    )


def judge_cancel_forward(
    *,
    actor: User,
    reached: lines.Line,
    version: SupplyPointVersion,
    given: dict[str, Any],
    desired_date: date | None,
    in_progress: Callable[[], str | None],
) -> CancelForwardCheck:
    """The rules of a 廃止取次登録 of the point whose current data is ``version``, in the order the
    user is told: the line's class, a switchable point, the items and the desired date together,
    no switch in progress (``in_progress``: the 廃止取次番号 of the point's open switch, or ""). One
    registration (`check_cancel_forward`) and a bulk file's batch (`check_cancel_forwards`) both
    judge by it."""
    point = version.supply_point
    lines.require_class(reached, Business.CANCEL_FORWARD, point)
    _switchable(actor, version, reached.point_label)
    items = cancel_forward_items(given)
    meter_work = not bool((version.meter or {}).get("smart_meter"))
    refuse_together(
        lambda: check_items(items),
        lambda: check_desired_date(desired_date, point, meter_work),
    )
    open_number = in_progress()
    if open_number:
        raise SwitchInProgress(open_number)
    return CancelForwardCheck(point, version, items, meter_work)


@function(*lines.functions_of(Business.CANCEL_FORWARD))
def register_cancel_forward(
    *,
    actor: User,
    supply_point_number: str,
    customer_name: str,
    customer_address: str,
    contract_number: str,
    customer_name_kana: str = "",
    building_name: str = "",
    new_contact_name: str = "",
    new_contact_phone: str = "",
    desired_date: date | None = None,
    line: str = LOW,
) -> Application:
    """スイッチング廃止取次登録 (SW-L06, SW-H04, SW-F04): the new retailer asks, on the customer's
    behalf, the current retailer to end its contract, sending the customer's identification (name,
    its kana, address, building, the current retailer's contract number) and its own contact.
    Returns the application (its `reception_number`; `switch.number` is the 廃止取次番号).

    Refused (`check_cancel_forward`): a malformed number (422), an unknown point (404), a point of
    a class the line does not switch (422, naming the function that does), a point not in service
    or without a retailer or already the actor's (422), an item missing, blank, too long, outside
    CP932 or of the wrong form (422, naming each field), a desired date before the operator's lead
    time or more than a year ahead (422), a point already switching (409 `SwitchInProgress`,
    naming the 廃止取次番号). Identification that differs from the registry is not refused: the
    current retailer sees the difference and decides."""
    point, version, items, meter_work = check_cancel_forward(
        actor=actor,
        supply_point_number=supply_point_number,
        customer_name=customer_name,
        customer_address=customer_address,
        contract_number=contract_number,
        customer_name_kana=customer_name_kana,
        building_name=building_name,
        new_contact_name=new_contact_name,
        new_contact_phone=new_contact_phone,
        desired_date=desired_date,
        line=line,
    )
    switch = _new_switch(actor, CancelForwardCheck(point, version, items, meter_work))
    plan(switch, version, desired_date, registered_on=today_jst())
    with transaction.atomic():
        try:
            with transaction.atomic():
                switch.number = next_switch_number()
                switch.save(force_insert=True)
        except IntegrityError:
            # A concurrent registration for the same point won: the constraint decided.
            in_progress = _open_switch_number(point)
            if not in_progress:
                raise
            raise SwitchInProgress(in_progress) from None
        application = file_application(
            actor=actor,
            kind=Kind.CANCEL_FORWARD,
            point=point,
            switch=switch,
            operator_step=STEP_WAITING_DECISION,
            desired_date=desired_date,
            switching_date=switch.switching_date,
            payload=_cancel_forward_payload(switch, items, desired_date),
            audit_also=[(Action.SWITCHING_SWITCH_REGISTER, switch, None)],
        )
        publish_application(application)
        publish_switch(switch)
    return application


def _new_switch(actor: User, check: CancelForwardCheck) -> Switch:
    """The switch a 廃止取次登録 opens, unsaved and not yet planned (`plan`)."""
    now = timezone.now()
    point = check.point
    return Switch(
        supply_point=point,
        voltage=point.voltage,
        point_class=point.point_class,
        area=point.area,
        new_retailer_id=organization_of(actor),
        current_retailer_id=cast(int, check.version.retailer_id),  # _switchable: it has a retailer
        meter_work=check.meter_work,
        created_at=now,
        updated_at=now,
        **check.items,
    )


def _cancel_forward_payload(
    switch: Switch, items: dict[str, str], desired_date: date | None
) -> dict[str, Any]:
    return {
        "switch_number": switch.number,
        **items,
        "desired_date": desired_date.isoformat() if desired_date else None,
    }


# --- a bulk file's batch of 廃止取次登録 (SW-W02, SW-W08, SW-W15) ----------------------------------------


class CancelForwardRow(NamedTuple):
    """One 廃止取次登録 of a batch: the fields `register_cancel_forward` takes, as given."""

    supply_point_number: str
    given: dict[str, Any]  # the items (CANCEL_FORWARD_ITEMS), as given
    desired_date: date | None


def _open_switch_numbers(point_ids: Sequence[int]) -> dict[int, str]:
    """The 廃止取次番号 of the open switch of each point that has one, in one query."""
    if not point_ids:
        return {}
    return dict(
        Switch.objects.filter(supply_point_id__in=point_ids, state__in=OPEN_SWITCH_STATES).values_list(
            "supply_point_id", "number"
        )
    )


def check_cancel_forwards(
    *, actor: User, line: str, rows: Sequence[CancelForwardRow]
) -> list[CancelForwardCheck | KouikiError]:
    """`check_cancel_forward` for a batch, with the points, their current data and their open
    switches read in one query each: each row's check, or its refusal. The actor's right to the
    line's function is checked once (refused: raised, for every row)."""
    reached = lines.enter(actor, line, Business.CANCEL_FORWARD)
    return _judge_rows(actor, reached, rows, versions=None)


def _judge_rows(
    actor: User,
    reached: lines.Line,
    rows: Sequence[CancelForwardRow],
    versions: dict[str, SupplyPointVersion] | None,
) -> list[CancelForwardCheck | KouikiError]:
    noun = reached.point_label
    numbers: list[str | None] = []
    results: list[CancelForwardCheck | KouikiError | None] = []
    for row in rows:
        refusal = number_refusal(row.supply_point_number)
        numbers.append(None if refusal else normalize_supply_point_number(row.supply_point_number))
        results.append(refusal)
    if versions is None:
        versions = current_versions(number for number in numbers if number)
    open_numbers = _open_switch_numbers([version.supply_point_id for version in versions.values()])
    for index, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        if number is None:
            continue
        version = versions.get(number)
        if version is None:
            results[index] = point_not_found(noun=noun)
            continue
        try:
            results[index] = judge_cancel_forward(
                actor=actor,
                reached=reached,
                version=version,
                given=row.given,
                desired_date=row.desired_date,
                in_progress=functools.partial(open_numbers.get, version.supply_point_id, ""),
            )
        except KouikiError as refusal:
            results[index] = refusal
    return [cast(CancelForwardCheck | KouikiError, result) for result in results]


def register_cancel_forwards(
    *, actor: User, line: str, rows: Sequence[CancelForwardRow]
) -> list[Application | KouikiError]:
    """`register_cancel_forward` for a batch, in the caller's transaction: the rows' points locked,
    every rule judged again on their data as now committed (a row refused since it was validated —
    another filing for its point — gets its refusal, the others go on), then the switches, the
    applications, their audit rows and events written as one registration writes them, in one
    insert each, numbered in one call each."""
    reached = lines.enter(actor, line, Business.CANCEL_FORWARD)
    with transaction.atomic():
        numbers = {
            normalize_supply_point_number(row.supply_point_number)
            for row in rows
            if number_refusal(row.supply_point_number) is None
        }
        # The points in one order (their number), so that two batches never wait for each other
        # crosswise; then their data as now committed.
        list(
            SupplyPoint.objects.select_for_update()
            .filter(number__in=sorted(numbers))
            .order_by("number")
            .values_list("pk", flat=True)
        )
        judged = _judge_rows(actor, reached, rows, versions=current_versions(numbers))
        good = [index for index, result in enumerate(judged) if isinstance(result, CancelForwardCheck)]
        # The refused rows keep their refusal; a good one gets its application below.
        results = cast(list[Application | KouikiError], list(judged))
        if not good:
            return results
        registered_on = today_jst()
        plans = functools.cache(planned)
        switches: dict[int, Switch] = {}
        for index, switch_number in zip(good, next_switch_numbers(len(good)), strict=True):
            check = cast(CancelForwardCheck, judged[index])
            switch = _new_switch(actor, check)
            switch.number = switch_number
            switch.desired_date = rows[index].desired_date
            switch.switching_date, switch.deadline = plans(
                area=check.point.area,
                point_class=check.point.point_class,
                meter_work=check.meter_work,
                reading_code=check.version.reading_day,
                desired_date=switch.desired_date,
                registered_on=registered_on,
            )
            switches[index] = switch
        _insert_switches(switches, results)
        filed = [index for index in good if index in switches]
        applications: dict[int, Application] = {}
        for index, reception_number in zip(filed, next_reception_numbers(len(filed)), strict=True):
            check, switch = cast(CancelForwardCheck, judged[index]), switches[index]
            applications[index] = new_application(
                actor=actor,
                reception_number=reception_number,
                kind=Kind.CANCEL_FORWARD,
                point=check.point,
                switch=switch,
                operator_step=STEP_WAITING_DECISION,
                desired_date=switch.desired_date,
                switching_date=switch.switching_date,
                payload=_cancel_forward_payload(switch, check.items, switch.desired_date),
            )
        Application.objects.bulk_create(applications.values())
        entries: list[tuple[Action, Model, dict[str, Any] | None]] = []
        notices: list[Notice] = []
        for index, application in applications.items():
            entries.append((Action.SWITCHING_APPLICATION_FILE, application, filing_detail(application)))
            entries.append((Action.SWITCHING_SWITCH_REGISTER, switches[index], None))
            notices.append(application_notice(application))
            notices.extend(switch_notices(switches[index]))
            results[index] = application
        record_many(actor=actor, entries=entries, system=SYSTEM)
        publish_many(notices)
    return results


def _insert_switches(switches: dict[int, Switch], results: list[Application | KouikiError]) -> None:
    """Insert the batch's switches at once; when a concurrent registration opened a switch for one
    of the points since they were judged (the one-open-switch constraint refuses the insert), one by
    one, each refused row dropped from ``switches`` with its SwitchInProgress in ``results``."""
    try:
        with transaction.atomic():
            Switch.objects.bulk_create(switches.values())
        return
    except IntegrityError:
        pass
    for index, switch in list(switches.items()):
        try:
            with transaction.atomic():
                switch.pk = None
                switch.save(force_insert=True)
        except IntegrityError:
            in_progress = _open_switch_number(switch.supply_point)
            if not in_progress:
                raise
            results[index] = SwitchInProgress(in_progress)
            del switches[index]


# --- SW-L10 廃止取次判断 (current retailer) --------------------------------------------------------------


def locked_switch(
    *, actor: User, switch_number: str, side: str, reached: tuple[lines.Line, Business] | None = None
) -> Switch:
    """The switch, locked for this transaction, if the actor's organization is its ``side``
    ("new" or "current") retailer; anyone else gets NotFound."""
    return party_switch(actor=actor, switch_number=switch_number, side=side, lock=True, reached=reached)


def party_switch(
    *,
    actor: User,
    switch_number: str,
    side: str,
    lock: bool = False,
    reached: tuple[lines.Line, Business] | None = None,
) -> Switch:
    """The switch if the actor's organization is its ``side`` retailer (NotFound otherwise); with
    ``lock``, locked for this transaction. With ``reached`` (the line and the business done), a
    switch of a class the line does not switch is refused naming the function that does."""
    # The retailers come along for the answer (switch_summary) but are not locked: only the switch
    # and its point are.
    found = Switch.objects.select_for_update(of=("self", "supply_point")) if lock else Switch.objects.all()
    switch = (
        found.select_related("supply_point", "new_retailer", "current_retailer")
        .filter(_party(actor, side), number=(switch_number or "").strip())
        .first()
    )
    if switch is None:
        raise switch_not_found()
    if reached is not None:
        lines.require_class(*reached, switch.point_class)
    return switch


def _party(actor: User, side: str) -> Q:
    organization_id = organization_of(actor)
    return Q(new_retailer_id=organization_id) if side == "new" else Q(current_retailer_id=organization_id)


def switch_not_found() -> NotFound:
    return NotFound(
        "指定された廃止取次番号の案件はありません。", code="switch_not_found", field="switch_number"
    )


def party_switches(*, actor: User, numbers: Iterable[str], side: str) -> dict[str, Switch]:
    """`party_switch` for a batch (a bulk file's), without a lock: the switches of ``numbers`` whose
    ``side`` retailer is the actor's organization, by number, in one query."""
    wanted = sorted({(number or "").strip() for number in numbers} - {""})
    if not wanted:
        return {}
    found = Switch.objects.select_related("supply_point", "new_retailer", "current_retailer").filter(
        _party(actor, side), number__in=wanted
    )
    return {switch.number: switch for switch in found}


def live_applications(switches: Iterable[Switch], kind: str) -> dict[int, Application]:
    """`live_application` of each switch (by its pk), in one query."""
    ids = [switch.pk for switch in switches]
    if not ids:
        return {}
    found = Application.objects.filter(switch_id__in=ids, kind=kind, state__in=LIVE_STATES)
    return {cast(int, application.switch_id): application for application in found}


def live_application(switch: Switch, kind: str) -> Application | None:
    return switch.applications.filter(kind=kind, state__in=LIVE_STATES).first()


def save_switch(switch: Switch, *fields: str) -> None:
    switch.updated_at = timezone.now()
    switch.save(update_fields=[*fields, "updated_at"])


def deadline_refusal(switch: Switch) -> KouikiError | None:
    if timezone.now() >= switch.deadline:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は突合期限（{switch.deadline:%Y/%m/%d %H:%M}）を過ぎています。",
            code=DEADLINE_PASSED,
        )
    return None


def decision_refusal(switch: Switch) -> KouikiError | None:
    """Why the current retailer may not decide the switch now; None when it may (SW-L10): only
    while the switch waits for it, and before its deadline."""
    if switch.state != SwitchState.REQUESTED:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は「{switch.get_state_display()}」のため、判断できません。",
            code="switch_not_requested",
        )
    return deadline_refusal(switch)


def refuse(refusal: KouikiError | None) -> None:
    if refusal is not None:
        raise refusal


class DecisionInput(NamedTuple):
    """A decision as `_decision_input` read it: the NG reasons in code order (none with OK), the
    text, and the current retailer's contact items, cleaned."""

    reasons: list[str]
    text: str
    contact: dict[str, str]


def _ng_reasons(ng_reasons: Sequence[str], ng_reason: str) -> tuple[list[str], list[str]]:
    """(the reasons given in code order, each once; the codes that are none of NgReason)."""
    given = {normalize_code(str(code)) for code in (*ng_reasons, ng_reason) if str(code or "").strip()}
    unknown = sorted(code for code in given if code not in NgReason.values)
    return [code for code in NgReason.values if code in given], unknown


def _decision_input(
    decision: str, ng_reasons: Sequence[str], ng_reason: str, ng_text: str, contact: dict[str, str]
) -> DecisionInput:
    """The decision as given, or every refusal of its form at once: OK / NG; with NG at least one
    of the fixed reasons (each a code of NgReason, up to all of them) and the text; the contact's
    items as a registration's (`check_items`)."""
    if decision not in SwitchDecision.values:
        raise ValidationFailed(
            "取次判断（OK / NG）を選択してください。", code="decision_required", field="decision"
        )
    contact = {name: clean_item(name, contact.get(name)) for name in DECISION_CONTACT_ITEMS}
    text = (ng_text or "").strip()
    if decision == SwitchDecision.OK:
        check_items(contact)
        return DecisionInput(reasons=[], text="", contact=contact)
    reasons, unknown = _ng_reasons(ng_reasons, ng_reason)
    errors: dict[str, list[str]] = {}
    code = "ng_reason_required"
    if unknown:
        code = "ng_reason_unknown"
        errors["ng_reasons"] = [
            f"NG理由コード {'、'.join(unknown)} はありません。"
            f"{'・'.join(NgReason.values)} から選択してください。"
        ]
    elif not reasons:
        errors["ng_reasons"] = ["NG理由を1つ以上選択してください。"]
    elif len(reasons) > MAX_NG_REASONS:
        errors["ng_reasons"] = [f"NG理由は{MAX_NG_REASONS}件まで選択できます。"]
    if not text:
        errors["ng_text"] = ["NG理由の詳細を入力してください。"]
    elif len(text) > NG_TEXT.limit:
        errors["ng_text"] = [f"NG理由の詳細は{too_long_message(NG_TEXT.limit, len(text))}"]
    else:
        try:
            validate_cp932(text)
        except ValidationError as error:
            errors["ng_text"] = [f"NG理由の詳細: {error.messages[0]}"]
    try:
        check_items(contact)
    except ValidationFailed as refused:
        errors.update(refused.errors)
    if errors:
        raise ValidationFailed("NG理由を入力してください。", code=code, errors=errors)
    return DecisionInput(reasons=reasons, text=text, contact=contact)


@function(*lines.functions_of(Business.DECISION))
def check_decision(
    *,
    actor: User,
    switch_number: str,
    decision: str,
    ng_reasons: Sequence[str] = (),
    ng_reason: str = "",
    ng_text: str = "",
    current_contact_name: str = "",
    current_contact_phone: str = "",
    line: str = LOW,
) -> None:
    """廃止取次判断 without writing: the refusals of `decide_cancel_forward` as of now (its 確認 step)."""
    reached = lines.enter(actor, line, Business.DECISION)
    _decision_input(
        decision,
        ng_reasons,
        ng_reason,
        ng_text,
        {"current_contact_name": current_contact_name, "current_contact_phone": current_contact_phone},
    )
    refuse(
        decision_refusal(
            party_switch(
                actor=actor, switch_number=switch_number, side="current", reached=(reached, Business.DECISION)
            )
        )
    )


class DecisionRow(NamedTuple):
    """One 廃止取次判断 of a batch: the fields `decide_cancel_forward` takes, as given."""

    switch_number: str
    decision: str
    ng_reasons: Sequence[str] = ()
    ng_text: str = ""
    current_contact_name: str = ""
    current_contact_phone: str = ""


@function(*lines.functions_of(Business.DECISION))
def check_decisions(*, actor: User, line: str, rows: Sequence[DecisionRow]) -> list[KouikiError | None]:
    """`check_decision` for a batch (a bulk file's), the switches read in one query: each row's
    refusal, or None."""
    reached = lines.enter(actor, line, Business.DECISION)
    found = party_switches(actor=actor, numbers=[row.switch_number for row in rows], side="current")
    results: list[KouikiError | None] = []
    for row in rows:
        try:
            _decision_input(
                row.decision,
                row.ng_reasons,
                "",
                row.ng_text,
                {
                    "current_contact_name": row.current_contact_name,
                    "current_contact_phone": row.current_contact_phone,
                },
            )
            switch = found.get((row.switch_number or "").strip())
            if switch is None:
                raise switch_not_found()
            lines.require_class(reached, Business.DECISION, switch.point_class)
            refuse(decision_refusal(switch))
        except KouikiError as refusal:
            results.append(refusal)
        else:
            results.append(None)
    return results


@function(*lines.functions_of(Business.DECISION))
def decide_cancel_forward(
    *,
    actor: User,
    switch_number: str,
    decision: str,
    ng_reasons: Sequence[str] = (),
    ng_reason: str = "",
    ng_text: str = "",
    current_contact_name: str = "",
    current_contact_phone: str = "",
    line: str = LOW,
) -> Switch:
    """スイッチング廃止取次判断 (SW-L10, SW-H08, SW-F08): the current retailer, having compared the
    identification with its records, answers OK, or NG with one or more of the fixed reasons
    (NgReason, `ng_reasons`; `ng_reason`, one code as clients before them gave it, joins them) and
    free text; with its contact. Only once, and only while the switch waits for it."""
    reached = lines.enter(actor, line, Business.DECISION)
    given = _decision_input(
        decision,
        ng_reasons,
        ng_reason,
        ng_text,
        {"current_contact_name": current_contact_name, "current_contact_phone": current_contact_phone},
    )
    with transaction.atomic():
        switch = locked_switch(
            actor=actor, switch_number=switch_number, side="current", reached=(reached, Business.DECISION)
        )
        refuse(decision_refusal(switch))
        now = timezone.now()
        switch.decision = decision
        switch.decided_at = now
        switch.decided_by = actor
        for name, value in given.contact.items():
            setattr(switch, name, value)
        request = live_application(switch, Kind.CANCEL_FORWARD)
        if decision == SwitchDecision.OK:
            switch.state = SwitchState.APPROVED
            if request is not None:
                finish(request, state=State.COMPLETED, step=STEP_DECIDED_OK, publish=False)
        else:
            switch.state = SwitchState.REJECTED
            switch.ng_reasons = given.reasons
            switch.ng_reason = given.reasons[0]
            switch.ng_text = given.text
            switch.closed_at = now
            switch.close_code = "cancel_forward_ng"
            names = "、".join(reason["name"] for reason in ng_reason_names(switch))
            switch.close_detail = f"{names}: {switch.ng_text}"[: CLOSE_DETAIL.limit]
            if request is not None:
                finish(
                    request,
                    state=State.DEFECTIVE,
                    step=STEP_DECIDED_NG,
                    error_code="cancel_forward_ng",
                    error_detail=switch.close_detail,
                    publish=False,
                )
        save_switch(
            switch,
            "state",
            "decision",
            "decided_at",
            "decided_by",
            "ng_reason",
            "ng_reasons",
            "ng_text",
            *DECISION_CONTACT_ITEMS,
            "closed_at",
            "close_code",
            "close_detail",
        )
        record(
            actor=actor,
            action=Action.SWITCHING_SWITCH_DECIDE,
            obj=switch,
            system=SYSTEM,
            detail={"decision": decision, "ng_reasons": given.reasons},
        )
        if request is not None:
            publish_application(request)
        publish_switch(switch)
    return switch


# --- SW-L08 開始申請 (new retailer), SW-L11 廃止申請 (current retailer), matching -----------------------


def pair_refusal(
    switch: Switch,
    kind: str,
    live: Callable[[Switch, str], Application | None] = live_application,
) -> KouikiError | None:
    """Why the 05 or 03 (`kind`) may not be filed for the switch now; None when it may (SW-L08,
    SW-L11): only after the current retailer's OK, before the deadline, and once (``live``: the
    switch's live application of the kind; a batch passes what it read at once)."""
    if switch.state == SwitchState.REQUESTED:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は現小売の取次判断待ちです。OKの判断の後に申請してください。",
            code="switch_not_approved",
        )
    if switch.state != SwitchState.APPROVED:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は「{switch.get_state_display()}」のため、申請できません。",
            code="switch_not_approved",
        )
    deadline = deadline_refusal(switch)
    if deadline is not None:
        return deadline
    existing = live(switch, kind)
    if existing is not None:
        return Conflict(
            f"この案件の{Kind(kind).label}申請は受付済みです（受付番号 {existing.reception_number}）。",
            code="already_filed",
        )
    return None


def allowed_acts(*, actor: User, switch: Switch) -> frozenset[str]:
    """What the actor's organization may do next on the switch: "decide" (SW-L10) and "abolish"
    (SW-L11) as its current retailer, "start" (SW-L08) as its new one. The same rules the acts
    enforce (`decision_refusal`, `pair_refusal`); the actor's rights are the access layer's."""
    organization_id = organization_of(actor)
    acts: set[str] = set()
    if switch.current_retailer_id == organization_id:
        if decision_refusal(switch) is None:
            acts.add("decide")
        if pair_refusal(switch, Kind.SWITCH_ABOLISH) is None:
            acts.add("abolish")
    if switch.new_retailer_id == organization_id and pair_refusal(switch, Kind.SWITCH_START) is None:
        acts.add("start")
    return frozenset(acts)


# --- the deadline of an unmatched pair (periodic) --------------------------------------------------------


def expire_unmatched_switches(*, now: datetime | None = None) -> list[str]:
    """Reject every switch still waiting for its decision or its 05 / 03 past its deadline: the
    switch and its waiting applications become 不備 with the reason. Returns the 廃止取次番号."""
    now = now or timezone.now()
    expired: list[str] = []
    candidates = Switch.objects.filter(state__in=UNMATCHED_SWITCH_STATES, deadline__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(candidates[:1000]):
        with transaction.atomic():
            switch = (
                Switch.objects.select_for_update()
                .select_related("supply_point")
                .filter(pk=pk, state__in=UNMATCHED_SWITCH_STATES, deadline__lte=now)
                .first()
            )
            if switch is None:
                continue
            deadline = timezone.localtime(switch.deadline)
            if switch.state == SwitchState.REQUESTED:
                detail = (
                    f"期限（{deadline:%Y/%m/%d %H:%M}）までに現小売の取次判断がなかったため、不備としました。"
                )
            else:
                detail = (
                    f"期限（{deadline:%Y/%m/%d %H:%M}）までにスイッチング開始申請と廃止申請が"
                    "揃わなかったため、不備としました。"
                )
            waiting = list(switch.applications.select_for_update().filter(state=State.RECEIVED))
            switch.state = SwitchState.FAILED
            switch.closed_at = now
            switch.close_code = DEADLINE_PASSED
            switch.close_detail = detail
            save_switch(switch, "state", "closed_at", "close_code", "close_detail")
            for application in waiting:
                finish(
                    application,
                    state=State.DEFECTIVE,
                    step=STEP_DEFECTIVE,
                    error_code=DEADLINE_PASSED,
                    error_detail=detail,
                )
            record(
                actor=None,
                action=Action.SWITCHING_SWITCH_EXPIRE,
                obj=switch,
                organization=None,
                system=SYSTEM,
                detail={"deadline": switch.deadline.isoformat()},
            )
            publish_switch(switch)
            expired.append(switch.number)
    if expired:
        logger.info("Switches past their deadline rejected: %s", ", ".join(expired))
    return expired
