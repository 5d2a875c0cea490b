"""The supply point a retailer names: found by its 供給地点特定番号, locked for a change, and the
rules every change of a point checks (its voltage class, its current retailer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from kouiki.core.errors import Forbidden, NotFound, ValidationFailed
from kouiki.core.japanese import normalize_supply_point_number, validate_supply_point_number
from kouiki.switching.models import SupplyPoint, SupplyPointVersion

if TYPE_CHECKING:
    from kouiki.identity.models import User


def point_for_number(
    number: str, *, field: str = "supply_point_number"
) -> tuple[SupplyPoint, SupplyPointVersion]:
    """The supply point and its current data; a malformed number is refused naming ``field``, an
    unknown one is NotFound."""
    try:
        validate_supply_point_number(number or "")
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], code=error.code, field=field) from error
    version = (
        SupplyPointVersion.objects.select_related("supply_point", "retailer")
        .filter(supply_point__number=normalize_supply_point_number(number), valid_to__isnull=True)
        .first()
    )
    if version is None:
        raise NotFound(
            "指定された供給地点特定番号の供給地点はありません。", code="supply_point_not_found", field=field
        )
    return version.supply_point, version


def lock_point(point: SupplyPoint) -> SupplyPointVersion:
    """Lock the point for this transaction and return its current data as now committed."""
    SupplyPoint.objects.select_for_update().filter(pk=point.pk).get()
    return SupplyPointVersion.objects.select_related("retailer").get(
        supply_point=point, valid_to__isnull=True
    )


def require_voltage(point: SupplyPoint, voltage: str, label: str) -> None:
    if point.voltage != voltage:
        raise ValidationFailed(
            f"この供給地点は{point.get_voltage_display()}です。{label}の機能では申し込めません。",
            code="voltage_mismatch",
            field="supply_point_number",
        )


def require_current_retailer(actor: User, version: SupplyPointVersion) -> None:
    """Only the current retailer may change the point (issue 7: L04, L05, L12, L13)."""
    if version.retailer_id is None or version.retailer_id != actor.organization_id:
        raise Forbidden(
            "この供給地点の現在の小売電気事業者ではないため、申し込めません。", code="not_current_retailer"
        )
