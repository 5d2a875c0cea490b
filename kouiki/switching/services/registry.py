"""Writes to the supply-point registry. Only the operators' side (the TSO adapter, the generator,
the demo) calls these: a participant never edits the registry directly.

A change never updates a version in place: `record_version` retires the open row (valid_to = the
new row's valid_from) and opens a new one, in one transaction, with the supply point locked
(`select_for_update`) so two changes of one point are serialized; the partial unique constraint
(one open version per point) is the database's last word if they are not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kouiki.core.errors import Conflict, ValidationFailed
from kouiki.core.japanese import normalize_supply_point_number, supply_point_area
from kouiki.switching.models import CLASS_VOLTAGE, SupplyPoint, SupplyPointVersion, Voltage
from kouiki.switching.models.registry import SEARCH_KEY_FIELDS, class_of_supply_point

# The fields a version carries (everything but its keys, bounds and search keys, which
# SupplyPointVersion.save computes from the fields).
VERSION_FIELDS = frozenset(
    f.name
    for f in SupplyPointVersion._meta.concrete_fields
    if f.name not in {"id", "supply_point", "valid_from", "valid_to", *SEARCH_KEY_FIELDS}
) | {"retailer_id"}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - VERSION_FIELDS
    if unknown:
        raise TypeError(f"unknown supply point version fields: {sorted(unknown)}")


def register_supply_point(
    *, number: str, voltage: str, valid_from: datetime, point_class: str | None = None, **fields: Any
) -> SupplyPointVersion:
    """A new point and its first version. A bad number, voltage or class is refused
    (ValidationFailed); a number already registered is a Conflict. Without ``point_class``, a
    supply point's class follows from its voltage and contract (FIT receiving points name theirs)."""
    _check_fields(fields)
    try:
        area = supply_point_area(number)
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], code=error.code, field="number") from error
    if voltage not in Voltage.values:
        raise ValidationFailed("電圧区分が正しくありません。", code="voltage_invalid", field="voltage")
    if point_class is None:
        point_class = class_of_supply_point(voltage, fields.get("contract_capacity"))
    if CLASS_VOLTAGE.get(point_class) != voltage:
        raise ValidationFailed(
            "地点区分が電圧区分と合いません。", code="point_class_invalid", field="point_class"
        )
    normalized = normalize_supply_point_number(number)
    with transaction.atomic():
        if SupplyPoint.objects.filter(number=normalized).exists():
            raise Conflict("この供給地点特定番号は登録済みです。", code="supply_point_exists", field="number")
        point = SupplyPoint.objects.create(
            number=normalized, area=area.value, voltage=voltage, point_class=point_class
        )
        return SupplyPointVersion.objects.create(supply_point=point, valid_from=valid_from, **fields)


def record_version(*, supply_point: SupplyPoint, valid_from: datetime, **fields: Any) -> SupplyPointVersion:
    """Retire the open version at ``valid_from`` and open a new one: the open version's data with
    ``fields`` changed. ``valid_from`` must be later than the open version's start."""
    _check_fields(fields)
    with transaction.atomic():
        SupplyPoint.objects.select_for_update().get(pk=supply_point.pk)
        open_version = SupplyPointVersion.objects.filter(
            supply_point=supply_point, valid_to__isnull=True
        ).first()
        data: dict[str, Any] = {}
        if open_version is not None:
            if valid_from <= open_version.valid_from:
                raise ValidationFailed(
                    "適用開始は現在の供給地点情報の適用開始より後の日時にしてください。",
                    code="valid_from_not_after_current",
                    field="valid_from",
                )
            data = {name: getattr(open_version, name) for name in VERSION_FIELDS if name != "retailer"}
            open_version.valid_to = valid_from
            open_version.save(update_fields=["valid_to"])
        if "retailer" in fields:
            data.pop("retailer_id", None)
        data.update(fields)
        return SupplyPointVersion.objects.create(supply_point=supply_point, valid_from=valid_from, **data)
