"""The organization's business calendar and Japan time.

A business day (営業日) is a weekday that is neither a Japanese public holiday (国民の祝日 and
振替休日, from the ``holidays`` package) nor one of the organization's year-end closing days
(12/29 to 1/3), nor a day the caller names in ``extra_closed`` (closing days set in the back
office, e.g. for the capacity market, are passed in by the caller: this module knows no model).

Dates are calendar dates in Japan; get today's with ``today_jst()``, never ``date.today()``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.db.models import Model, QuerySet
from django.utils import timezone

JST = ZoneInfo("Asia/Tokyo")

_ONE_DAY = timedelta(days=1)


# The widest days a date filter may name: past them a day's start, made an aware datetime and moved to
# UTC, overflows (year 1, year 9999). No record of ours lies outside them.
_EARLIEST_DAY = date(1900, 1, 1)
_LATEST_DAY = date(9998, 12, 31)


# The years a date typed into the systems may name (a meeting, a notice's period, a fiscal year):
# year 1 or 9999 is a slip of the keyboard, and would overflow on the way to UTC.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def year_out_of_range(label: str, value: date | None) -> str | None:
    """The Japanese message for a date outside FIRST_YEAR..LAST_YEAR, None when it is inside."""
    if value is None or FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return f"{label}は{FIRST_YEAR}年から{LAST_YEAR}年までの日時で入力してください。"


def day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """The instants a filter "from `date_from` to `date_to`, both days included (Japan time)" spans:
    (start, included; end, excluded), None where the day is not given. Bounds on the timestamp itself
    (not `__date`) let an index on it serve the range."""
    start = end = None
    if date_from is not None:
        start = datetime.combine(min(max(date_from, _EARLIEST_DAY), _LATEST_DAY), datetime.min.time(), JST)
    if date_to is not None:
        last = min(max(date_to, _EARLIEST_DAY), _LATEST_DAY)
        end = datetime.combine(last + _ONE_DAY, datetime.min.time(), JST)
    return start, end


def on_days[M: Model](
    found: QuerySet[M], field: str, date_from: date | None, date_to: date | None
) -> QuerySet[M]:
    """`found` limited to the rows whose timestamp `field` falls on the days from `date_from` to
    `date_to`, both included, in Japan time (`day_bounds`); a day not given bounds nothing."""
    start, end = day_bounds(date_from, date_to)
    if start:
        found = found.filter(**{f"{field}__gte": start})
    if end:
        found = found.filter(**{f"{field}__lt": end})
    return found


def now_jst() -> datetime:
    """The current time as an aware datetime in Japan time (follows a faked clock in tests)."""
    return timezone.now().astimezone(JST)


def today_jst() -> date:
    return now_jst().date()


@functools.cache
def _public_holidays(year: int) -> Mapping[date, str]:
    # One fresh, fully populated object per year: a shared HolidayBase fills years lazily on
    # lookup, which is not safe across threads.
    return dict(holidays.country_holidays("JP", years=year, language="ja").items())


def public_holiday_name(day: date) -> str | None:
    """The name of the Japanese public holiday on ``day`` (e.g. 元日, 振替休日), or None."""
    return _public_holidays(day.year).get(day)


def is_public_holiday(day: date) -> bool:
    return day in _public_holidays(day.year)


def is_closing_day(day: date) -> bool:
    """The organization's year-end and new-year closing days, 12/29 to 1/3 (年末年始休業日)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: date, extra_closed: Iterable[date] = ()) -> bool:
    if isinstance(day, datetime):
        # A datetime never equals a date, so the holiday lookups would silently miss.
        raise TypeError("pass a date in Japan time: moment.astimezone(JST).date()")
    if day.weekday() >= 5 or is_closing_day(day) or is_public_holiday(day):
        return False
    return day not in _as_set(extra_closed)


def _as_set(days: Iterable[date]) -> frozenset[date] | set[date]:
    return days if isinstance(days, (frozenset, set)) else frozenset(days)


def _step(day: date, direction: int, closed: frozenset[date] | set[date]) -> date:
    day += direction * _ONE_DAY
    while not is_business_day(day, closed):
        day += direction * _ONE_DAY
    return day


def next_business_day(day: date, extra_closed: Iterable[date] = ()) -> date:
    """The first business day after ``day`` (``day`` itself never counts)."""
    return _step(day, 1, _as_set(extra_closed))


def previous_business_day(day: date, extra_closed: Iterable[date] = ()) -> date:
    """The last business day before ``day`` (``day`` itself never counts)."""
    return _step(day, -1, _as_set(extra_closed))


def add_business_days(day: date, n: int, extra_closed: Iterable[date] = ()) -> date:
    """The n-th business day after ``day`` (before it when n < 0); ``day`` itself never counts.

    So the 3rd business day after a Saturday is the Wednesday (when no holiday intervenes).
    With n == 0: ``day`` when it is a business day, else the next business day (a deadline
    that falls on a closed day moves to the next business day).
    """
    closed = _as_set(extra_closed)
    if n == 0:
        return day if is_business_day(day, closed) else _step(day, 1, closed)
    direction = 1 if n > 0 else -1
    for _ in range(abs(n)):
        day = _step(day, direction, closed)
    return day


def business_days_between(start: date, end: date, extra_closed: Iterable[date] = ()) -> int:
    """How many business days from ``start`` to ``end``: those after ``start``, up to ``end``.

    When ``end`` is before ``start`` the count is negative: minus the business days from
    ``end`` (included) up to ``start`` (excluded). For a business day ``end``,
    ``add_business_days(start, business_days_between(start, end)) == end``.
    """
    closed = _as_set(extra_closed)
    if end >= start:
        first, last, sign = start + _ONE_DAY, end, 1
    else:
        first, last, sign = end, start - _ONE_DAY, -1
    count = 0
    day = first
    while day <= last:
        count += is_business_day(day, closed)
        day += _ONE_DAY
    return sign * count
