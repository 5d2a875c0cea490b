"""The switching date on the business calendar and the operators' lead times (ADR 11)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kouiki.core.calendar import JST
from kouiki.switching.services import dates


@pytest.mark.parametrize(
    ("filed_on", "meter_work", "earliest"),
    [
        (date(2026, 11, 2), False, date(2026, 11, 6)),  # 11-03 文化の日: 1 business day is 11-04
        (date(2026, 11, 6), False, date(2026, 11, 11)),  # a Friday: the next business day is Monday
        (date(2026, 11, 2), True, date(2026, 11, 15)),  # 8 business days: 11-13, + 2 days
        (date(2026, 12, 28), False, date(2027, 1, 6)),  # the year-end closing days 12-29..01-03
    ],
)
def test_earliest_date_counts_business_days_then_calendar_days(
    filed_on: date, meter_work: bool, earliest: date
) -> None:
    assert dates.earliest_date(filed_on=filed_on, area="03", voltage="low", meter_work=meter_work) == earliest


def test_the_switching_date_is_the_next_reading_day_unless_a_later_date_is_desired() -> None:
    common: dict[str, Any] = {"area": "03", "voltage": "low", "meter_work": False}
    assert dates.switching_date(filed_on=date(2026, 11, 2), reading_day="10", **common) == date(2026, 11, 10)
    assert dates.switching_date(filed_on=date(2026, 11, 2), reading_day="05", **common) == date(2026, 12, 5)
    assert dates.switching_date(filed_on=date(2026, 11, 2), reading_day="", **common) == date(2026, 11, 6)
    assert dates.switching_date(
        filed_on=date(2026, 11, 2), reading_day="10", desired_date=date(2026, 11, 20), **common
    ) == date(2026, 11, 20)


def test_a_reading_day_past_the_months_end_is_its_last_day() -> None:
    assert dates.next_reading_day(date(2027, 2, 1), "31") == date(2027, 2, 28)
    assert dates.next_reading_day(date(2027, 3, 1), "31") == date(2027, 3, 31)


def test_lead_times_are_settings_per_operator_and_voltage(settings: Any) -> None:
    settings.KOUIKI_SWITCHING_LEAD_TIMES = {
        "default": {"low": {"standard": [1, 2], "meter_work": [8, 2]}},
        "10": {"low": {"standard": [3, 0]}},
    }
    assert dates.lead_time(area="10", voltage="low", meter_work=False) == (3, 0)
    assert dates.lead_time(area="10", voltage="low", meter_work=True) == (8, 2)  # falls back to default
    assert dates.lead_time(area="03", voltage="low", meter_work=False) == (1, 2)


def test_the_deadline_of_a_desired_date_is_the_end_of_the_last_filing_day() -> None:
    deadline = dates.pair_deadline(
        registered_on=date(2026, 11, 2),
        area="03",
        voltage="low",
        meter_work=False,
        desired_date=date(2026, 11, 23),
    )
    # From Thu 11-19: 1 business day → Fri 11-20, + 2 days → 11-22 <= 11-23; from Fri 11-20 the
    # next business day is Tue 11-24 (11-23 勤労感謝の日 is a Monday).
    assert deadline == datetime(2026, 11, 20, tzinfo=JST)  # the end of 11-19


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)), st.booleans())
def test_the_last_filing_day_reaches_the_desired_date_and_the_next_day_does_not(
    day: date, meter_work: bool
) -> None:
    common: dict[str, Any] = {"area": "03", "voltage": "low", "meter_work": meter_work}
    last = dates.last_filing_day(desired_date=day, **common)
    assert dates.earliest_date(filed_on=last, **common) <= day
    assert dates.earliest_date(filed_on=last + (date(2000, 1, 2) - date(2000, 1, 1)), **common) > day
