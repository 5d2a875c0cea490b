"""X-S1 利用の停止・制限 in the back office: staff stop a system now or ahead (announced as a
notice, withdrawn when cancelled) and end it; staff set a participant's tighter API request limit,
which the API enforces at once with the reason in its 429, the participant's administrators are
mailed and its menu shows. Every change is audited; a refused form changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from kouiki.audit.models import Event
from kouiki.core import availability, maintenance
from kouiki.core.calendar import JST
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role, System
from kouiki.identity import access
from kouiki.identity.models import Organization, RequestLimit, User
from kouiki.identity.services.tokens import ensure_demo_token
from kouiki.notices.models import Notice
from tests.factories import OrganizationFactory, StaffFactory, participant

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)
API = "/api/switching/v1"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def stop_form(**changes: str) -> dict[str, str]:
    return {
        "system": "switching",
        "kind": "maintenance",
        "starts_at": "",
        "ends_at": "",
        "message": "システム更改のため停止します。",
    } | changes


# --- stopping a system ------------------------------------------------------------------------------


def test_staff_stop_a_system_now_and_end_it(staff_client: Client, clock: Any) -> None:
    client = Client()
    response = staff_client.post("/backoffice/availability/", stop_form(ends_at="2026-11-02T12:00"))
    assert response.status_code == 302
    assert client.get("/switching/login/").status_code == 503
    page = staff_client.get("/backoffice/availability/").content.decode()
    assert "停止中" in page and "システム更改のため停止します。" in page
    assert not Notice.objects.exists()  # a stop now is not announced beforehand

    (window,) = maintenance.windows()
    assert staff_client.post(f"/backoffice/availability/{window.pk}/end/").status_code == 302
    assert client.get("/switching/login/").status_code == 200
    assert "終了" in staff_client.get("/backoffice/availability/").content.decode()
    actions = list(Event.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["availability.stop", "availability.stop_end"]
    assert staff_client.post(f"/backoffice/availability/{window.pk}/end/").status_code == 302
    assert Event.objects.filter(action="availability.stop_end").count() == 1  # already over: refused


def test_a_window_ahead_is_announced_in_each_systems_notices_and_withdrawn_when_cancelled(
    staff_client: Client, clock: Any
) -> None:
    client = Client()
    form = stop_form(
        system="all", kind="operational", starts_at="2026-11-07T20:00", ends_at="2026-11-08T06:00"
    )
    assert staff_client.post("/backoffice/availability/", form).status_code == 302
    notices = list(Notice.objects.order_by("system"))
    assert [notice.system for notice in notices] == ["capacity", "switching"]
    assert all(notice.category == "maintenance" for notice in notices)
    assert "2026年11月7日（土） 20:00〜2026年11月8日（日） 6:00" in notices[0].title
    assert "本機関が運用上必要と判断した場合" in notices[0].body
    assert client.get("/switching/login/").status_code == 200  # not yet

    (window,) = maintenance.windows()
    assert window.notice_ids == tuple(sorted(notice.pk for notice in notices))
    staff_client.post(f"/backoffice/availability/{window.pk}/end/")
    assert all(notice.withdrawn_at is not None for notice in Notice.objects.all())
    assert maintenance.window(window.pk).cancelled
    clock.move_to(datetime(2026, 11, 7, 21, 0, tzinfo=JST))
    assert client.get("/switching/login/").status_code == 200


def test_a_stop_form_with_errors_changes_nothing(staff_client: Client, clock: Any) -> None:
    response = staff_client.post(
        "/backoffice/availability/",
        stop_form(message="", starts_at="2026-11-02T11:00", ends_at="2026-11-02T10:30"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "利用者への案内を入力してください。" in page
    response = staff_client.post(
        "/backoffice/availability/", stop_form(starts_at="2026-11-02T11:00", ends_at="2026-11-02T10:30")
    )
    assert "終了予定日時には開始日時より後の、現在以降の日時を入力してください。" in response.content.decode()
    assert not maintenance.windows()
    assert not Event.objects.filter(action__startswith="availability.").exists()


def test_the_area_is_staffs_with_an_operating_role(client: Client) -> None:
    assert client.get("/backoffice/availability/").status_code == 302  # to the login
    user = participant(system=System.SWITCHING, role=Role.ADMIN)
    client.force_login(user)
    assert client.get("/backoffice/availability/limits/").status_code == 302
    client.logout()
    nobody = StaffFactory(staff_roles=[])
    client.force_login(nobody)
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    assert client.get("/backoffice/availability/").status_code == 403
    assert client.post("/backoffice/availability/", stop_form()).status_code == 403
    assert not maintenance.windows()


# --- request limits ---------------------------------------------------------------------------------


@pytest.fixture
def retailer(db: None) -> tuple[Organization, User, str]:
    organization = OrganizationFactory(code="9101", name="新電力A株式会社")
    admin = participant(
        organization=organization,
        system=System.SWITCHING,
        role=Role.ADMIN,
        login_id="adm001",
        email="admin@retailer.example.jp",
    )
    user = participant(organization=organization, system=System.SWITCHING, login_id="usr001")
    ensure_demo_token(user=user, raw="test-9101")
    return organization, admin, "test-9101"


def limit_form(**changes: Any) -> dict[str, Any]:
    return {
        "organization_code": "9101",
        "system": "switching",
        "count": 2,
        "period": "m",
        "reason": "短時間に大量の照会が続いたため",
    } | changes


def calls(count: int) -> list[Any]:
    client = Client()
    return [client.get(f"{API}/events", headers={"Authorization": "Bearer test-9101"}) for _ in range(count)]


@pytest.mark.usefixtures("frozen_minute")
def test_a_limit_set_by_staff_is_enforced_at_once_with_its_reason(
    staff_client: Client, retailer: tuple[Organization, User, str], settings: Any
) -> None:
    organization, admin, _ = retailer
    settings.KOUIKI_API_RATE = "1200/m"
    assert [r.status_code for r in calls(3)] == [200, 200, 200]  # the token's user is now cached

    response = staff_client.post("/backoffice/availability/limits/", limit_form())
    assert response.status_code == 302
    limited = calls(1)[0]  # 4 requests this minute, above 2/m
    assert limited.status_code == 429
    problem = limited.json()
    assert problem["code"] == "rate_limited"
    assert "1分あたり2回" in problem["detail"]
    assert "短時間に大量の照会が続いたため" in problem["detail"]
    assert 1 <= int(limited["Retry-After"]) <= 60

    mail = OutboxMessage.objects.get()
    assert mail.to == ["admin@retailer.example.jp"]
    assert "APIの利用制限のお知らせ" in mail.subject
    assert "1分あたり2回" in mail.body and "短時間に大量の照会が続いたため" in mail.body
    event = Event.objects.get(action="availability.limit_set")
    assert event.organization_id == organization.pk
    assert event.detail["rate"] == "2/m"

    participant_client = Client()
    participant_client.force_login(admin)
    menu = participant_client.get("/switching/").content.decode()
    assert "1分あたり2回までに制限しています" in menu

    # Staff change it: the new rate holds at once, the administrators are told of the change.
    staff_client.post(
        "/backoffice/availability/limits/", limit_form(count=100, reason="照会の集中が続くため")
    )
    assert calls(1)[0].status_code == 200
    assert RequestLimit.objects.get().rate == "100/m"
    assert "変更" in OutboxMessage.objects.order_by("-id").first().subject  # type: ignore[union-attr]


@pytest.mark.usefixtures("frozen_minute")
def test_removing_a_limit_gives_back_the_default_and_tells_the_administrators(
    staff_client: Client, retailer: tuple[Organization, User, str]
) -> None:
    staff_client.post("/backoffice/availability/limits/", limit_form(count=1))
    assert [r.status_code for r in calls(2)] == [200, 429]
    limit = RequestLimit.objects.get()
    page = staff_client.get("/backoffice/availability/limits/").content.decode()
    assert "新電力A株式会社" in page and "1分あたり1回" in page

    assert staff_client.post(f"/backoffice/availability/limits/{limit.pk}/remove/").status_code == 302
    assert calls(1)[0].status_code == 200
    assert not RequestLimit.objects.exists()
    removed = OutboxMessage.objects.order_by("-id").first()
    assert removed is not None and "解除" in removed.subject
    assert Event.objects.filter(action="availability.limit_remove").count() == 1


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"organization_code": "0000"}, "登録されている事業者コードを入力してください。"),
        ({"count": 5000}, "既定の上限（1分あたり1,200回）より厳しい上限を入力してください。"),
        ({"count": 0}, "上限回数には1以上の整数を入力してください。"),
        ({"reason": ""}, "理由を入力してください（事業者に通知されます）。"),
        ({"period": "y"}, "正しく選択してください"),
    ],
)
def test_a_limit_form_with_errors_changes_nothing(
    staff_client: Client,
    retailer: tuple[Organization, User, str],
    settings: Any,
    changes: Any,
    field_message: str,
) -> None:
    settings.KOUIKI_API_RATE = "1200/m"
    response = staff_client.post("/backoffice/availability/limits/", limit_form(**changes))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not RequestLimit.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not Event.objects.filter(action__startswith="availability.").exists()


def test_the_availability_check_is_the_one_the_middleware_uses(clock: Any) -> None:
    maintenance.create_window(
        system="member", kind="disaster", starts_at=None, ends_at=None, message="停電", created_by="職員"
    )
    closed = availability.closure(System.MEMBER)
    assert closed is not None and closed.code == "maintenance"
    assert availability.is_open(System.SWITCHING)
    assert availability.system_of("/member/join/") == ("member", False)
    assert availability.system_of("/api/switching/v1/events") == ("switching", True)
    assert availability.system_of("/backoffice/") is None
    assert availability.system_of("/switchingx/") is None
    assert timedelta(seconds=closed.retry_after) > timedelta(0)


def test_ending_an_announced_window_while_it_runs_withdraws_its_notice(
    staff_client: Client, clock: Any
) -> None:
    client = Client()
    form = stop_form(system="capacity", starts_at="2026-11-02T12:00", ends_at="")
    assert staff_client.post("/backoffice/availability/", form).status_code == 302
    notice = Notice.objects.get()
    assert notice.system == "capacity" and notice.publish_until is None  # until the stop is ended
    clock.move_to(datetime(2026, 11, 2, 12, 30, tzinfo=JST))
    assert client.get("/capacity/login/").status_code == 503
    (window,) = maintenance.windows()
    response = staff_client.post(f"/backoffice/availability/{window.pk}/end/", follow=True)
    assert "容量市場システムの停止を終了しました（お知らせは取り下げました）。" in response.content.decode()
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None
    assert client.get("/capacity/login/").status_code == 200
    assert Event.objects.get(action="availability.stop_end").detail["withdrawn_notices"] == [notice.pk]
