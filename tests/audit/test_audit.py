"""The audit log: what `record` fills in, and that nothing can change or remove an event."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

import kouiki
from kouiki.audit import selectors
from kouiki.audit.choices import DOMAINS, LEGACY, Action, label
from kouiki.audit.models import AppendOnlyError, Event
from kouiki.audit.services import record
from kouiki.core.errors import Forbidden, NotFound
from kouiki.core.request_context import RequestContextMiddleware
from kouiki.identity.models import Organization, User
from tests.factories import OrganizationFactory

TOKYO = ZoneInfo("Asia/Tokyo")


def test_record_fills_who_organization_object_and_address_from_the_request(
    rf: RequestFactory, member_admin: User, member_user: User, organization: Organization
) -> None:
    recorded: list[Event] = []

    def view(request: HttpRequest) -> HttpResponse:
        recorded.append(
            record(actor=member_admin, action=Action.USER_UPDATE, obj=member_user, system="member")
        )
        return HttpResponse()

    request = rf.get("/member/users/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="pytest-browser")
    RequestContextMiddleware(view)(request)

    event = Event.objects.get(pk=recorded[0].pk)
    assert event.action == "user.update"
    assert event.system == "member"
    assert event.actor_id == member_admin.pk
    assert event.actor_label == member_admin.username
    assert event.organization_id == organization.pk
    assert event.organization_code == organization.code
    assert event.object_type == "identity.user"
    assert event.object_id == str(member_user.pk)
    assert event.object_label == str(member_user)
    assert event.ip == "203.0.113.7"
    assert event.user_agent == "pytest-browser"


def test_record_outside_a_request_names_the_system_and_no_address(db: None) -> None:
    event = record(actor=None, action=Action.REVIEW_EXPIRE, detail={"count": 3})
    assert event.actor_id is None
    assert event.actor_label == "system"
    assert event.ip == ""
    assert event.detail == {"count": 3}


def test_record_of_a_failed_login_keeps_the_name_that_was_typed(db: None) -> None:
    event = record(actor=None, action=Action.LOGIN_FAILURE, actor_label="8001:nobody")
    assert event.actor_label == "8001:nobody"


def test_events_cannot_be_changed_or_deleted_through_the_orm(db: None) -> None:
    event = record(actor=None, action=Action.LOGIN_FAILURE)
    event.action = "test.other"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(action="test.other")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).action == "login.failure"


def test_the_database_refuses_an_update_in_raw_sql(db: None) -> None:
    event = record(actor=None, action=Action.LOGIN_FAILURE)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_event SET action = %s WHERE id = %s", ["test.other", event.pk])
    assert Event.objects.get(pk=event.pk).action == "login.failure"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for Django's flush")
def test_postgresql_refuses_a_delete_in_raw_sql(db: None) -> None:
    event = record(actor=None, action=Action.LOGIN_FAILURE)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()


def test_flush_still_empties_the_log_between_transactional_tests(transactional_db: None) -> None:
    record(actor=None, action=Action.LOGIN_FAILURE)
    call_command("flush", interactive=False, verbosity=0)
    assert not Event.objects.exists()


def _event_at(when: datetime, **fields: str) -> Event:
    return Event.objects.create(at=when, **fields)


def test_only_staff_read_the_log(member_admin: User, staff: User) -> None:
    event = record(actor=member_admin, action=Action.USER_UPDATE)
    with pytest.raises(Forbidden):
        selectors.events(actor=member_admin)
    with pytest.raises(Forbidden):
        selectors.event(actor=member_admin, pk=event.pk)
    assert list(selectors.events(actor=staff)) == [event]


def test_events_are_newest_first_and_filtered(staff: User) -> None:
    other: Organization = OrganizationFactory()  # type: ignore[assignment]
    old = _event_at(
        datetime(2026, 4, 1, 9, 0, tzinfo=TOKYO), action="login.success", organization_code="8001"
    )
    failure = _event_at(
        datetime(2026, 4, 2, 9, 0, tzinfo=TOKYO), action="login.failure", actor_label="8001:x"
    )
    change = _event_at(
        datetime(2026, 4, 3, 9, 0, tzinfo=TOKYO),
        action="user.update",
        organization_code=other.code,
        object_type="identity.user",
        object_id="42",
        object_label="広域 花子",
    )

    def found(**filters: object) -> list[Event]:
        return list(selectors.events(actor=staff, **filters))  # type: ignore[arg-type]

    assert found() == [change, failure, old]
    assert found(action="login") == [failure, old]
    assert found(action="login.failure") == [failure]
    assert found(action="log") == []
    assert found(organization_code=other.code) == [change]
    assert found(actor_label="8001:") == [failure]
    assert found(object_type="identity.user", object_id="42") == [change]
    assert found(query="花子") == [change]


def test_date_range_is_whole_days_in_japan_time(staff: User) -> None:
    late = _event_at(datetime(2026, 4, 1, 23, 59, tzinfo=TOKYO), action="a")
    next_day = _event_at(datetime(2026, 4, 2, 0, 0, tzinfo=TOKYO), action="b")
    early = _event_at(datetime(2026, 3, 31, 23, 59, tzinfo=TOKYO), action="c")
    day = date(2026, 4, 1)
    assert list(selectors.events(actor=staff, date_from=day, date_to=day)) == [late]
    assert list(selectors.events(actor=staff, date_from=day)) == [next_day, late]
    assert list(selectors.events(actor=staff, date_to=day)) == [late, early]


def test_an_unknown_event_is_not_found(staff: User) -> None:
    with pytest.raises(NotFound):
        selectors.event(actor=staff, pk=999_999)


def test_record_refuses_an_action_not_in_the_list(db: None) -> None:
    with pytest.raises(ValueError, match="logout"):
        record(actor=None, action="logout")  # type: ignore[arg-type]
    assert not Event.objects.exists()


def test_every_action_is_domain_dot_act_with_its_own_japanese_name() -> None:
    assert [action for action in Action if not re.fullmatch(r"[a-z_]+\.[a-z_]+", action)] == []
    assert len({action.label for action in Action}) == len(Action)
    assert not set(LEGACY) & set(Action.values)


def test_every_domain_of_the_actions_has_a_japanese_name() -> None:
    domains = {action.value.split(".")[0] for action in Action}
    assert sorted(domains - set(DOMAINS)) == []
    assert sorted(set(DOMAINS) - domains) == []


def test_every_listed_action_is_recorded_somewhere() -> None:
    """The list stays the list of what the code records: a member nothing records is dead."""
    package = Path(kouiki.__file__).parent
    sources = "".join(path.read_text() for path in package.rglob("*.py") if path.name != "actions.py")
    assert [action.name for action in Action if f"Action.{action.name}" not in sources] == []


def test_a_row_under_a_renamed_code_keeps_it_and_reads_as_the_current_action(staff: User) -> None:
    old = _event_at(datetime(2020, 4, 1, 9, 0, tzinfo=TOKYO), action="switching.application.file")
    new = record(actor=None, action=Action.SWITCHING_APPLICATION_FILE)
    assert old.action == "switching.application.file"
    assert old.action_label == new.action_label == "スイッチング申請の受付"
    assert label("no.such_act") == "no.such_act"

    def found(**filters: str) -> list[Event]:
        return list(selectors.events(actor=staff, **filters))  # type: ignore[arg-type]

    assert found(action=Action.SWITCHING_APPLICATION_FILE) == [new, old]
    assert found(action="switching") == [new, old]
    assert found(query="申請の受付") == [new, old]
    assert found(action="login") == []
