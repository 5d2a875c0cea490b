"""検針日程 calendars for tests: the demo's generated calendars (kouiki.tso.services.reading_calendars
.demo_calendar) written for the months a test needs, the way `load_demo` writes them.

A test that plans a switching date without a desired date needs the calendar of its area for the
month of the earliest date and the next. `load_reading_calendars()` writes every area from
October 2026 to March 2028 (the clock of the switching tests is 2026-11-02; the machine's today
is covered until then); narrow it with `areas` where a test is timed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest

from kouiki.tso.services.reading_calendars import load_demo_calendars

FIRST_MONTH = date(2026, 10, 1)
MONTHS = 18


def load_reading_calendars(
    *, first_month: date = FIRST_MONTH, months: int = MONTHS, areas: Iterable[str] | None = None
) -> int:
    """Write the demo calendar of each area (all ten by default) for `months` months from
    `first_month`, where none is loaded; returns how many calendars were written."""
    return load_demo_calendars(first_month=first_month, months=months, areas=areas)


@pytest.fixture
def reading_calendars(db: None) -> None:
    """Every area's demo calendar from FIRST_MONTH for MONTHS months."""
    load_reading_calendars()
