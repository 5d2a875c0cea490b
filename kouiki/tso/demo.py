"""The operators' demo: a 検針日程 calendar of every area for this month and the next 13, generated
(`reading_calendars.demo_calendar`) where none is loaded. Idempotent; registered with
kouiki.core.demo, so that `make run` each month adds the month that comes into reach."""

from __future__ import annotations

from kouiki.core.calendar import today_jst
from kouiki.tso.services.reading_calendars import load_demo_calendars

# This month and the next 13: a desired date is at most a year ahead, a planned date a month or two.
DEMO_MONTHS = 14


def load() -> int:
    return load_demo_calendars(first_month=today_jst(), months=DEMO_MONTHS)
