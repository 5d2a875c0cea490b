"""CAP-H1 提供時間: the capacity market system's screens and API answer only on the organization's
business days from 9:00 to 18:00 Japan time; outside them a Japanese page or problem+json (503)
names the next opening. The clock is moved with time-machine, never waited for."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings

from kouiki.core import service_hours
from kouiki.core.models import ClosingDay
from kouiki.core.systems import Role, System
from kouiki.identity.models import User
from tests.access import sent_to_login
from tests.factories import participant

JST = ZoneInfo("Asia/Tokyo")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hours_apply")]


@pytest.fixture
def hours_apply() -> Any:
    with override_settings(KOUIKI_CAPACITY_ALWAYS_OPEN=False):
        yield


def at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)


WEEKDAY = date(2025, 6, 11)  # Wednesday
SATURDAY = date(2025, 6, 14)
HOLIDAY = date(2025, 7, 21)  # 海の日 (Monday)
YEAR_END = date(2025, 12, 31)  # Wednesday, closed 12/29-1/3
TIMES = [(8, 59), (9, 0), (17, 59), (18, 0)]

# (day, time) -> (open, next opening when closed)
EXPECTED: dict[tuple[date, tuple[int, int]], tuple[bool, datetime | None]] = {
    (WEEKDAY, (8, 59)): (False, at(WEEKDAY, 9, 0)),
    (WEEKDAY, (9, 0)): (True, None),
    (WEEKDAY, (17, 59)): (True, None),
    (WEEKDAY, (18, 0)): (False, at(date(2025, 6, 12), 9, 0)),
    **{(SATURDAY, t): (False, at(date(2025, 6, 16), 9, 0)) for t in TIMES},
    **{(HOLIDAY, t): (False, at(date(2025, 7, 22), 9, 0)) for t in TIMES},
    **{(YEAR_END, t): (False, at(date(2026, 1, 5), 9, 0)) for t in TIMES},
}


@pytest.fixture
def cap_user(db: None) -> User:
    return participant(system=System.CAPACITY, role=Role.ADMIN)


@pytest.mark.parametrize(("day", "time"), list(EXPECTED), ids=lambda v: str(v))
def test_cap_h1_screens_by_day_and_time(
    client: Client, cap_user: User, day: date, time: tuple[int, int]
) -> None:
    is_open, opening = EXPECTED[(day, time)]
    client.force_login(cap_user)
    with time_machine.travel(at(day, *time), tick=False):
        response = client.get("/capacity/")
        login_page = client.get("/capacity/login/")
    if is_open:
        assert response.status_code == 200
        assert login_page.status_code in {200, 302}
        return
    assert opening is not None
    for answer in (response, login_page):
        assert answer.status_code == 503
        page = answer.content.decode()
        assert "サービス提供時間外です" in page
        assert service_hours.format_opening(opening) in page
        assert f'datetime="{opening.isoformat()}"' in page
        assert int(answer["Retry-After"]) == int((opening - at(day, *time)).total_seconds())
        assert "no-store" in answer["Cache-Control"]


@pytest.mark.parametrize(("day", "time"), list(EXPECTED), ids=lambda v: str(v))
def test_cap_h1_api_by_day_and_time(client: Client, day: date, time: tuple[int, int]) -> None:
    is_open, opening = EXPECTED[(day, time)]
    with time_machine.travel(at(day, *time), tick=False):
        response = client.get("/api/capacity/v1/openapi.json")
    if is_open:
        # Open: whatever the API answers, it is not the service-hours refusal.
        assert response.status_code != 503
        return
    assert opening is not None
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    problem = json.loads(response.content)
    assert problem["code"] == "outside_service_hours"
    assert problem["status"] == 503
    assert problem["next_opening"] == opening.isoformat()
    assert "サービス提供時間外" in problem["detail"]
    assert service_hours.format_opening(opening) in problem["detail"]
    assert int(response["Retry-After"]) > 0


def test_the_next_opening_is_named_in_japanese() -> None:
    assert service_hours.format_opening(at(date(2026, 1, 5), 9, 0)) == "2026年1月5日（月） 9:00"


def test_a_closing_day_set_in_the_back_office_closes_the_system(client: Client, cap_user: User) -> None:
    ClosingDay.objects.create(day=WEEKDAY, reason="システム更改")
    client.force_login(cap_user)
    with time_machine.travel(at(WEEKDAY, 10, 0), tick=False):
        response = client.get("/capacity/")
    assert response.status_code == 503
    assert "2025年6月12日（木） 9:00" in response.content.decode()
    # The evening before, the next opening skips the closed day.
    assert service_hours.next_opening(at(date(2025, 6, 10), 18, 0)) == at(date(2025, 6, 12), 9, 0)


def test_a_run_of_closed_days_is_skipped() -> None:
    # Friday 2025-05-02 closed by the organization, then the weekend and Golden Week holidays.
    ClosingDay.objects.create(day=date(2025, 5, 2))
    assert service_hours.next_opening(at(date(2025, 5, 1), 18, 30)) == at(date(2025, 5, 7), 9, 0)


@pytest.mark.parametrize(
    "path", ["/backoffice/login/", "/static/kouiki/css/app.css", "/member/login/", "/switching/login/"]
)
def test_other_paths_are_always_open(client: Client, path: str) -> None:
    with time_machine.travel(at(SATURDAY, 3, 0), tick=False):
        assert client.get(path).status_code != 503


def test_the_back_office_is_open_on_a_closed_day(staff_client: Client) -> None:
    with time_machine.travel(at(YEAR_END, 22, 0), tick=False):
        response = staff_client.get("/backoffice/calendar/")
    assert response.status_code == 200
    assert "2026年1月5日（月） 9:00" in response.content.decode()


def test_the_setting_opens_the_system_around_the_clock(client: Client, cap_user: User) -> None:
    client.force_login(cap_user)
    with (
        override_settings(KOUIKI_CAPACITY_ALWAYS_OPEN=True),
        time_machine.travel(at(SATURDAY, 3, 0), tick=False),
    ):
        assert client.get("/capacity/").status_code == 200


def test_a_path_that_only_starts_like_capacity_is_not_guarded(client: Client) -> None:
    with time_machine.travel(at(SATURDAY, 3, 0), tick=False):
        assert client.get("/capacityx/").status_code == 404
        assert client.get("/capacity").status_code == 503


# --- the back office's closing days -------------------------------------------------------------


def test_staff_add_and_remove_a_closing_day(staff_client: Client) -> None:
    with time_machine.travel(at(WEEKDAY, 10, 0), tick=False):
        response = staff_client.post(
            "/backoffice/calendar/", {"day": "2025-06-20", "reason": "システム更改作業"}
        )
        assert response.status_code == 302
        closing = ClosingDay.objects.get()
        assert closing.day == date(2025, 6, 20)
        page = staff_client.get("/backoffice/calendar/").content.decode()
        assert "システム更改作業" in page
        assert "国民の祝日（海の日）" in page
        again = staff_client.post("/backoffice/calendar/", {"day": "2025-06-20"})
        assert "既に休業日に登録されています" in again.content.decode()
        past = staff_client.post("/backoffice/calendar/", {"day": "2025-06-10"})
        assert "本日以降の日付" in past.content.decode()
        staff_client.post(f"/backoffice/calendar/{closing.pk}/remove/")
        assert not ClosingDay.objects.exists()
    from kouiki.audit.models import Event

    assert [e.action for e in Event.objects.order_by("id")] == [
        "calendar.closing_day_add",
        "calendar.closing_day_remove",
    ]


def test_the_calendar_screen_is_staffs(client: Client, cap_user: User) -> None:
    assert client.get("/backoffice/calendar/")["Location"].startswith("/backoffice/login/")
    client.force_login(cap_user)
    assert sent_to_login(client.post("/backoffice/calendar/", {"day": "2030-01-10"}), "backoffice")
    assert not ClosingDay.objects.exists()
