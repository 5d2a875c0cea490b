"""The point a retailer names: found by its 供給地点特定番号 (a FIT source's 受電地点特定番号), locked
for a change, and the rule every change of a point checks (its current retailer). Which line
serves which class of point is services/lines.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from kouiki.core.errors import Forbidden, NotFound, ValidationFailed
from kouiki.core.japanese import normalize_supply_point_number, validate_supply_point_number
from kouiki.identity.access import organization_of
from kouiki.switching.models import SupplyPoint, SupplyPointVersion

if TYPE_CHECKING:
    from kouiki.identity.models import User


def point_for_number(
    number: str, *, field: str = "supply_point_number", noun: str = "供給地点", retailer: bool = False
) -> tuple[SupplyPoint, SupplyPointVersion]:
    """The point and its current data; a malformed number is refused naming ``field``, an unknown
    one is NotFound (``noun``: 供給地点, or 受電地点 on the FIT line). With ``retailer``, the current
    retailer's row comes along (the rules ask only its id, `retailer_id`)."""
    refusal = number_refusal(number, field=field)
    if refusal is not None:
        raise refusal
    related = ("supply_point", "retailer") if retailer else ("supply_point",)
    version = (
        SupplyPointVersion.objects.select_related(*related)
        .filter(supply_point__number=normalize_supply_point_number(number), valid_to__isnull=True)
        .first()
    )
    if version is None:
        raise point_not_found(noun=noun, field=field)
    return version.supply_point, version


def number_refusal(number: str, *, field: str = "supply_point_number") -> ValidationFailed | None:
    """Why ``number`` is no 供給地点特定番号 (its form); None when it is one."""
    try:
        validate_supply_point_number(number or "")
    except ValidationError as error:
        return ValidationFailed(error.messages[0], code=error.code, field=field)
    return None


def point_not_found(*, noun: str = "供給地点", field: str = "supply_point_number") -> NotFound:
    return NotFound(
        f"指定された{noun}特定番号の{noun}はありません。", code="supply_point_not_found", field=field
    )


def current_versions(numbers: Iterable[str]) -> dict[str, SupplyPointVersion]:
    """The current data of the points numbered ``numbers`` (well-formed, normalized), by number, in
    one query: what `point_for_number` finds for each, for a batch (a bulk file's)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    versions = SupplyPointVersion.objects.select_related("supply_point", "retailer").filter(
        supply_point__number__in=wanted, valid_to__isnull=True
    )
    return {version.supply_point.number: version for version in versions}


def lock_point(point: SupplyPoint) -> SupplyPointVersion:
    """Lock the point for this transaction and return its current data as now committed."""
    SupplyPoint.objects.select_for_update().filter(pk=point.pk).get()
    return SupplyPointVersion.objects.select_related("retailer").get(
        supply_point=point, valid_to__isnull=True
    )


def require_current_retailer(actor: User, version: SupplyPointVersion, noun: str = "供給地点") -> None:
    """Only the current retailer may change the point (issue 7: L04, L05, L12, L13)."""
    if version.retailer_id is None or version.retailer_id != organization_of(actor):
        raise Forbidden(
            f"この{noun}の現在の小売電気事業者ではないため、申し込めません。", code="not_current_retailer"
        )
