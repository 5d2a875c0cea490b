"""Service hours of the capacity market system (CAP-H1) and the organization's closing days.

Seed 002 2.2: the capacity market system is provided on the organization's business days (平日)
from 9:00 to 18:00 Japan time. A business day is what `kouiki.core.calendar` says (no weekend, no
national holiday, not 12/29-1/3) and not a `ClosingDay` set in the back office. Outside those
hours every participant path of the system (`/capacity/…` screens, `/api/capacity/…` API) answers
503 with the next opening time (kouiki.core.availability, which answers for the stops of X-S1 as
well); static files and the back office are always open.

`KOUIKI_CAPACITY_ALWAYS_OPEN` opens the system around the clock (the demo, and the tests of other
screens); see docs/decisions/0013-terms-notices-service-hours.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from kouiki.core import calendar
from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.core.models import ClosingDay

OPENS = time(9, 0)
CLOSES = time(18, 0)
# How far ahead the next opening is looked for (a year covers any run of closed days).
_LOOKAHEAD = timedelta(days=400)
_WEEKDAYS = "月火水木金土日"

__all__ = [
    "CLOSES",
    "OPENS",
    "ClosingDayInfo",
    "add_closing_day",
    "always_open",
    "closing_days",
    "format_opening",
    "is_open",
    "next_opening",
    "remove_closing_day",
]


@dataclass(frozen=True)
class ClosingDayInfo:
    """A closing day as the back office shows it (the model stays inside core)."""

    pk: int
    day: date
    reason: str


# --- closing days (本機関休業日) -------------------------------------------------------------------


def _closed_days(start: date, end: date) -> frozenset[date]:
    return frozenset(ClosingDay.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))


def closing_days(*, start: date | None = None, end: date | None = None) -> list[ClosingDayInfo]:
    """The closing days set in the back office, oldest first, optionally from `start` to `end`."""
    days = ClosingDay.objects.order_by("day")
    if start is not None:
        days = days.filter(day__gte=start)
    if end is not None:
        days = days.filter(day__lte=end)
    return [ClosingDayInfo(pk=row.pk, day=row.day, reason=row.reason) for row in days]


def add_closing_day(*, day: date, reason: str = "") -> ClosingDayInfo:
    """Write one closing day (the caller, a staff service, checks the right and audits)."""
    try:
        with transaction.atomic():
            row = ClosingDay.objects.create(day=day, reason=reason.strip()[:100])
    except IntegrityError:
        raise ValidationFailed(f"{day:%Y/%m/%d} は既に休業日に登録されています。", field="day") from None
    return ClosingDayInfo(pk=row.pk, day=row.day, reason=row.reason)


def remove_closing_day(*, pk: int) -> ClosingDayInfo:
    """Delete one closing day; NotFound when it is not (or no longer) there."""
    row = ClosingDay.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound("指定された休業日は登録されていません。")
    info = ClosingDayInfo(pk=row.pk, day=row.day, reason=row.reason)
    row.delete()
    return info


# --- the hours ----------------------------------------------------------------------------------


@implements("CAP-H1")
def is_open(moment: datetime | None = None) -> bool:
    """Whether the capacity market system is in service at `moment` (now by default):
    a business day, from 9:00 (included) to 18:00 (excluded) Japan time."""
    local = (moment or calendar.now_jst()).astimezone(calendar.JST)
    if not calendar.is_business_day(local.date()) or not OPENS <= local.time() < CLOSES:
        return False
    # Only a day the calendar keeps open needs the database.
    return not ClosingDay.objects.filter(day=local.date()).exists()


def next_opening(moment: datetime | None = None) -> datetime:
    """When the service (next) opens after `moment`: today at 9:00 when `moment` is before it on a
    business day, else 9:00 of the next business day (aware, Japan time)."""
    local = (moment or calendar.now_jst()).astimezone(calendar.JST)
    today = local.date()
    closed = _closed_days(today, today + _LOOKAHEAD)
    if calendar.is_business_day(today, closed) and local.time() < OPENS:
        day = today
    else:
        day = calendar.next_business_day(today, closed)
    return datetime.combine(day, OPENS, tzinfo=calendar.JST)


def format_opening(moment: datetime) -> str:
    """'2025年1月6日(月) 9:00' for the page and the API's detail."""
    local = moment.astimezone(calendar.JST)
    weekday = _WEEKDAYS[local.weekday()]
    return f"{local.year}年{local.month}月{local.day}日（{weekday}） {local.hour}:{local.minute:02d}"


HOURS_TEXT = (
    "本機関の営業日（土曜日・日曜日・国民の祝日・年末年始（12月29日〜1月3日）および本機関の休業日を除く日）"
    "の9:00〜18:00"
)


def always_open() -> bool:
    """Whether the setting opens the system around the clock (the demo; never in production)."""
    return bool(settings.KOUIKI_CAPACITY_ALWAYS_OPEN)
