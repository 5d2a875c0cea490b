"""Figures of the switching hub for the back office's overview (X-S1): how many applications were
filed per day, area and 業務. Staff only; counted in SQL over a bounded window.

The day is the filing day in Japan the 受付番号 begins with (YYYYMMDD, services/numbering.py), so
the window is a range of the 受付番号's unique index — never a scan of the whole table, which holds
millions of rows — and no time zone is converted in SQL. A day's figures cannot change once no
application can be filed with its number any more, so the days before yesterday are counted once
and kept in the shared cache; today and yesterday (a filing begun before midnight may commit after
it) are counted on every read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import Substr

from kouiki.core.calendar import today_jst
from kouiki.identity.access import require_staff
from kouiki.switching.models import Application

if TYPE_CHECKING:
    from kouiki.identity.models import User

# Days counted on every read (today and yesterday); the older ones are kept this long.
LIVE_DAYS = 2
KEPT_SECONDS = 15 * 86400


@dataclass(frozen=True)
class FiledCount:
    day: date
    area: str
    kind: str
    count: int


def _cache_key(day: date) -> str:
    return f"switching:filed-per-day:{day:%Y%m%d}"


def _counted(first: date, last: date) -> list[FiledCount]:
    """The applications filed from `first` to `last` (inclusive), per day, area and kind."""
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


def applications_per_day(*, actor: User, days: int, today: date | None = None) -> list[FiledCount]:
    """The applications filed on each of the last `days` days (today included), per area and 業務:
    one row per (day, area, kind) that has any."""
    require_staff(actor)
    last = today or today_jst()
    first = last - timedelta(days=days - 1)
    settled = [first + timedelta(days=offset) for offset in range(max(days - LIVE_DAYS, 0))]
    kept = cache.get_many([_cache_key(day) for day in settled])
    missing = [day for day in settled if _cache_key(day) not in kept]
    # Counted: from the first day not kept (every day before it is) to today.
    start = missing[0] if missing else last - timedelta(days=min(days, LIVE_DAYS) - 1)
    counted = _counted(start, last)
    by_day: dict[date, list[FiledCount]] = {}
    for row in counted:
        by_day.setdefault(row.day, []).append(row)
    cache.set_many({_cache_key(day): by_day.get(day, []) for day in settled if day >= start}, KEPT_SECONDS)
    return [row for day in settled if day < start for row in kept[_cache_key(day)]] + counted
