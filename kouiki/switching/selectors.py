"""Reads of the supply-point registry: the current data of a point, its data at a moment, its
history. Numbers are normalized first (full-width digits, hyphens and spaces are accepted)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from kouiki.core.errors import NotFound
from kouiki.core.japanese import normalize_supply_point_number
from kouiki.switching.models import SupplyPointVersion


def _versions(number: str):
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
