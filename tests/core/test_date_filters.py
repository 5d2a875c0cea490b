"""Date filters take any date a browser or a client can send: the year 1 and the year 9999 find
nothing or everything, never a server error (a day's bounds once overflowed on the way to UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kouiki.core.calendar import JST, day_bounds, on_days
from kouiki.core.models import OutboxMessage

EXTREMES = [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}, {"date_from": "9999-12-31"}]


def test_day_bounds_cover_the_days_given_both_included() -> None:
    start, end = day_bounds(date(2026, 11, 2), date(2026, 11, 3))
    assert (start, end) == (datetime(2026, 11, 2, tzinfo=JST), datetime(2026, 11, 4, tzinfo=JST))
    assert day_bounds(None, None) == (None, None)


@pytest.mark.parametrize(("date_from", "date_to"), [(date.min, date.max), (date.max, date.min)])
def test_day_bounds_of_extreme_days_survive_utc(date_from: date, date_to: date) -> None:
    start, end = day_bounds(date_from, date_to)
    assert start is not None and end is not None
    # Both convert to UTC (the database's time zone) without overflowing.
    assert start.astimezone(UTC) < end.astimezone(UTC) or date_from > date_to


@pytest.mark.django_db
def test_on_days_keeps_the_rows_of_the_days_given_in_japan_time() -> None:
    times = [
        datetime(2026, 11, day, hour, minute, tzinfo=JST)
        for day, hour, minute in [(1, 23, 59), (2, 0, 0), (3, 23, 59), (4, 0, 0)]
    ]
    for created_at in times:
        OutboxMessage.objects.create(subject=created_at.isoformat(), body="", created_at=created_at)
    rows = OutboxMessage.objects.order_by("created_at")

    def found(date_from: date | None, date_to: date | None) -> list[datetime]:
        return [row.created_at for row in on_days(rows, "created_at", date_from, date_to)]

    assert found(date(2026, 11, 2), date(2026, 11, 3)) == times[1:3]
    assert found(date(2026, 11, 3), None) == times[2:]
    assert found(None, date(2026, 11, 1)) == times[:1]
    assert found(None, None) == times


@pytest.fixture
def demo(db: None, settings: Any) -> None:
    settings.KOUIKI_STAFF_OTP_REQUIRED = False
    call_command("load_demo")


def logged_in(login_url: str, **fields: str) -> Client:
    client = Client()
    response = client.post(login_url, {**fields, "password": "Demo-pass1"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("query", EXTREMES)
@pytest.mark.parametrize(
    ("login_url", "account", "url"),
    [
        ("/member/login/", {"organization_code": "9001", "user_id": "adm001"}, "/member/changes/"),
        (
            "/switching/login/",
            {"organization_code": "9101", "user_id": "usr001"},
            "/switching/low/applications/",
        ),
        (
            "/switching/login/",
            {"organization_code": "9101", "user_id": "usr001"},
            "/switching/low/applications.csv",
        ),
        (
            "/switching/login/",
            {"organization_code": "9101", "user_id": "usr001"},
            "/switching/access-ledger/",
        ),
        ("/backoffice/login/", {"user_id": "reviewer"}, "/backoffice/audit/"),
        ("/backoffice/login/", {"user_id": "reviewer"}, "/backoffice/audit/export/"),
        ("/backoffice/login/", {"user_id": "reviewer"}, "/backoffice/reviews/"),
    ],
)
def test_screens_take_extreme_dates(
    demo: None, login_url: str, account: dict[str, str], url: str, query: dict[str, str]
) -> None:
    client = logged_in(login_url, **account)
    assert client.get(url, query).status_code == 200


@pytest.mark.parametrize("query", EXTREMES)
def test_the_api_takes_extreme_dates(demo: None, query: dict[str, str]) -> None:
    response = Client().get(
        "/api/switching/v1/applications", query, headers={"Authorization": "Bearer demo-9101"}
    )
    assert response.status_code == 200, response.content
