"""One way to write days, moments and quantities on every screen (issue 17 point 17): the lists
showed `500000` kW beside `12,000` in the details, and `2028-04-01` beside `2026/12/07`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client

from kouiki.core import display
from kouiki.core.calendar import JST


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (date(2028, 4, 1), "2028/04/01"),
        ("2028-04-01", "2028/04/01"),  # a payload keeps its days as ISO text
        (datetime(2026, 12, 6, 15, 30, tzinfo=UTC), "2026/12/07"),  # the day in Japan
        ("not a day", "not a day"),
        (None, ""),
    ],
)
def test_a_day(value: object, shown: str) -> None:
    assert display.day(value) == shown


def test_a_moment_is_japan_time_with_or_without_seconds() -> None:
    at = datetime(2026, 12, 7, 5, 30, 9, tzinfo=UTC)
    assert display.moment(at) == "2026/12/07 14:30"
    assert display.moment(at, seconds=True) == "2026/12/07 14:30:09"
    assert display.moment("2026-12-07T14:30:09+09:00") == "2026/12/07 14:30"
    assert display.moment(date(2026, 12, 7)) == "2026/12/07"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (500000, "500,000"),
        (12000, "12,000"),
        (999, "999"),
        (-1234567, "-1,234,567"),
        (Decimal("12000.5"), "12,000.5"),
        (Decimal("6.0"), "6.0"),
        ("12000", "12,000"),
        ("A-0001", "A-0001"),
        (None, ""),
    ],
)
def test_a_quantity_has_thousands_separators(value: object, shown: str) -> None:
    assert display.number(value) == shown


def test_the_template_filters_are_the_same_functions() -> None:
    template = Template(
        '{% load display %}{{ d|day }} {{ m|moment }} {{ m|moment:"seconds" }} {{ n|number }}'
    )
    rendered = template.render(
        Context({"d": date(2028, 4, 1), "m": datetime(2026, 12, 7, 14, 30, 9, tzinfo=JST), "n": 500000})
    )
    assert rendered == "2028/04/01 2026/12/07 14:30 2026/12/07 14:30:09 500,000"


@pytest.mark.django_db
def test_the_capacity_lists_and_details_write_kw_and_days_one_way(client: Client) -> None:
    call_command("load_demo")
    client.post(
        "/capacity/login/", {"organization_code": "9201", "user_id": "adm001", "password": "Demo-pass1"}
    )
    listed = client.get("/capacity/sources/").content.decode()
    assert '<td class="num">500,000</td>' in listed and ">500000<" not in listed
    detail = client.get("/capacity/sources/P0000001/").content.decode()
    assert "2012/04/01" in detail and "2012-04-01" not in detail
