"""The lines of the hub — 低圧, 高圧500kW未満, 低圧FIT電源・FIT卒業電源 — and what each point class may
do on them: said once, asked by every service, screen and API operation.

Every 業務 (`Business`) has one service, parameterized by the line it is reached from; the line
gives its function id (the right the access layer checks), the real system's service id, and the
point classes it serves. The point's class decides the rest: the 申込種別 code, which acts exist.
A point reached from a line that does not serve its class is refused with a reason that names the
function that does (SWITCHING-REAL.md "Service ids" and "Codes"; FUNCTIONS.md §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from kouiki.core import catalog
from kouiki.core.errors import ValidationFailed
from kouiki.identity.access import require_function
from kouiki.switching.models import Kind, PointClass

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.models import SupplyPoint


class Business(StrEnum):
    """業務: one service each, whatever the line."""

    FACILITY_INQUIRY = "facility_inquiry"
    USAGE_PASSWORD = "usage_password"
    USAGE_RETRIEVE = "usage_retrieve"
    RECONNECT = "reconnect"
    ABOLISH = "abolish"
    CANCEL_FORWARD = "cancel_forward"  # 廃止取次登録 (新小売)
    CANCEL_FORWARD_RESULT = "cancel_forward_result"  # 廃止取次結果照会 (新小売)
    SWITCH_START = "switch_start"  # 開始申請 (新小売)
    CANCEL_FORWARD_INQUIRY = "cancel_forward_inquiry"  # 廃止取次照会 (現小売)
    DECISION = "decision"  # 廃止取次判断 (現小売)
    SWITCH_ABOLISH = "switch_abolish"  # 廃止申請 (現小売)
    AMPERE_CHANGE = "ampere_change"
    CUSTOMER_CHANGE = "customer_change"  # 需要者情報変更; 発電者情報変更 on the FIT line
    STATUS = "status"
    STATUS_MANY = "status_many"


# The businesses of a switch: a switch's class decides its line.
SWITCH_BUSINESSES = frozenset(
    {
        Business.CANCEL_FORWARD,
        Business.CANCEL_FORWARD_RESULT,
        Business.SWITCH_START,
        Business.CANCEL_FORWARD_INQUIRY,
        Business.DECISION,
        Business.SWITCH_ABOLISH,
    }
)

# The real system's service number of each business (IS_ = the hub, IF_ = forwarded to the TSO);
# a line's letter follows the underscore (K high voltage, F FIT). Status: IF_xx20 of each business.
SERVICE_NUMBERS: dict[Business, str] = {
    Business.FACILITY_INQUIRY: "IF_{}10110",
    Business.USAGE_PASSWORD: "IF_{}10210",
    Business.USAGE_RETRIEVE: "IF_{}10310",
    Business.RECONNECT: "IF_{}10410",
    Business.ABOLISH: "IF_{}10510",
    Business.SWITCH_START: "IF_{}10610",
    Business.SWITCH_ABOLISH: "IF_{}10710",
    Business.CUSTOMER_CHANGE: "IF_{}10810",
    Business.AMPERE_CHANGE: "IF_{}10910",
    Business.CANCEL_FORWARD: "IS_{}20110",
    Business.CANCEL_FORWARD_RESULT: "IS_{}20210",
    Business.CANCEL_FORWARD_INQUIRY: "IS_{}20310",
    Business.DECISION: "IS_{}20410",
}

# The business each kind of application belongs to.
KIND_BUSINESS: dict[str, Business] = {
    Kind.FACILITY_INQUIRY: Business.FACILITY_INQUIRY,
    Kind.USAGE_PASSWORD: Business.USAGE_PASSWORD,
    Kind.USAGE_RETRIEVE: Business.USAGE_RETRIEVE,
    Kind.RECONNECT: Business.RECONNECT,
    Kind.ABOLISH: Business.ABOLISH,
    Kind.ABOLISH_WITH_REMOVAL: Business.ABOLISH,
    Kind.CANCEL_FORWARD: Business.CANCEL_FORWARD,
    Kind.SWITCH_START: Business.SWITCH_START,
    Kind.SWITCH_ABOLISH: Business.SWITCH_ABOLISH,
    Kind.AMPERE_CHANGE: Business.AMPERE_CHANGE,
    Kind.CUSTOMER_CHANGE: Business.CUSTOMER_CHANGE,
}

# 申込種別 (SWITCHING-REAL.md "Codes"): supply points and FIT receiving points; the hub's own
# businesses (廃止取次, 設備情報照会, 使用量情報照会) carry none.
SUPPLY_POINT_TYPES: dict[str, str] = {
    Kind.ABOLISH: "01",
    Kind.ABOLISH_WITH_REMOVAL: "02",
    Kind.SWITCH_ABOLISH: "03",
    Kind.RECONNECT: "04",
    Kind.SWITCH_START: "05",
    Kind.AMPERE_CHANGE: "06",
    Kind.CUSTOMER_CHANGE: "07",
    Kind.USAGE_PASSWORD: "08",
}
RECEIVING_POINT_TYPES: dict[str, str] = {
    Kind.ABOLISH: "12",
    Kind.ABOLISH_WITH_REMOVAL: "13",
    Kind.SWITCH_ABOLISH: "14",
    Kind.RECONNECT: "15",
    Kind.SWITCH_START: "16",
    Kind.CUSTOMER_CHANGE: "17",
}
# The `kind` the API answered before the hub's kinds left the 申込種別 space (docs/guide/api.md):
# still answered, beside `application_type` and `business`, for clients written against it.
LEGACY_HUB_KINDS: dict[str, str] = {
    Kind.FACILITY_INQUIRY: "09",
    Kind.USAGE_RETRIEVE: "10",
    Kind.CANCEL_FORWARD: "20",
}

LOW, HIGH, FIT = "low", "high", "fit"
HIGH_USAGE_CLASSES = frozenset({PointClass.HIGH, PointClass.HIGH_LARGE, PointClass.EXTRA_HIGH})
FIT_CLASSES = frozenset({PointClass.FIT, PointClass.FIT_GRADUATED})
# On the FIT line, only FIT-graduated points are reconnected or switched (seed 001 2.2.1).
GRADUATED_ONLY = frozenset({Business.RECONNECT, *SWITCH_BUSINESSES})


@dataclass(frozen=True)
class Line:
    """A line of the hub: its tab, its functions, the classes of point it serves."""

    key: str  # "low" | "high" | "fit": the tab, the URL segment
    label: str  # the 業務種別 as the seed names it
    letter: str  # the real system's service-id letter ("", "K", "F")
    api_prefix: str  # where its API operations live below /api/switching/v1
    classes: frozenset[str]
    functions: dict[Business, str]
    # A business that serves other classes than the line's (高圧 使用量情報照会: ≥ 500 kW too).
    wider: dict[Business, frozenset[str]]

    def function(self, business: Business) -> str:
        return self.functions[business]

    def serves(self, business: Business) -> bool:
        return business in self.functions

    def classes_of(self, business: Business) -> frozenset[str]:
        classes = self.wider.get(business, self.classes)
        if self.key == FIT and business in GRADUATED_ONLY:
            return frozenset({PointClass.FIT_GRADUATED})
        return classes

    def service_id(self, business: Business) -> str | None:
        pattern = SERVICE_NUMBERS.get(business)
        return pattern.format(self.letter) if pattern and business in self.functions else None

    @property
    def point_label(self) -> str:
        return "受電地点" if self.key == FIT else "供給地点"

    @property
    def customer_label(self) -> str:
        return "発電者" if self.key == FIT else "需要者"


def _ids(prefix: str, numbers: dict[Business, int]) -> dict[Business, str]:
    return {business: f"SW-{prefix}{number:02d}" for business, number in numbers.items()}


LINES: dict[str, Line] = {
    LOW: Line(
        key=LOW,
        label="低圧",
        letter="",
        api_prefix="",
        classes=frozenset({PointClass.LOW}),
        functions=_ids(
            "L",
            {
                Business.FACILITY_INQUIRY: 1,
                Business.USAGE_PASSWORD: 2,
                Business.USAGE_RETRIEVE: 3,
                Business.RECONNECT: 4,
                Business.ABOLISH: 5,
                Business.CANCEL_FORWARD: 6,
                Business.CANCEL_FORWARD_RESULT: 7,
                Business.SWITCH_START: 8,
                Business.CANCEL_FORWARD_INQUIRY: 9,
                Business.DECISION: 10,
                Business.SWITCH_ABOLISH: 11,
                Business.AMPERE_CHANGE: 12,
                Business.CUSTOMER_CHANGE: 13,
                Business.STATUS: 14,
                Business.STATUS_MANY: 15,
            },
        ),
        wider={},
    ),
    HIGH: Line(
        key=HIGH,
        label="高圧500kW未満",
        letter="K",
        api_prefix="/high-voltage",
        classes=frozenset({PointClass.HIGH}),
        functions=_ids(
            "H",
            {
                Business.USAGE_PASSWORD: 1,
                Business.USAGE_RETRIEVE: 2,
                Business.ABOLISH: 3,
                Business.CANCEL_FORWARD: 4,
                Business.CANCEL_FORWARD_RESULT: 5,
                Business.SWITCH_START: 6,
                Business.CANCEL_FORWARD_INQUIRY: 7,
                Business.DECISION: 8,
                Business.SWITCH_ABOLISH: 9,
                Business.CUSTOMER_CHANGE: 10,
                Business.STATUS: 11,
                Business.STATUS_MANY: 12,
            },
        ),
        # seed 001 2.2.1: 使用量情報照会 alone also serves ≥ 500 kW high voltage and extra-high voltage.
        wider={
            Business.USAGE_PASSWORD: HIGH_USAGE_CLASSES,
            Business.USAGE_RETRIEVE: HIGH_USAGE_CLASSES,
            Business.STATUS: HIGH_USAGE_CLASSES,
            Business.STATUS_MANY: HIGH_USAGE_CLASSES,
        },
    ),
    FIT: Line(
        key=FIT,
        label="低圧FIT電源・FIT卒業電源",
        letter="F",
        api_prefix="/fit",
        classes=FIT_CLASSES,
        functions=_ids(
            "F",
            {
                Business.FACILITY_INQUIRY: 1,
                Business.RECONNECT: 2,
                Business.ABOLISH: 3,
                Business.CANCEL_FORWARD: 4,
                Business.CANCEL_FORWARD_RESULT: 5,
                Business.SWITCH_START: 6,
                Business.CANCEL_FORWARD_INQUIRY: 7,
                Business.DECISION: 8,
                Business.SWITCH_ABOLISH: 9,
                Business.CUSTOMER_CHANGE: 10,
                Business.STATUS: 11,
                Business.STATUS_MANY: 12,
            },
        ),
        wider={},
    ),
}


def line(key: str) -> Line:
    """The line of ``key``; an unknown key is a programming error."""
    return LINES[key]


def functions_of(*businesses: Business) -> tuple[str, ...]:
    """Every line's function of the businesses: the catalog entries of their one service."""
    return tuple(
        reached.function(business)
        for reached in LINES.values()
        for business in businesses
        if reached.serves(business)
    )


