"""Dates of a switch, on the business calendar (kouiki.core.calendar).

The switching date is the first regular meter-reading day (検針日) on or after the operator's
standard lead time has passed, unless the customer asked for a later date (ADR 11, issue 7). The
lead time is kept in settings per operator (area) and voltage, as business days and then calendar
days: for low voltage 1 business day + 2 calendar days without meter work, 8 business days + 2
calendar days when the meter must be replaced (no smart meter yet).

The deadline of a switch is the moment by which both the スイッチング開始申請 (05) and the
スイッチング廃止申請 (03) must be in: for a desired date, the end of the last day from which the
lead time still reaches it; otherwise a number of business days after the registration.

A desired date may be at most one year ahead (`latest_desired_date`; the services refuse a later
one). Arithmetic that would still run past the calendar's end (year 9999) raises DateOutOfRange, a
refusal of the input, never an OverflowError.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from kouiki.core.calendar import JST, add_business_days
from kouiki.core.errors import ValidationFailed

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


def lead_time(*, area: str, voltage: str, meter_work: bool) -> tuple[int, int]:
    """(business days, calendar days) of the operator of ``area`` for ``voltage``."""
    table = settings.KOUIKI_SWITCHING_LEAD_TIMES
    kind = "meter_work" if meter_work else "standard"
    for key in (area, "default"):
        entry = table.get(key, {}).get(voltage, {})
        if kind in entry:
            business, calendar_days = entry[kind]
            return int(business), int(calendar_days)
    raise ImproperlyConfigured(f"KOUIKI_SWITCHING_LEAD_TIMES has no {voltage}/{kind} for area {area}")


def earliest_date(*, filed_on: date, area: str, voltage: str, meter_work: bool) -> date:
    """The first day a switch filed (matched) on ``filed_on`` can take effect."""
    business, calendar_days = lead_time(area=area, voltage=voltage, meter_work=meter_work)
    try:
        return add_business_days(filed_on, business) + timedelta(days=calendar_days)
    except OverflowError:
        raise DateOutOfRange(field="desired_date") from None


def next_reading_day(day: date, reading_day: str) -> date:
    """The first 検針日 on or after ``day``; ``reading_day`` is the day of the month ("01".."31",
    the month's last day when it is shorter). Without a usable reading day, ``day`` itself."""
    if not (reading_day.isdigit() and 1 <= int(reading_day) <= 31):
        return day
    wanted = int(reading_day)
    year, month = day.year, day.month
    while True:
        candidate = date(year, month, min(wanted, calendar.monthrange(year, month)[1]))
        if candidate >= day:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def switching_date(
    *,
    filed_on: date,
    area: str,
    voltage: str,
    meter_work: bool,
    reading_day: str,
    desired_date: date | None = None,
) -> date:
    """The switching date of a switch filed on ``filed_on``: the desired date when there is one
    (the caller has checked it is not too early), else the first reading day after the lead time."""
    if desired_date is not None:
        return desired_date
    earliest = earliest_date(filed_on=filed_on, area=area, voltage=voltage, meter_work=meter_work)
    return next_reading_day(earliest, reading_day)


def last_filing_day(*, desired_date: date, area: str, voltage: str, meter_work: bool) -> date:
    """The last day from which the lead time still reaches ``desired_date``."""
    day = desired_date
    while earliest_date(filed_on=day, area=area, voltage=voltage, meter_work=meter_work) > desired_date:
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
    *, registered_on: date, area: str, voltage: str, meter_work: bool, desired_date: date | None
) -> datetime:
    """By when both the 05 and the 03 of a switch registered on ``registered_on`` must be in."""
    if desired_date is not None:
        last = last_filing_day(desired_date=desired_date, area=area, voltage=voltage, meter_work=meter_work)
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
