"""Figures of the switching hub for the back office's overview (X-S1): how many applications were
filed per day, area and 業務. Staff only; counted in SQL over a bounded window.

The day is the filing day in Japan the 受付番号 begins with (YYYYMMDD, services/numbering.py), so
the window is a range of the 受付番号's unique index — never a scan of the whole table, which holds
millions of rows — and no time zone is converted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models.functions import Substr

from kouiki.core.calendar import today_jst
from kouiki.identity.access import require_staff
from kouiki.switching.models import Application

if TYPE_CHECKING:
    from kouiki.identity.models import User


@dataclass(frozen=True)
class FiledCount:
    day: date
    area: str
    kind: str
    count: int


def applications_per_day(*, actor: User, days: int, today: date | None = None) -> list[FiledCount]:
    """The applications filed on each of the last `days` days (today included), per area and 業務:
    one row per (day, area, kind) that has any."""
    require_staff(actor)
    last = today or today_jst()
    first = last - timedelta(days=days - 1)
    rows = (
        Application.objects.filter(
            reception_number__gte=f"{first:%Y%m%d}",
            reception_number__lt=f"{last + timedelta(days=1):%Y%m%d}",
        )
        .annotate(day=Substr("reception_number", 1, 8))
        .values("day", "area", "kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [
        FiledCount(
            day=date(int(row["day"][:4]), int(row["day"][4:6]), int(row["day"][6:])),
            area=row["area"],
            kind=row["kind"],
            count=row["count"],
        )
        for row in rows
    ]
