"""Back office: the organization's closing days (本機関休業日, CAP-H1), set by staff and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import service_hours
from kouiki.core.service_hours import ClosingDayInfo
from kouiki.identity.access import require_staff


def add_closing_day(*, actor: Any, day: date, reason: str = "") -> ClosingDayInfo:
    """Close the capacity market system on `day` besides weekends, holidays and 12/29-1/3."""
    require_staff(actor)
    with transaction.atomic():
        closing = service_hours.add_closing_day(day=day, reason=reason)
        record(
            actor=actor,
            action=Action.CALENDAR_CLOSING_DAY_ADD,
            system="capacity",
            detail={"day": closing.day.isoformat(), "reason": closing.reason},
        )
    return closing


def remove_closing_day(*, actor: Any, pk: int) -> ClosingDayInfo:
    """Open again a day set as a closing day."""
    require_staff(actor)
    with transaction.atomic():
        closing = service_hours.remove_closing_day(pk=pk)
        record(
            actor=actor,
            action=Action.CALENDAR_CLOSING_DAY_REMOVE,
            system="capacity",
            detail={"day": closing.day.isoformat(), "reason": closing.reason},
        )
    return closing
