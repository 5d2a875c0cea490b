"""The business calendar: weekends, Japanese public holidays, 12/29-1/3, and days the caller closes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from kouiki.core.calendar import (
    JST,
    add_business_days,
    business_days_between,
    is_business_day,
    is_closing_day,
    is_public_holiday,
    next_business_day,
    now_jst,
    previous_business_day,
    public_holiday_name,
    today_jst,
)

FAST = settings(max_examples=60, deadline=None)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1))


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2024, 12, 27), True),  # Friday before the year-end closing
        (date(2024, 12, 28), False),  # Saturday
        (date(2024, 12, 30), False),  # Monday, closing day
        (date(2025, 1, 3), False),  # Friday, closing day
        (date(2025, 1, 6), True),  # first business day of 2025
        (date(2025, 1, 13), False),  # 成人の日
        (date(2025, 2, 24), False),  # 振替休日 for 天皇誕生日 on Sunday
        (date(2025, 5, 6), False),  # 振替休日: みどりの日 5/4 fell on a Sunday
        (date(2025, 5, 7), True),
        (date(2025, 12, 26), True),
        (date(2025, 12, 29), False),
    ],
)
def test_is_business_day(day: date, open_: bool) -> None:
    assert is_business_day(day) is open_


def test_holiday_names_come_from_the_holidays_package_in_japanese() -> None:
    assert public_holiday_name(date(2025, 1, 13)) == "成人の日"
    assert public_holiday_name(date(2025, 2, 24)) == "振替休日"
    assert public_holiday_name(date(2025, 1, 14)) is None
    assert is_public_holiday(date(2025, 1, 1))


@pytest.mark.parametrize(
    ("day", "closing"),
    [
        (date(2025, 12, 28), False),
        (date(2025, 12, 29), True),
        (date(2026, 1, 3), True),
        (date(2026, 1, 4), False),
    ],
)
def test_the_year_end_closing_days(day: date, closing: bool) -> None:
    assert is_closing_day(day) is closing


def test_closing_days_set_by_the_back_office_are_passed_in() -> None:
    assert not is_business_day(date(2025, 1, 14), extra_closed=[date(2025, 1, 14)])
    assert add_business_days(date(2025, 1, 11), 3, extra_closed={date(2025, 1, 14)}) == date(2025, 1, 17)


def test_next_and_previous_business_day_skip_the_new_year() -> None:
    assert next_business_day(date(2024, 12, 27)) == date(2025, 1, 6)
    assert previous_business_day(date(2025, 1, 6)) == date(2024, 12, 27)
    assert next_business_day(date(2025, 5, 2)) == date(2025, 5, 7)


def test_add_business_days_counts_from_the_day_after() -> None:
    saturday = date(2025, 1, 11)
    # Monday 1/13 is 成人の日: the 1st, 2nd, 3rd business days are 1/14, 1/15, 1/16.
    assert add_business_days(saturday, 3) == date(2025, 1, 16)
    assert add_business_days(date(2025, 1, 16), -3) == date(2025, 1, 10)


def test_add_zero_business_days_moves_a_closed_day_forward() -> None:
    assert add_business_days(date(2025, 1, 7), 0) == date(2025, 1, 7)
    assert add_business_days(date(2025, 1, 1), 0) == date(2025, 1, 6)


def test_business_days_between() -> None:
    assert business_days_between(date(2024, 12, 27), date(2025, 1, 10)) == 5
    assert business_days_between(date(2025, 1, 10), date(2024, 12, 27)) == -5
    assert business_days_between(date(2025, 1, 10), date(2025, 1, 10)) == 0


def test_a_datetime_is_refused_rather_than_misread() -> None:
    with pytest.raises(TypeError):
        is_business_day(datetime(2025, 1, 13, 9, 0, tzinfo=JST))


@FAST
@given(day=days, n=st.integers(min_value=-40, max_value=40))
def test_add_and_count_are_inverse(day: date, n: int) -> None:
    target = add_business_days(day, n)
    assert is_business_day(target)
    if n:
        assert business_days_between(day, target) == n
        assert (target > day) is (n > 0)


@FAST
@given(day=days)
def test_next_business_day_is_the_first_open_day_after(day: date) -> None:
    following = next_business_day(day)
    assert following > day
    assert is_business_day(following)
    assert all(not is_business_day(day + timedelta(days=i)) for i in range(1, (following - day).days))
    if is_business_day(day):
        assert previous_business_day(following) == day


def test_now_jst_follows_the_clock_in_japan_time() -> None:
    with time_machine.travel(datetime(2025, 1, 5, 15, 30, tzinfo=UTC), tick=False):
        now = now_jst()
        assert now.utcoffset() == timedelta(hours=9)
        assert (now.year, now.month, now.day, now.hour, now.minute) == (2025, 1, 6, 0, 30)
        assert today_jst() == date(2025, 1, 6)
        assert is_business_day(today_jst())
