"""特定地点検索 (SW-W01 低圧, SW-W14 低圧FIT): find a 供給地点特定番号 / 受電地点特定番号 by a fragment
of the address, the pole number (引込柱番号), the meter number (計器番号), or — within the points
the searcher has a lawful role for (SW-P2) — the customer's name. ADR 31.

The criteria meet the stored search keys in one form (kouiki.switching.models.search_keys); several
criteria narrow each other. At most `LIMIT` points are answered, in number order, with `more` set
when there are others: the search is for finding one point, and a list past `LIMIT` says "refine"
(which `LIMIT` of many matches are answered is not specified: the database stops at the first
ones its index gives). A row shows the point (number, area, class, contract state), where it is
(address as registered, pole and meter numbers); the customer's name only to the current retailer
or a new retailer switching the point, when the search names its purpose — each such read in the
personal-data ledger (SW-P1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet

from kouiki.core.catalog import implements
from kouiki.core.errors import ValidationFailed
from kouiki.core.japanese import Area
from kouiki.identity.access import organization_of, require_function
from kouiki.switching.models import (
    OPEN_SWITCH_STATES,
    ContractState,
    PointClass,
    SupplyPointVersion,
    Switch,
)
from kouiki.switching.models.search_keys import address_key, meter_number, name_key, number_key
from kouiki.switching.services import personal_data
from kouiki.switching.services.lines import FIT, FIT_CLASSES, LINES, LOW

if TYPE_CHECKING:
    from kouiki.identity.models import User

PURPOSE = "利用目的"
LIMIT = 50
# The shortest address fragment searched (characters of its search form: spaces and 丁目/番/号
# count as one separator). Shorter fragments match too much to be a search.
MIN_ADDRESS = 3
MIN_NAME = 1
# A search the index cannot narrow enough is cut off rather than let run (PostgreSQL).
TIMEOUT_MS = 5000

# The function of each line's search and the classes of point it finds.
FUNCTIONS = {LOW: "SW-W01", FIT: "SW-W14"}
SCOPES: dict[str, frozenset[str]] = {"SW-W01": LINES[LOW].classes, "SW-W14": FIT_CLASSES}
LINE_OF = {function_id: line_key for line_key, function_id in FUNCTIONS.items()}


@dataclass(frozen=True)
class Criteria:
    address: str = ""
    pole_number: str = ""
    meter_number: str = ""
    customer_name: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class Hit:
    number: str
    area: str
    area_label: str
    point_class: str
    class_label: str
    contract_state: str
    contract_state_label: str
    address: str
    pole_number: str
    meter_number: str
    # The customer's (FIT: generator's) name, shown to a lawful role only (None otherwise).
    customer_name: str | None = None
    lawful_role: str = ""


@dataclass(frozen=True)
class Result:
    hits: list[Hit]
    more: bool  # more points match than are answered: refine the search
    limit: int
    # Some points found have a lawful role for the searcher but the search named no purpose, so
    # their names are not shown.
    names_withheld: bool = False


def _keys(criteria: Criteria) -> dict[str, str]:
    """The criteria in their search form, refusing what is not a search (field-level messages)."""
    found = {
        "address": address_key(criteria.address),
        "pole_number": number_key(criteria.pole_number),
        "meter_number": number_key(criteria.meter_number),
        "customer_name": name_key(criteria.customer_name),
    }
    if not any(found.values()):
        raise ValidationFailed(
            "住所・引込柱番号・計器番号・氏名のいずれかを入力してください。",
            code="search_criteria_required",
            field="address",
        )
    if found["address"] and len(found["address"]) < MIN_ADDRESS:
        raise ValidationFailed(
            f"住所は{MIN_ADDRESS}文字以上入力してください（空白を除く。例: 丸の内1-9）。",
            code="address_too_short",
            field="address",
        )
    if found["customer_name"] and not criteria.purpose:
        # A name search shows names: its purpose is named (SW-P1).
        raise ValidationFailed(
            f"氏名で検索するときは{PURPOSE}を選択してください（共同利用の目的①〜⑤のいずれか）。",
            code="purpose_required",
            field="purpose",
        )
    if criteria.purpose:
        personal_data.check_purpose(criteria.purpose)
    return found


def _lawful_points(organization_id: int) -> Q:
    """The points whose customer's name the organization may see (SW-P2): its current points, and
    those it is switching to itself."""
    switching = Switch.objects.filter(new_retailer_id=organization_id, state__in=OPEN_SWITCH_STATES)
    return Q(retailer_id=organization_id) | Q(supply_point__in=switching.values("supply_point_id"))


def _query(
    keys: dict[str, str], classes: frozenset[str], organization_id: int
) -> QuerySet[SupplyPointVersion]:
    versions = SupplyPointVersion.objects.filter(
        valid_to__isnull=True, supply_point__point_class__in=sorted(classes)
    )
    if keys["meter_number"]:
        versions = versions.filter(search_meter=keys["meter_number"])
    if keys["pole_number"]:
        versions = versions.filter(search_pole=keys["pole_number"])
    if keys["address"]:
        versions = versions.filter(search_address__contains=keys["address"])
    if keys["customer_name"]:
        versions = versions.filter(
            _lawful_points(organization_id), search_name__startswith=keys["customer_name"]
        )
    return versions.select_related("supply_point").only(
        "supply_point__number",
        "supply_point__area",
        "supply_point__point_class",
        "customer_address",
        "pole_number",
        "meter",
        "contract_state",
        "customer_name",
        "retailer_id",
    )


def _fetch(versions: QuerySet[SupplyPointVersion]) -> list[SupplyPointVersion]:
    """The first LIMIT + 1 rows, cut off after TIMEOUT_MS on PostgreSQL."""
    if connection.vendor != "postgresql":
        return list(versions[: LIMIT + 1])
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {TIMEOUT_MS}")
            rows = list(versions[: LIMIT + 1])
            cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
            return rows
    except OperationalError as error:
        raise ValidationFailed(
            "該当する地点が多すぎて検索できませんでした。条件を追加して絞り込んでください。",
            code="search_too_broad",
            field="address",
        ) from error


@implements("SW-W01", "SW-W14")
def search(*, actor: User, function_id: str, criteria: Criteria) -> Result:
    """SW-W01 / SW-W14: the points of the function's classes that meet every criterion."""
    require_function(actor, function_id)
    classes = SCOPES[function_id]
    keys = _keys(criteria)
    organization_id = organization_of(actor)
    rows = _fetch(_query(keys, classes, organization_id))
    more = len(rows) > LIMIT
    rows = sorted(rows[:LIMIT], key=lambda v: v.supply_point.number)
    roles = _roles(rows, organization_id)
    hits = []
    withheld = False
    for version in rows:
        role, reference = roles.get(version.supply_point_id, ("", ""))
        shown = bool(role and criteria.purpose)
        withheld = withheld or bool(role and not criteria.purpose)
        if shown:
            personal_data.record_access(
                actor=actor,
                supply_point=version.supply_point,
                purpose=criteria.purpose,
                function_id=function_id,
                items=[personal_data.BASIC],
                reference=reference,
            )
        hits.append(_hit(version, role if shown else ""))
    return Result(hits=hits, more=more, limit=LIMIT, names_withheld=withheld)


