"""Personal data of customers (seed 001 §4, seed 004; FUNCTIONS.md SW-P1, SW-P2).

SW-P1: every read of a customer's personal data names one of the five joint-use purposes and is
recorded — in the organization's own access ledger (PersonalDataAccess) and in the audit log.
SW-P2: a customer's basic info (氏名・住所・電話番号・契約番号) is shown only to the point's current
retailer, or to a new retailer whose switching of the point is in progress; to anyone else the
point is "not found", so that nothing leaks, not even that the customer exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.identity.access import acting_for, function, organization_of
from kouiki.switching.models import (
    OPEN_SWITCH_STATES,
    PersonalDataAccess,
    Purpose,
    SupplyPoint,
    SupplyPointVersion,
    Switch,
)
from kouiki.switching.services.filing import SYSTEM
from kouiki.switching.services.points import point_for_number

if TYPE_CHECKING:
    from kouiki.identity.models import User

BASIC = "basic"  # 氏名・住所・電話番号・契約番号
POINT = "point"  # 供給地点に関する情報
USAGE = "usage"  # 使用量
BASIC_FIELDS = ("customer_name", "customer_address", "customer_phone", "retail_contract_number")

CURRENT_RETAILER = "current"
NEW_RETAILER = "new"


@dataclass(frozen=True)
class BasicInfo:
    """A customer's basic info as the registry holds it, and why the reader may see it."""

    supply_point_number: str
    customer_name: str
    customer_address: str
    customer_phone: str
    contract_number: str
    retailer_code: str
    retailer_name: str
    lawful_role: str  # "current" (現小売) or "new" (新小売, switching in progress)
    switch_number: str = ""


@implements("SW-P1")
def check_purpose(purpose: str) -> str:
    """The purpose code, or a refusal naming the field when it is missing or unknown."""
    if purpose not in Purpose.values:
        raise ValidationFailed(
            "利用目的を選択してください（共同利用の目的①〜⑤のいずれか）。",
            code="purpose_required",
            field="purpose",
        )
    return purpose


@implements("SW-P2")
def lawful_role(
    *, organization_id: int | None, point: SupplyPoint, version: SupplyPointVersion
) -> tuple[str, str]:
    """("current" | "new" | "", switch number): the organization's lawful role for the point's
    basic info (SW-P2)."""
    if organization_id is None:
        return "", ""
    if version.retailer_id == organization_id:
        return CURRENT_RETAILER, ""
    switch = (
        Switch.objects.filter(
            supply_point=point, new_retailer_id=organization_id, state__in=OPEN_SWITCH_STATES
        )
        .only("number")
        .first()
    )
    if switch is not None:
        return NEW_RETAILER, switch.number
    return "", ""


@implements("SW-P1")
def record_access(
    *,
    actor: User,
    supply_point: SupplyPoint,
    purpose: str,
    function_id: str,
    items: list[str],
    reference: str = "",
) -> PersonalDataAccess:
    """SW-P1: one read of a customer's personal data, in the ledger and the audit log."""
    check_purpose(purpose)
    label = f"{actor.login_id} {actor.display_name}".strip()
    access = PersonalDataAccess.objects.create(
        at=timezone.now(),
        organization_id=organization_of(actor),
        user=actor,
        user_label=label[:120],
        contractor=acting.contractor if (acting := acting_for(actor)) is not None else None,
        supply_point=supply_point,
        purpose=purpose,
        function_id=function_id,
        items=list(items),
        reference=reference,
    )
    record(
        actor=actor,
        action=Action.SWITCHING_PERSONAL_DATA_READ,
        obj=supply_point,
        system=SYSTEM,
        purpose=Purpose(purpose).label,
        detail={"function": function_id, "items": list(items), "reference": reference},
    )
    return access


@function("SW-L01")
def read_basic_info(*, actor: User, supply_point_number: str, purpose: str) -> BasicInfo:
    """需要者基本情報照会 (SW-P2): the customer's basic info for the current retailer or a new
    retailer with its switching in progress; NotFound for anyone else. The read is recorded."""
    check_purpose(purpose)
    point, version = point_for_number(supply_point_number, retailer=True)
    role, switch_number = lawful_role(organization_id=organization_of(actor), point=point, version=version)
    if not role:
        raise NotFound(
            "指定された供給地点の需要者情報はありません。",
            code="supply_point_not_found",
            field="supply_point_number",
        )
    record_access(
        actor=actor,
        supply_point=point,
        purpose=purpose,
        function_id="SW-P2",
        items=[BASIC],
        reference=switch_number,
    )
    retailer = version.retailer
    return BasicInfo(
        supply_point_number=point.number,
        customer_name=version.customer_name,
        customer_address=version.customer_address,
        customer_phone=version.customer_phone,
        contract_number=version.retail_contract_number,
        retailer_code=retailer.code if retailer else "",
        retailer_name=retailer.name if retailer else "",
        lawful_role=role,
        switch_number=switch_number,
    )


@implements("SW-P2")
def without_basic_info(items: dict[str, Any]) -> dict[str, Any]:
    """The facility items without the customer's basic info (for a reader without a lawful role)."""
    return {
        key: value for key, value in items.items() if key not in BASIC_FIELDS and key != "contract_number"
    }