def enter(actor: User, key: str, business: Business) -> Line:
    """The line the actor reaches ``business`` from, once the access layer lets it use the line's
    function (a right per function: SW-L05 and SW-H03 are two rights)."""
    reached = line(key)
    require_function(actor, reached.function(business))
    return reached


def line_of_class(point_class: str, business: Business) -> Line | None:
    """The line that serves ``business`` for a point of ``point_class`` (None: no line does)."""
    for candidate in LINES.values():
        if candidate.serves(business) and point_class in candidate.classes_of(business):
            return candidate
    return None


def _where(business: Business, point_class: str) -> str:
    right = line_of_class(point_class, business)
    if right is None:
        return ""
    function = catalog.get(right.function(business))
    return f"「{function.title}」（{function.id}）"


def class_refusal(reached: Line, business: Business, point_class: str) -> ValidationFailed | None:
    """Why a point of ``point_class`` may not be handled by ``business`` reached from ``reached``:
    naming the function that serves it, or saying none does; None when it may."""
    if point_class in reached.classes_of(business):
        return None
    class_label = PointClass(point_class).label
    noun = "受電地点" if point_class in FIT_CLASSES else "供給地点"
    name = catalog.get(reached.function(business)).name
    if reached.key == FIT and point_class == PointClass.FIT and business in GRADUATED_ONLY:
        return ValidationFailed(
            f"この受電地点は{class_label}です。{name}はFIT卒業電源の受電地点のみ申し込めます。",
            code="fit_not_graduated",
            field="supply_point_number",
        )
    where = _where(business, point_class)
    if where:
        message = f"この{noun}は{class_label}です。{where}で申し込んでください。"
    else:
        message = f"{class_label}の{noun}には、本システムで{name}を申し込めません。"
    return ValidationFailed(message, code="point_class_mismatch", field="supply_point_number")


