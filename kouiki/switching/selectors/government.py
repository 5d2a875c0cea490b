"""Reads of the switching hub for a provision to a government agency (X-G1): applications and
switches of a period, without any personal data — no customer's name, address, contract number
or 供給地点特定番号, no contact person (seed 001 lets the hub's personal data be used only for the
joint use of its §4.1; docs/decisions/0036). Staff only; the government app declares the columns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from kouiki.identity.access import require_staff
from kouiki.switching.models import Application, Switch

if TYPE_CHECKING:
    from kouiki.identity.models import User


def application_rows(
    *, actor: User, since: datetime, until: datetime, organization_codes: list[str]
) -> Iterator[dict[str, Any]]:
    """Applications received in [since, until) (only those of `organization_codes` when given)."""
    require_staff(actor)
    found = Application.objects.filter(created_at__gte=since, created_at__lt=until).select_related(
        "organization"
    )
    if organization_codes:
        found = found.filter(organization__code__in=organization_codes)
    for application in found.order_by("created_at", "pk").iterator(chunk_size=1000):
        yield {
            "reception_number": application.reception_number,
            "code": application.organization.code,
            "kind": application.get_kind_display(),
            "application_type": application.application_type,
            "area": application.get_area_display(),
            "voltage": application.get_voltage_display(),
            "state": application.get_state_display(),
            "desired_date": application.desired_date,
            "switching_date": application.switching_date,
            "created_at": application.created_at,
            "finished_at": application.finished_at,
        }


def switch_rows(
    *, actor: User, since: datetime, until: datetime, organization_codes: list[str]
) -> Iterator[dict[str, Any]]:
    """Switches (廃止取次) registered in [since, until) (only those whose new or current retailer
    is one of `organization_codes` when given)."""
    require_staff(actor)
    found = Switch.objects.filter(created_at__gte=since, created_at__lt=until).select_related(
        "new_retailer", "current_retailer"
    )
    if organization_codes:
        found = found.filter(
            Q(new_retailer__code__in=organization_codes) | Q(current_retailer__code__in=organization_codes)
        )
    for switch in found.order_by("created_at", "pk").iterator(chunk_size=1000):
        yield {
            "number": switch.number,
            "area": switch.get_area_display(),
            "voltage": switch.get_voltage_display(),
            "new_retailer": switch.new_retailer.code,
            "current_retailer": switch.current_retailer.code,
            "state": switch.get_state_display(),
            "decision": switch.get_decision_display(),
            "ng_reason": switch.get_ng_reason_display(),
            "desired_date": switch.desired_date,
            "switching_date": switch.switching_date,
            "created_at": switch.created_at,
            "closed_at": switch.closed_at,
        }
