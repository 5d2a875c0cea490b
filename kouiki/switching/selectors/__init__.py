"""Reads of the switching hub.

The registry (`current`, `as_of`, `history`) is read by number, unscoped: the hub and the
operators' side use it. Everything a participant reads goes through a selector that takes the
actor and scopes to its organization: another organization's application or switch is NotFound,
never a 403 that would confirm it exists. A read that shows a customer's personal data names its
purpose and is recorded (SW-P1; services/personal_data.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from kouiki.core.calendar import on_days
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.core.field_facts import field_facts
from kouiki.core.japanese import normalize_code, normalize_supply_point_number
from kouiki.identity.access import (
    acting_for,
    function,
    organization_of,
    require_function,
    require_staff,
    usable,
)
from kouiki.identity.selectors import active_system_users
from kouiki.switching.models import (
    Application,
    Kind,
    PersonalDataAccess,
    Purpose,
    State,
    SupplyPoint,
    SupplyPointVersion,
    Switch,
    SwitchState,
    UsageDocument,
)
from kouiki.switching.services import lines
from kouiki.switching.services.filing import SYSTEM
from kouiki.switching.services.lines import LOW, Business
from kouiki.switching.services.personal_data import (
    BASIC,
    POINT,
    USAGE,
    check_purpose,
    lawful_role,
    record_access,
    without_basic_info,
)
from kouiki.switching.services.switches import CONTACT_ITEMS, ItemComparison, compare_identification

if TYPE_CHECKING:
    from kouiki.identity.models import User

MAX_STATUS_NUMBERS = 1000  # SW-L15: up to 1,000 受付番号 per call
# For other apps' filters (they do not import this app's models).
KIND_CHOICES = Kind.choices
STATE_CHOICES = State.choices
SWITCH_STATE_CHOICES = SwitchState.choices
POINT_NUMBER_LENGTH = field_facts(SupplyPoint, "number").limit
RECEPTION_NUMBER_LENGTH = field_facts(Application, "reception_number").limit


def matching_number(found: QuerySet[Any], field: str, number: str, length: int) -> QuerySet[Any]:
    """A list filtered by a number typed whole or in part (any width, core.japanese): a whole
    number by the index, a part of one anywhere in it."""
    if len(number) == length:
        return found.filter(**{field: number})
    return found.filter(**{f"{field}__contains": number})


def _point_number(found: QuerySet[Any], typed: str, field: str = "supply_point__number") -> QuerySet[Any]:
    return matching_number(found, field, normalize_supply_point_number(typed), POINT_NUMBER_LENGTH)


def _reception_number(found: QuerySet[Any], typed: str) -> QuerySet[Any]:
    return matching_number(found, "reception_number", normalize_code(typed).upper(), RECEPTION_NUMBER_LENGTH)


# --- the registry ---------------------------------------------------------------------------------------


def _versions(number: str) -> QuerySet[SupplyPointVersion]:
    return SupplyPointVersion.objects.select_related("supply_point").filter(
        supply_point__number=normalize_supply_point_number(number)
    )


def current(number: str) -> SupplyPointVersion:
    """The open version of the point; NotFound when the number is unknown."""
    version = _versions(number).filter(valid_to__isnull=True).first()
    if version is None:
        raise NotFound("供給地点が見つかりません。", code="supply_point_not_found")
    return version


def as_of(number: str, when: datetime) -> SupplyPointVersion:
    """The version in force at ``when`` (valid_from <= when < valid_to); NotFound when none was."""
    version = (
        _versions(number)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=when), valid_from__lte=when)
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise NotFound("その時点の供給地点情報がありません。", code="supply_point_not_found")
    return version


def history(number: str) -> list[SupplyPointVersion]:
    """Every version of the point, oldest first (retired rows included)."""
    return list(_versions(number).order_by("valid_from"))


# --- applications: lists, SW-L14 / SW-L15 status, results -----------------------------------------------


_FILINGS = [
    (reached, kind, business)
    for reached in lines.LINES.values()
    for kind, business in lines.KIND_BUSINESS.items()
    if reached.serves(business)
]
_FILING_FUNCTIONS = frozenset(reached.function(business) for reached, _kind, business in _FILINGS)


def _readable(actor: User) -> Q | None:
    """The organization's applications the actor may read: those filed through a function it may
    use (a DR contractor's user: its inquiries, FUNCTIONS.md 2.3; later, a user with fewer rights,
    SW-U11). None: every one (no filter is added, as for a retailer's user)."""
    allowed = usable(actor, SYSTEM, _FILING_FUNCTIONS)
    if allowed == _FILING_FUNCTIONS:
        return None
    readable = Q(pk__in=[])
    for reached, kind, business in _FILINGS:
        if reached.function(business) in allowed:
            readable |= Q(kind=kind, point_class__in=reached.classes_of(business))
    return readable


def _own_applications(actor: User) -> QuerySet[Application]:
    found = Application.objects.filter(organization_id=organization_of(actor))
    readable = _readable(actor)
    return found if readable is None else found.filter(readable)


@function(*lines.functions_of(Business.STATUS_MANY))
def applications_for(
    *,
    actor: User,
    line: str = LOW,
    kind: str = "",
    application_type: str = "",
    state: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    supply_point_number: str = "",
    reception_number: str = "",
) -> QuerySet[Application]:
    """The actor's organization's applications of one line's tab, newest first, filtered by kind,
    state, filing dates (Japan time, both included), point number and 受付番号 (whole or a part)."""
    reached = lines.enter(actor, line, Business.STATUS_MANY)
    found = _own_applications(actor).filter(point_class__in=reached.classes_of(Business.STATUS_MANY))
    if kind:
        found = found.filter(kind=kind)
    if application_type:
        found = found.filter(application_type=application_type)
    if state:
        found = found.filter(state=state)
    found = on_days(found, "created_at", date_from, date_to)
    if supply_point_number:
        found = _point_number(found, supply_point_number)
    if reception_number:
        found = _reception_number(found, reception_number)
    return found.select_related("supply_point", "switch").order_by("-created_at", "-id")


@function(*lines.functions_of(Business.STATUS))
def application_for(
    *,
    actor: User,
    reception_number: str,
    kind: str = "",
    columns: Sequence[str] = (),
    line: str | None = None,
) -> Application:
    """業務処理状況確認 (SW-L14, SW-H11, SW-F11): one of the organization's applications by its
    受付番号; with `kind`, only an application of that kind (another kind's number is NotFound
    too). `columns`: only these (the status answer's, on the API's hot path), not every column of
    four tables. With `line`, the status function of that line: an application of a point it does
    not serve is refused naming the function that does (None: any line the actor may read, for the
    screens that show one application wherever it was filed)."""
    reached = lines.enter(actor, line, Business.STATUS) if line is not None else None
    found = (
        _own_applications(actor)
        .select_related("supply_point", "switch", "filed_by")
        .filter(reception_number=(reception_number or "").strip())
    )
    if columns:
        found = _loaded(found.select_related(None), columns)
    if kind:
        found = found.filter(kind=kind)
    application = found.first()
    if application is None:
        raise NotFound("指定された受付番号の申請はありません。", code="application_not_found")
    if reached is not None:
        lines.require_class(reached, Business.STATUS, application.point_class)
    return application


def _loaded(found: QuerySet[Application], columns: Sequence[str]) -> QuerySet[Application]:
    """With `columns`: only these, with the point and the switch they name joined (the API's status
    answers); without: the whole application with its point (the web's lists)."""
    if columns:
        return found.select_related("supply_point", "switch").only(*columns)
    return found.select_related("supply_point")


@function(*lines.functions_of(Business.STATUS_MANY))
def statuses_for(
    *, actor: User, reception_numbers: list[str], columns: Sequence[str] = (), line: str = LOW
) -> list[tuple[str, Application | None]]:
    """業務処理状況確認(複数件) (SW-L15, SW-H12, SW-F12): up to 1,000 受付番号, in the order given; a
    number that is not the organization's, not of a point the line serves, or does not exist comes
    back with None — reported, not an error."""
    reached = lines.enter(actor, line, Business.STATUS_MANY)
    numbers = [number.strip() for number in reception_numbers if number and number.strip()]
    if not numbers:
        raise ValidationFailed(
            "受付番号を1件以上指定してください。", code="numbers_required", field="reception_numbers"
        )
    if len(numbers) > MAX_STATUS_NUMBERS:
        raise ValidationFailed(
            f"受付番号は1回に{MAX_STATUS_NUMBERS:,}件まで指定できます（{len(numbers):,}件指定されました）。",
            code="too_many_numbers",
            field="reception_numbers",
        )
    found = {
        application.reception_number: application
        for application in _loaded(
            _own_applications(actor).filter(
                reception_number__in=set(numbers),
                point_class__in=reached.classes_of(Business.STATUS_MANY),
            ),
            columns,
        )
    }
    return [(number, found.get(number)) for number in numbers]


def application_result(*, actor: User, application: Application) -> dict[str, Any]:
    """The operator's result of one of the organization's applications. A facility inquiry's or a
    usage retrieval's result is personal data, and so is a usage-password application's (the
    password unlocks the customer's usage): each read is recorded with the purpose named when
    filing (SW-P1), and a facility result shows the customer's basic info only to a lawful reader
    (SW-P2)."""
    if application.organization_id != organization_of(actor):
        raise NotFound("指定された受付番号の申請はありません。", code="application_not_found")
    result = dict(application.result or {})
    if not result or application.kind not in PERSONAL_RESULTS:
        return result
    point = application.supply_point
    items = [POINT] if application.kind == Kind.FACILITY_INQUIRY else [USAGE]
    if application.kind == Kind.FACILITY_INQUIRY and isinstance(result.get("facility"), dict):
        version = SupplyPointVersion.objects.get(supply_point=point, valid_to__isnull=True)
        role, _number = lawful_role(organization_id=organization_of(actor), point=point, version=version)
        if role:
            items.append(BASIC)
        else:
            result["facility"] = without_basic_info(result["facility"])
    purpose = str(application.payload.get("purpose") or Purpose.POINT_INFO)
    function_id = lines.function_of(application.kind, application.point_class)
    record_access(
        actor=actor,
        supply_point=point,
        purpose=purpose,
        function_id=function_id,
        items=items,
        reference=application.reception_number,
    )
    return result


# The kinds whose operator result holds personal data (its read is recorded).
PERSONAL_RESULTS = frozenset({Kind.FACILITY_INQUIRY, Kind.USAGE_PASSWORD, Kind.USAGE_RETRIEVE})


def usage_documents(*, actor: User, application: Application) -> list[dict[str, Any]]:
    """The identity documents filed with one of the organization's usage-password applications:
    names, types and sizes only (the contents are never served back to a participant)."""
    if application.organization_id != organization_of(actor):
        raise NotFound("指定された受付番号の申請はありません。", code="application_not_found")
    return [
        dict(row)
        for row in UsageDocument.objects.filter(application=application)
        .order_by("id")
        .values("name", "content_type", "size", "uploaded_at")
    ]


# --- switches: SW-L07 (new retailer) and SW-L09 (current retailer) ---------------------------------------


@function(*lines.functions_of(Business.CANCEL_FORWARD_RESULT))
def switches_filed(
    *, actor: User, state: str = "", supply_point_number: str = "", line: str = LOW
) -> QuerySet[Switch]:
    """スイッチング廃止取次結果照会 (SW-L07, SW-H05, SW-F05): the new retailer's cancel-forwards of
    the line's points and their results."""
    reached = lines.enter(actor, line, Business.CANCEL_FORWARD_RESULT)
    found = Switch.objects.filter(
        new_retailer_id=organization_of(actor),
        point_class__in=reached.classes_of(Business.CANCEL_FORWARD_RESULT),
    )
    return _filter_switches(found, state, supply_point_number)


@function(*lines.functions_of(Business.CANCEL_FORWARD_INQUIRY))
def switches_received(
    *, actor: User, state: str = "", supply_point_number: str = "", line: str = LOW
) -> QuerySet[Switch]:
    """スイッチング廃止取次照会 (SW-L09, SW-H07, SW-F07): the cancel-forwards of the line's points the
    current retailer has received."""
    reached = lines.enter(actor, line, Business.CANCEL_FORWARD_INQUIRY)
    found = Switch.objects.filter(
        current_retailer_id=organization_of(actor),
        point_class__in=reached.classes_of(Business.CANCEL_FORWARD_INQUIRY),
    )
    return _filter_switches(found, state, supply_point_number)


def _filter_switches(found: QuerySet[Switch], state: str, supply_point_number: str) -> QuerySet[Switch]:
    if state:
        found = found.filter(state=state)
    if supply_point_number:
        found = _point_number(found, supply_point_number)
    return found.select_related("supply_point", "new_retailer", "current_retailer").order_by(
        "-created_at", "-id"
    )


@function(*lines.functions_of(Business.STATUS))
def switch_for(*, actor: User, switch_number: str) -> Switch:
    """One switch the actor's organization is a party to (either retailer), by its 廃止取次番号."""
    organization_id = organization_of(actor)
    switch = (
        Switch.objects.select_related("supply_point", "new_retailer", "current_retailer", "decided_by")
        .filter(Q(new_retailer_id=organization_id) | Q(current_retailer_id=organization_id))
        .filter(number=(switch_number or "").strip())
        .first()
    )
    if switch is None:
        raise NotFound("指定された廃止取次番号の案件はありません。", code="switch_not_found")
    return switch


@dataclass(frozen=True)
class CancelForwardView:
    """A cancel-forward with the items the new retailer registered. The customer's items (the
    identification, its kana, the building) are None where the reader may no longer see them
    (`identification_readable`); the contacts of both retailers are business data, always there.
    `comparison`: the identification beside the registry's entry, item by item, for the current
    retailer only (None for anyone else, and where it may not read the identification)."""

    switch: Switch
    customer_name: str | None
    customer_name_kana: str | None
    customer_address: str | None
    building_name: str | None
    contract_number: str | None
    applications: list[Application]
    comparison: list[ItemComparison] | None = None

    @property
    def has_identification(self) -> bool:
        return self.customer_name is not None

    @property
    def contacts(self) -> dict[str, str]:
        return {name: getattr(self.switch, name) for name in sorted(CONTACT_ITEMS)}

    @property
    def mismatches(self) -> int:
        return sum(not item.matches for item in self.comparison or ())


def identification_readable(*, actor: User, switch: Switch) -> bool:
    """Whether the actor's organization may read the customer identification of a switch it is a
    party to (SW-P2): either retailer while the switch is in progress; once it has ended (取次NG,
    取消, 不備, 完了) only the point's current retailer — the identification is the customer's
    basic info, and a new retailer whose switching ended has no lawful role for it any more."""
    if switch.is_open:
        return True
    return SupplyPointVersion.objects.filter(
        supply_point_id=switch.supply_point_id, valid_to__isnull=True, retailer_id=organization_of(actor)
    ).exists()


def cancel_forward_detail(
    *, actor: User, switch_number: str, purpose: str, side: str = "", line: str | None = None
) -> CancelForwardView:
    """A switch with its customer identification, for either retailer (SW-L07 / SW-L09). The
    identification is given only where `identification_readable` allows, and then its read is
    recorded with the purpose the reader named (SW-P1; a missing or unknown purpose is refused);
    otherwise it is None and nothing is recorded. The current retailer gets it beside the registry's
    entry, item by item (`compare_identification`): the registry's side is the customer's basic
    info, read in the same recorded read; the new retailer never sees it. Each side sees only its
    own applications of the switch. `side` ("new" / "current") asks for the switch only as that
    party (the API's 結果照会 and 取次照会): a switch of the other side is NotFound. `line`: the line
    the read is reached from (a switch of a class it does not switch is refused naming the function
    that does); None: the line of the switch's class (a screen that shows a switch wherever it was
    filed)."""
    check_purpose(purpose)
    switch = switch_for(actor=actor, switch_number=switch_number)
    is_new = switch.new_retailer_id == organization_of(actor)
    if side and (side == "new") != is_new:
        raise NotFound("指定された廃止取次番号の案件はありません。", code="switch_not_found")
    business = Business.CANCEL_FORWARD_RESULT if is_new else Business.CANCEL_FORWARD_INQUIRY
    reached = lines.line(line) if line is not None else lines.line_for_class(switch.point_class)
    lines.require_class(reached, business, switch.point_class)
    function_id = reached.function(business)
    require_function(actor, function_id)
    applications = list(
        switch.applications.filter(organization_id=organization_of(actor)).order_by("created_at", "id")
    )
    if not identification_readable(actor=actor, switch=switch):
        return CancelForwardView(
            switch=switch,
            customer_name=None,
            customer_name_kana=None,
            customer_address=None,
            building_name=None,
            contract_number=None,
            applications=applications,
        )
    comparison = None
    if not is_new:
        # The registry's entry beside what was sent: the current retailer's decision rests on it.
        version = SupplyPointVersion.objects.get(
            supply_point_id=switch.supply_point_id, valid_to__isnull=True
        )
        comparison = compare_identification(switch, version)
    record_access(
        actor=actor,
        supply_point=switch.supply_point,
        purpose=purpose,
        function_id=function_id,
        items=[BASIC],
        reference=switch.number,
    )
    return CancelForwardView(
        switch=switch,
        customer_name=switch.customer_name,
        customer_name_kana=switch.customer_name_kana,
        customer_address=switch.customer_address,
        building_name=switch.building_name,
        contract_number=switch.contract_number,
        applications=applications,
        comparison=comparison,
    )


# --- SW-C01 事業者一覧取得, the access ledger (SW-P1) --------------------------------------------------


@dataclass(frozen=True)
class Operator:
    code: str
    name: str


@function("SW-C01")
def operators(*, actor: User) -> list[Operator]:
    """SW-C01 事業者一覧取得: the active organizations enrolled in the switching system."""
    rows = (
        active_system_users(system=SYSTEM)
        .order_by("organization__code")
        .values_list("organization__code", "organization__name")
        .distinct()
    )
    return [Operator(code=code, name=name) for code, name in rows]


@function("SW-L01")
def access_ledger(
    *,
    actor: User,
    date_from: date | None = None,
    date_to: date | None = None,
    supply_point_number: str = "",
    purpose: str = "",
) -> QuerySet[PersonalDataAccess]:
    """The organization's own personal-data reads (who read which point, for what, when), newest
    first (SW-P1); a contractor acting for the organization (受託者, X-I2): only its own reads for it."""
    found = PersonalDataAccess.objects.filter(organization_id=organization_of(actor))
    if (acting := acting_for(actor)) is not None:
        found = found.filter(contractor_id=acting.contractor.pk)
    found = on_days(found, "at", date_from, date_to)
    if supply_point_number:
        found = _point_number(found, supply_point_number)
    if purpose:
        found = found.filter(purpose=purpose)
    return found.select_related("supply_point", "contractor").order_by("-at", "-id")


# --- the organization's staff (back office): read-only, no customer identification ---------------------


def staff_applications(
    *,
    actor: User,
    organization_code: str = "",
    kind: str = "",
    state: str = "",
    reception_number: str = "",
    supply_point_number: str = "",
) -> QuerySet[Application]:
    """Every organization's applications, newest first (staff only)."""
    require_staff(actor)
    found = Application.objects.all()
    if organization_code:
        found = found.filter(organization__code=organization_code.strip())
    if kind:
        found = found.filter(kind=kind)
    if state:
        found = found.filter(state=state)
    if reception_number:
        found = _reception_number(found, reception_number)
    if supply_point_number:
        found = _point_number(found, supply_point_number)
    return found.select_related("supply_point", "switch", "organization").order_by("-created_at", "-id")


def staff_application(*, actor: User, reception_number: str) -> Application:
    require_staff(actor)
    application = (
        Application.objects.select_related("supply_point", "switch", "organization", "filed_by")
        .filter(reception_number=reception_number)
        .first()
    )
    if application is None:
        raise NotFound("指定された受付番号の申請はありません。", code="application_not_found")
    return application


def staff_switches(*, actor: User, state: str = "", supply_point_number: str = "") -> QuerySet[Switch]:
    """Every switch, newest first (staff only)."""
    require_staff(actor)
    return _filter_switches(Switch.objects.all(), state, supply_point_number)


def staff_switch(*, actor: User, number: str) -> Switch:
    require_staff(actor)
    switch = (
        Switch.objects.select_related("supply_point", "new_retailer", "current_retailer")
        .filter(number=number)
        .first()
    )
    if switch is None:
        raise NotFound("指定された廃止取次番号の案件はありません。", code="switch_not_found")
    return switch
