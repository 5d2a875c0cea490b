"""The switching date on the business calendar: the operators' lead times per point class, and the
検針日 of a point as its 検針日程 resolved through the operator's calendar (ADR 11, ADR 25)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from kouiki.core.calendar import JST, is_business_day
from kouiki.core.japanese import Area
from kouiki.switching.services import dates
from kouiki.tso.choices import READING_CODES
from kouiki.tso.models import ReadingCalendar, ReadingDate
from kouiki.tso.selectors import ReadingScheduleUnavailable, next_month
from kouiki.tso.services.reading_calendars import demo_calendar

# Monday 2026-11-02; Tuesday 11-03 is 文化の日 and Monday 11-23 勤労感謝の日.
MONDAY = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("point_class", "area", "meter_work", "filed_on", "earliest"),
    [
        # Low voltage: 1 business day (11-03 is a holiday: 11-04) + 2 days.
        ("low", "03", False, MONDAY, date(2026, 11, 6)),
        ("low", "03", False, date(2026, 11, 6), date(2026, 11, 11)),  # a Friday: Monday + 2 days
        ("low", "03", True, MONDAY, date(2026, 11, 15)),  # 8 business days: 11-13, + 2 days
        ("low", "03", False, date(2026, 12, 28), date(2027, 1, 6)),  # the year-end closing 12-29..01-03
        # FIT-graduated receiving points are low voltage: the same.
        ("fit_graduated", "03", False, MONDAY, date(2026, 11, 6)),
        ("fit_graduated", "08", True, MONDAY, date(2026, 11, 15)),
        # High voltage under 500 kW: 8 business days (11-03 skipped).
        ("high", "03", False, MONDAY, date(2026, 11, 13)),
        ("high", "07", False, MONDAY, date(2026, 11, 13)),
        # ... with meter work: 20 business days in Chugoku (11-03 and 11-23 skipped) ...
        ("high", "07", True, MONDAY, date(2026, 12, 2)),
        # ... three weeks in Shikoku, from the day of matching (the next business day after a holiday).
        ("high", "08", True, MONDAY, date(2026, 11, 23)),
        ("high", "08", True, date(2026, 11, 3), date(2026, 11, 25)),
        # ... and 20 business days where an operator publishes no figure of its own.
        ("high", "03", True, MONDAY, date(2026, 12, 2)),
        # 500 kW and more, extra-high voltage: 10 business days.
        ("high_large", "03", False, MONDAY, date(2026, 11, 17)),
        ("extra_high", "06", False, MONDAY, date(2026, 11, 17)),
    ],
)
def test_the_lead_time_of_each_class_counts_business_days_then_calendar_days(
    point_class: str, area: str, meter_work: bool, filed_on: date, earliest: date
) -> None:
    assert (
        dates.earliest_date(filed_on=filed_on, area=area, point_class=point_class, meter_work=meter_work)
        == earliest
    )


def test_every_operator_has_a_lead_time_for_every_class_it_switches() -> None:
    for area in Area.values:
        for point_class in ("low", "fit_graduated", "high", "high_large", "extra_high"):
            for meter_work in (False, True):
                business, calendar_days = dates.lead_time(
                    area=area, point_class=point_class, meter_work=meter_work
                )
                assert business >= 0 and calendar_days >= 0 and business + calendar_days > 0


def test_a_fit_point_has_no_lead_time_it_is_never_switched() -> None:
    with pytest.raises(ImproperlyConfigured, match="fit/standard"):
        dates.lead_time(area="03", point_class="fit", meter_work=False)


def test_lead_times_are_settings_per_operator_and_class(settings: Any) -> None:
    settings.KOUIKI_SWITCHING_LEAD_TIMES = {
        "default": {"low": {"standard": [1, 2], "meter_work": [8, 2]}},
        "10": {"low": {"standard": [3, 0]}},
    }
    assert dates.lead_time(area="10", point_class="low", meter_work=False) == (3, 0)
    assert dates.lead_time(area="10", point_class="low", meter_work=True) == (8, 2)  # falls back to default
    assert dates.lead_time(area="03", point_class="low", meter_work=False) == (1, 2)


def test_the_deadline_of_a_desired_date_is_the_end_of_the_last_filing_day() -> None:
    deadline = dates.pair_deadline(
        registered_on=MONDAY,
        area="03",
        point_class="low",
        meter_work=False,
        desired_date=date(2026, 11, 23),
    )
    # From Thu 11-19: 1 business day → Fri 11-20, + 2 days → 11-22 <= 11-23; from Fri 11-20 the
    # next business day is Tue 11-24 (11-23 勤労感謝の日 is a Monday).
    assert deadline == datetime(2026, 11, 20, tzinfo=JST)  # the end of 11-19


def test_the_deadline_of_a_high_voltage_desired_date_counts_its_longer_lead_time() -> None:
    deadline = dates.pair_deadline(
        registered_on=MONDAY,
        area="07",
        point_class="high",
        meter_work=False,
        desired_date=date(2026, 11, 27),
    )
    # 8 business days (11-23 a holiday): from Mon 11-16 the 8th is Fri 11-27; from Tue 11-17, 11-30.
    assert deadline == datetime(2026, 11, 17, tzinfo=JST)  # the end of 11-16


@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    st.booleans(),
    st.sampled_from([("low", "03"), ("high", "07"), ("high", "08"), ("high_large", "01")]),
)
def test_the_last_filing_day_reaches_the_desired_date_and_the_next_day_does_not(
    day: date, meter_work: bool, class_and_area: tuple[str, str]
) -> None:
    point_class, area = class_and_area
    common: dict[str, Any] = {"area": area, "point_class": point_class, "meter_work": meter_work}
    last = dates.last_filing_day(desired_date=day, **common)
    assert dates.earliest_date(filed_on=last, **common) <= day
    assert dates.earliest_date(filed_on=last + timedelta(days=1), **common) > day


# --- 検針日程 -----------------------------------------------------------------------------------------

# Far from the months other tests' calendars cover.
JANUARY, FEBRUARY, MARCH = date(2031, 1, 1), date(2031, 2, 1), date(2031, 3, 1)


def calendar(area: str, month: date, **dates_by_code: date) -> None:
    """The operator's calendar of `month`: the dates given (code → date), the demo's for the rest."""
    loaded = ReadingCalendar.objects.create(area=area, month=month, filename="test.csv")
    found = demo_calendar(area, month) | {code.removeprefix("c"): day for code, day in dates_by_code.items()}
    ReadingDate.objects.bulk_create(
        ReadingDate(calendar=loaded, code=code, reading_date=day) for code, day in found.items()
    )


@pytest.mark.django_db
def test_a_code_resolves_to_its_date_of_the_month(django_assert_num_queries: Any) -> None:
    calendar("03", JANUARY, c10=date(2031, 1, 15))
    calendar("03", FEBRUARY, c10=date(2031, 2, 14))

    with django_assert_num_queries(1):
        assert dates.next_reading_day(date(2031, 1, 6), "03", "10") == date(2031, 1, 15)
    assert dates.next_reading_day(date(2031, 1, 15), "03", "10") == date(2031, 1, 15)  # on the day itself


@pytest.mark.django_db
def test_after_the_months_reading_the_next_months_date_is_taken() -> None:
    calendar("03", JANUARY, c10=date(2031, 1, 15))
    calendar("03", FEBRUARY, c10=date(2031, 2, 14))

    assert dates.next_reading_day(date(2031, 1, 16), "03", "10") == date(2031, 2, 14)
    assert dates.next_reading_day(date(2031, 1, 31), "03", "10") == date(2031, 2, 14)


@pytest.mark.django_db
def test_each_operator_has_its_own_calendar() -> None:
    calendar("03", JANUARY, c10=date(2031, 1, 15))
    calendar("06", JANUARY, c10=date(2031, 1, 20))

    assert dates.next_reading_day(date(2031, 1, 6), "06", "10") == date(2031, 1, 20)


@pytest.mark.django_db
def test_the_switching_date_is_the_first_reading_date_after_the_lead_time() -> None:
    calendar("03", JANUARY, c10=date(2031, 1, 15), c02=date(2031, 1, 7))
    calendar("03", FEBRUARY, c02=date(2031, 2, 4))
    common: dict[str, Any] = {"area": "03", "point_class": "low", "meter_work": False}

    # Filed Mon 2031-01-06: 1 business day → 01-07, + 2 days → 01-09.
    assert dates.switching_date(filed_on=date(2031, 1, 6), reading_code="10", **common) == date(2031, 1, 15)
    assert dates.switching_date(filed_on=date(2031, 1, 6), reading_code="02", **common) == date(2031, 2, 4)
    # A point without a 検針日程: the earliest date itself.
    assert dates.switching_date(filed_on=date(2031, 1, 6), reading_code="", **common) == date(2031, 1, 9)
    # A desired date needs no calendar.
    assert dates.switching_date(
        filed_on=date(2031, 1, 6), reading_code="10", desired_date=date(2031, 6, 30), **common
    ) == date(2031, 6, 30)


@pytest.mark.django_db
def test_a_month_without_a_calendar_is_a_refusal_naming_the_area_and_month() -> None:
    calendar("03", JANUARY, c10=date(2031, 1, 15))

    with pytest.raises(ReadingScheduleUnavailable) as refused:
        dates.next_reading_day(date(2031, 1, 20), "03", "10")  # February is not loaded
    assert refused.value.code == "reading_calendar_missing" and refused.value.status == 409
    assert "東京エリアの2031年2月の検針日程カレンダーが本機関に登録されていない" in refused.value.message

    with pytest.raises(ReadingScheduleUnavailable, match="北海道エリアの2031年1月"):
        dates.next_reading_day(date(2031, 1, 6), "01", "10")  # nothing loaded for Hokkaido


@pytest.mark.django_db
def test_the_next_month_missing_does_not_matter_when_this_months_date_is_ahead() -> None:
    calendar("03", MARCH, c10=date(2031, 3, 14))

    assert dates.next_reading_day(date(2031, 3, 2), "03", "10") == date(2031, 3, 14)


@pytest.mark.django_db
def test_a_code_the_operator_does_not_use_is_a_refusal() -> None:
    calendar("03", JANUARY)
    calendar("03", FEBRUARY)

    with pytest.raises(ReadingScheduleUnavailable) as refused:
        dates.next_reading_day(date(2031, 1, 6), "03", "05")  # Tokyo has no 05
    assert refused.value.code == "reading_code_unknown"
    assert "検針日程「05」は東京エリアの検針日程カレンダー（2031年1月）にありません" in refused.value.message


@pytest.mark.parametrize("area", Area.values)
def test_the_demo_calendar_reads_each_code_on_the_first_business_day_from_its_number(area: str) -> None:
    for month in (JANUARY, date(2031, 5, 1), date(2031, 11, 1), date(2031, 12, 1)):
        found = demo_calendar(area, month)
        assert list(found) == list(READING_CODES[area])
        days = list(found.values())
        assert all(is_business_day(day) and day.month == month.month for day in days)
        assert days == sorted(days)
        for code, day in found.items():
            named = month.replace(day=int(code))
            if day >= named:  # the first business day from the code's day on
                assert not any(is_business_day(skipped) for skipped in _days_between(named, day))
            else:  # none was left in the month: its last business day
                assert not any(is_business_day(later) for later in _days_between(day, next_month(month))[1:])
    # Tokyo, 2031-05: 05-03 (a Saturday) to 05-06 are holidays, so 04 is read on Wednesday 05-07.
    tokyo = demo_calendar("03", date(2031, 5, 1))
    assert (tokyo["01"], tokyo["04"], tokyo["08"]) == (date(2031, 5, 1), date(2031, 5, 7), date(2031, 5, 8))


def _days_between(first: date, last: date) -> list[date]:
    """The days from ``first`` up to the day before ``last``."""
    return [first + timedelta(days=n) for n in range((last - first).days)]


def test_the_codes_of_the_operators_that_publish_them() -> None:
    assert READING_CODES["03"] == tuple(
        f"{n:02d}" for n in range(1, 27) if n not in (5, 6, 7, 13, 14, 20, 21)
    )
    assert READING_CODES["01"] == tuple(f"{n:02d}" for n in range(1, 24))
    assert READING_CODES["04"] == tuple(f"{n:02d}" for n in range(1, 20))