def _roles(rows: list[SupplyPointVersion], organization_id: int) -> dict[int, tuple[str, str]]:
    """Per point found, the organization's lawful role for its customer's data and the switch that
    gives it (one query for the new retailer's switches of all of them)."""
    roles = {
        v.supply_point_id: (personal_data.CURRENT_RETAILER, "")
        for v in rows
        if v.retailer_id == organization_id
    }
    others = [v.supply_point_id for v in rows if v.supply_point_id not in roles]
    if others:
        switches = Switch.objects.filter(
            supply_point_id__in=others, new_retailer_id=organization_id, state__in=OPEN_SWITCH_STATES
        ).values_list("supply_point_id", "number")
        for point_id, number in switches:
            roles.setdefault(point_id, (personal_data.NEW_RETAILER, number))
    return roles


def _hit(version: SupplyPointVersion, role: str) -> Hit:
    point = version.supply_point
    return Hit(
        number=point.number,
        area=point.area,
        area_label=Area(point.area).label,
        point_class=point.point_class,
        class_label=PointClass(point.point_class).label,
        contract_state=version.contract_state,
        contract_state_label=ContractState(version.contract_state).label,
        address=version.customer_address,
        pole_number=version.pole_number,
        meter_number=meter_number(version.meter),
        customer_name=version.customer_name if role else None,
        lawful_role=role,
    )
