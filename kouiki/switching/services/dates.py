"""Dates of a switch, on the business calendar (kouiki.core.calendar).

The switching date is the first regular meter-reading day (検針日) on or after the operator's
standard lead time has passed, unless the customer asked for a later date (ADR 11, issue 7). The
lead time is kept in settings per operator (area) and point class (`KOUIKI_SWITCHING_LEAD_TIMES`,
ADR 25), as business days and then calendar days, counted from the day of matching: low voltage
(and FIT-graduated) 1 business day + 2 days, 8 business days + 2 days when the meter must be
replaced; high voltage under 500 kW 8 business days, with meter work 20 business days (three
weeks in Shikoku); 500 kW and more and extra-high voltage 10 business days.

A point's 検針日 is not a day of the month but its 検針日程, a schedule code that the operator's
calendar of each month maps to a date (kouiki.tso, ADR 25). A point without one switches on the
earliest date. A month whose calendar is not loaded, or a code it does not list, is a refusal
(`ReadingScheduleUnavailable`, 409) that says so, never a guessed date.

The deadline of a switch is the moment by which both the スイッチング開始申請 (05) and the
スイッチング廃止申請 (03) must be in: for a desired date, the end of the last day from which the
lead time still reaches it; otherwise a number of business days after the registration.

A desired date may be at most one year ahead (`latest_desired_date`; the services refuse a later
one). Arithmetic that would still run past the calendar's end (year 9999) raises DateOutOfRange, a
refusal of the input, never an OverflowError.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from kouiki.core.calendar import JST, add_business_days
from kouiki.core.errors import ValidationFailed
from kouiki.tso import selectors as tso_selectors

DESIRED_DATE_HORIZON_YEARS = 1


class DateOutOfRange(ValidationFailed):
    """A date so far ahead that the dates of a switch cannot be computed from it (422)."""

    code = "date_out_of_range"
    default_message = "日付が遠すぎるため、期限・予定日を計算できません。日付を確認してください。"


def latest_desired_date(today: date) -> date:
    """The last day a desired date may name: the same day one year after ``today`` (a 29 February
    gives 28 February)."""
    year = today.year + DESIRED_DATE_HORIZON_YEARS
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def lead_time(*, area: str, point_class: str, meter_work: bool) -> tuple[int, int]:
    """(business days, calendar days) of the operator of ``area`` for a point of ``point_class``
    ("low", "high", "high_large", "extra_high", "fit_graduated"); the area's own entry, else
    "default". A class without one (a FIT point is never switched) is a configuration error."""
    table = settings.KOUIKI_SWITCHING_LEAD_TIMES
    kind = "meter_work" if meter_work else "standard"
    for key in (area, "default"):
        entry = table.get(key, {}).get(point_class, {})
        if kind in entry:
            business, calendar_days = entry[kind]
            return int(business), int(calendar_days)
    raise ImproperlyConfigured(f"KOUIKI_SWITCHING_LEAD_TIMES has no {point_class}/{kind} for area {area}")


def earliest_date(*, filed_on: date, area: str, point_class: str, meter_work: bool) -> date:
    """The first day a switch filed (matched) on ``filed_on`` can take effect."""
    business, calendar_days = lead_time(area=area, point_class=point_class, meter_work=meter_work)
    try:
        return add_business_days(filed_on, business) + timedelta(days=calendar_days)
    except OverflowError:
        raise DateOutOfRange(field="desired_date") from None


def next_reading_day(day: date, area: str, code: str) -> date:
    """The first 検針日 on or after ``day`` of a point of 検針日程 ``code`` in ``area``, from the
    operator's calendar (kouiki.tso). A point without a 検針日程 (``code`` empty): ``day`` itself.

    Raises tso's ReadingScheduleUnavailable (409) when the calendar of a month it must read is not
    loaded or does not list ``code``."""
    if not code:
        return day
    return tso_selectors.reading_date(area=area, code=code, on_or_after=day)


def switching_date(
    *,
    filed_on: date,
    area: str,
    point_class: str,
    meter_work: bool,
    reading_code: str,
    desired_date: date | None = None,
) -> date:
    """The switching date of a switch filed on ``filed_on``: the desired date when there is one
    (the caller has checked it is not too early), else the first 検針日 of the point's 検針日程
    ``reading_code`` after the lead time."""
    if desired_date is not None:
        return desired_date
    earliest = earliest_date(filed_on=filed_on, area=area, point_class=point_class, meter_work=meter_work)
    return next_reading_day(earliest, area, reading_code)


def last_filing_day(*, desired_date: date, area: str, point_class: str, meter_work: bool) -> date:
    """The last day from which the lead time still reaches ``desired_date``."""
    day = desired_date
    while (
        earliest_date(filed_on=day, area=area, point_class=point_class, meter_work=meter_work) > desired_date
    ):
        day -= timedelta(days=1)
    return day


def end_of_day(day: date) -> datetime:
    """Midnight (JST) after ``day``: the deadline "by the end of ``day``"."""
    try:
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=JST)
    except OverflowError:
        raise DateOutOfRange(field="desired_date") from None


def start_of_day(day: date) -> datetime:
    """Midnight (JST) at the start of ``day``: when a change effective on ``day`` applies."""
    return datetime.combine(day, time.min, tzinfo=JST)


def pair_deadline(
    *, registered_on: date, area: str, point_class: str, meter_work: bool, desired_date: date | None
) -> datetime:
    """By when both the 05 and the 03 of a switch registered on ``registered_on`` must be in."""
    if desired_date is not None:
        last = last_filing_day(
            desired_date=desired_date, area=area, point_class=point_class, meter_work=meter_work
        )
    else:
        last = add_business_days(registered_on, settings.KOUIKI_SWITCHING_PAIR_BUSINESS_DAYS)
    return end_of_day(last)


def require_future_date(value: date | None, field: str = "desired_date") -> None:
    """A desired date from today up to the horizon (dates.latest_desired_date): a date years ahead
    is a typing error, and the date arithmetic of a switch could not reach the calendar's end."""
    if value is None:
        return
    today = timezone.localdate()
    if value < today:
        raise ValidationFailed(
            "希望日には本日以降の日付を指定してください。", code="date_in_past", field=field
        )
    latest = latest_desired_date(today)
    if value > latest:
        raise ValidationFailed(
            f"希望日は本日から1年以内（{latest:%Y/%m/%d}まで）の日付を指定してください。",
            code="desired_date_too_far",
            field=field,
        )
