"""The back office's audit log viewer: staff only, filtered, paginated, exported as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.audit.services import record
from kouiki.identity.models import Organization, User
from tests.access import sent_to_login

TOKYO = ZoneInfo("Asia/Tokyo")
LIST = "/backoffice/audit/"


def _events(count: int, **fields: object) -> list[Event]:
    return [
        Event.objects.create(action="user.update", at=datetime(2026, 4, 1, 9, i % 60, tzinfo=TOKYO), **fields)  # type: ignore[arg-type]
        for i in range(count)
    ]


def test_urls_are_named() -> None:
    assert reverse("backoffice:audit_list") == LIST
    assert reverse("backoffice:audit_detail", args=[7]) == "/backoffice/audit/7/"


def test_a_participant_cannot_open_the_audit_log(client: Client, member_admin: User) -> None:
    event = record(actor=member_admin, action=Action.USER_UPDATE)
    client.force_login(member_admin)
    assert sent_to_login(client.get(LIST), "backoffice")
    assert sent_to_login(client.get(f"{LIST}{event.pk}/"), "backoffice")
    assert sent_to_login(client.get(f"{LIST}export/"), "backoffice")


def test_a_visitor_and_an_unverified_staff_member_are_sent_to_the_login(client: Client, staff: User) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")
    client.force_login(staff)  # password given, second factor not yet
    assert client.get(LIST)["Location"].startswith("/backoffice/login/")


def test_the_list_is_newest_first_and_filtered(
    staff_client: Client, member_admin: User, member_user: User, organization: Organization
) -> None:
    first = record(actor=member_admin, action=Action.USER_REGISTER, obj=member_user)
    second = record(actor=None, action=Action.LOGIN_FAILURE, actor_label="9999:nobody")
    third = record(actor=member_admin, action=Action.USER_UPDATE, obj=member_user)

    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [third, second, first]

    response = staff_client.get(LIST, {"organization_code": organization.code})
    assert list(response.context["page"].object_list) == [third, first]

    response = staff_client.get(LIST, {"action": "user", "actor": "adm001"})
    assert list(response.context["page"].object_list) == [third, first]

    response = staff_client.get(LIST, {"action": "login.failure"})
    assert list(response.context["page"].object_list) == [second]
    assert "9999:nobody" in response.text
    assert "ログイン失敗" in response.text

    response = staff_client.get(LIST, {"object_type": "identity.user", "object_id": str(member_user.pk)})
    assert list(response.context["page"].object_list) == [third, first]


def test_a_row_under_a_renamed_code_is_listed_in_japanese_and_found_by_its_new_name(
    staff_client: Client, member_user: User
) -> None:
    # Written before the rename; the log is append-only, so the row keeps "logout" for good.
    old = Event.objects.create(action="logout", actor_label=member_user.username)

    response = staff_client.get(LIST, {"action": Action.LOGIN_LOGOUT})
    assert list(response.context["page"].object_list) == [old]
    assert "<td>ログアウト</td>" in response.text
    response = staff_client.get(f"{LIST}export/", {"action": "login"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert [(row[2], row[-2]) for row in rows[1:]] == [("logout", "ログアウト")]


def visible_text(html: str) -> str:
    """What a reader sees: the page without its tags (and so without attribute values)."""
    return re.sub(r"<[^>]*>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


def test_the_log_reads_in_japanese_without_codes(
    staff_client: Client, member_admin: User, member_user: User
) -> None:
    # Issue 17 point 16: the list showed login.success, the system as "switching", the object as
    # "identity.user" and the system's own acts as "system"; the action filter asked for codes.
    login = record(actor=member_admin, action=Action.LOGIN_SUCCESS, system="switching")
    record(actor=member_admin, action=Action.USER_UPDATE, obj=member_user, system="member")
    Event.objects.create(action="switching.application.file", actor_label="system")
    record(actor=None, action=Action.SWITCHING_SWITCH_EXPIRE, system="switching")

    page = staff_client.get(LIST).text
    detail = staff_client.get(reverse("backoffice:audit_detail", args=[login.pk])).text
    for text in (visible_text(page), visible_text(detail)):
        assert re.findall(r"\b[a-z_]+\.[a-z_]+\b", text) == []
        assert not re.search(r"\b(system|switching|member)\b", text)
    shown = visible_text(page)
    for label in ("ログイン成功", "スイッチング支援システム", "会員情報管理システム", "ユーザ情報変更"):
        assert label in shown
    assert "スイッチング申請の受付" in shown  # an old code, by its current name
    assert "システム（自動処理）" in shown
    assert "ユーザ" in shown  # identity.user by its Japanese name
    # The filter offers the actions by their Japanese names, a whole family first.
    assert "ログイン・ログアウト（すべて）" in shown
    assert list(staff_client.get(LIST, {"action": "login"}).context["page"].object_list) == [login]


def test_the_date_range_is_in_japan_time_and_checked(staff_client: Client) -> None:
    inside = Event.objects.create(action="a", at=datetime(2026, 4, 1, 23, 59, tzinfo=TOKYO))
    Event.objects.create(action="b", at=datetime(2026, 4, 2, 0, 0, tzinfo=TOKYO))

    response = staff_client.get(LIST, {"date_from": "2026-04-01", "date_to": "2026-04-01"})
    assert list(response.context["page"].object_list) == [inside]

    response = staff_client.get(LIST, {"date_from": "2026-04-02", "date_to": "2026-04-01"})
    assert response.status_code == 200
    assert "終了日は開始日以降" in response.text
    assert list(response.context["page"].object_list) == []


def test_the_list_is_paginated(staff_client: Client) -> None:
    _events(60)
    response = staff_client.get(LIST)
    assert len(response.context["page"].object_list) == 50
    response = staff_client.get(LIST, {"page": 2})
    assert len(response.context["page"].object_list) == 10


@pytest.mark.parametrize("rows", [1, 120])
def test_the_list_takes_the_same_queries_whatever_the_rows(
    staff_client: Client, django_assert_max_num_queries: object, rows: int
) -> None:
    _events(rows, organization_code="8001", object_type="identity.user", object_id="1")
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        response = staff_client.get(LIST, {"organization_code": "8001"})
    assert response.status_code == 200


def test_the_detail_shows_every_field(staff_client: Client, member_admin: User, member_user: User) -> None:
    event = record(
        actor=member_admin, action=Action.USER_UPDATE, obj=member_user, detail={"fields": ["氏名"]}
    )
    response = staff_client.get(reverse("backoffice:audit_detail", args=[event.pk]))
    assert response.status_code == 200
    assert "ユーザ情報変更" in response.text
    assert member_admin.username in response.text
    assert "氏名" in response.text
    assert staff_client.get(reverse("backoffice:audit_detail", args=[event.pk + 1000])).status_code == 404


def test_the_csv_export_holds_the_filtered_rows_for_excel(
    staff_client: Client, staff: User, member_admin: User, member_user: User, organization: Organization
) -> None:
    record(actor=None, action=Action.LOGIN_FAILURE, actor_label="9999:nobody")
    event = record(
        actor=member_admin, action=Action.USER_UPDATE, obj=member_user, detail={"fields": ["氏名"]}
    )

    response = staff_client.get(f"{LIST}export/", {"organization_code": organization.code})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body: bytes = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["記録ID", "日時", "操作"]
    assert rows[0][-2:] == ["操作名", "受託者の事業者コード"]
    assert len(rows) == 2
    assert rows[1][0] == str(event.pk)
    assert rows[1][2] == "user.update"
    assert rows[1][-2:] == ["ユーザ情報変更", ""]
    assert organization.code in rows[1]
    assert '{"fields": ["氏名"]}' in rows[1]
    exported = Event.objects.filter(action=Action.AUDIT_EXPORT).get()
    assert exported.actor_id == staff.pk
    assert exported.detail == {"organization_code": organization.code}


def test_an_invalid_filter_exports_nothing(staff_client: Client) -> None:
    _events(3)
    response = staff_client.get(f"{LIST}export/", {"date_from": "2026-04-02", "date_to": "2026-04-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(LIST)
    assert not Event.objects.filter(action=Action.AUDIT_EXPORT).exists()


def test_an_export_above_the_limit_asks_for_narrower_filters(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kouiki.backoffice.views.audit.EXPORT_LIMIT", 2)
    _events(3)
    response = staff_client.get(f"{LIST}export/", follow=True)
    assert "条件を絞り込んで" in response.text