def require_class(reached: Line, business: Business, point: SupplyPoint | str) -> None:
    """Refuse a point (or a point class) the line does not serve for ``business``."""
    point_class = point if isinstance(point, str) else point.point_class
    refusal = class_refusal(reached, business, point_class)
    if refusal is not None:
        raise refusal


def application_type(kind: str, point_class: str) -> str:
    """The 申込種別 of an application of ``kind`` on a point of ``point_class`` ("" when none)."""
    table = RECEIVING_POINT_TYPES if point_class in FIT_CLASSES else SUPPLY_POINT_TYPES
    return table.get(kind, "")


def legacy_kind(kind: str, application_type_code: str) -> str:
    """The `kind` code the API answered before (docs/guide/api.md): the 申込種別, or the hub's old
    code for what has none."""
    return application_type_code or LEGACY_HUB_KINDS.get(kind, "")


def from_legacy_kind(code: str) -> tuple[str, str]:
    """A filter by the old `kind` code as (kind, application_type): the hub's old codes name a kind,
    any other is a 申込種別."""
    for kind, legacy in LEGACY_HUB_KINDS.items():
        if legacy == code:
            return kind, ""
    return "", code


def line_for_class(point_class: str) -> Line:
    """The tab an application of a point of ``point_class`` is shown under (≥ 500 kW and extra-high
    voltage under 高圧: their usage inquiries are the 高圧 line's)."""
    if point_class in FIT_CLASSES:
        return LINES[FIT]
    if point_class in HIGH_USAGE_CLASSES:
        return LINES[HIGH]
    return LINES[LOW]


def function_of(kind: str, point_class: str) -> str:
    """The function an application of ``kind`` was filed through (its filer's right to correct or
    cancel it)."""
    return line_for_class(point_class).function(KIND_BUSINESS[kind])
