"""X-S1 利用の停止: while a system is stopped its participants' screens and API answer 503 (a
Japanese page, problem+json with Retry-After), the back office stays open, and its outbound work
(operator messages, callbacks, and for an all-systems stop the mail) waits without burning an
attempt and goes on once the window is over. The clock is moved with time-machine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kouiki.core import availability, callback_delivery, maintenance, outbox_delivery
from kouiki.core.errors import ValidationFailed
from kouiki.core.models import (
    ALL_SYSTEMS,
    CallbackDelivery,
    CallbackEndpoint,
    MaintenanceKind,
    OrganizationEvent,
    OutboxMessage,
    OutboxState,
)
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import System
from kouiki.tso.models import MessageState
from kouiki.tso.services import delivery
from tests.bulk.conftest import FUNCTION_ID as BULK_FUNCTION
from tests.bulk.conftest import handler  # noqa: F401 - the bulk function's fixture
from tests.tasks import run_ready_tasks
from tests.tso.conftest import START, FakeHub, hub, registry, tso_settings  # noqa: F401 - fixtures
from tests.tso.test_delivery import delivery_tasks, fresh, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def stop(system: str, *, minutes: int | None = 60, after: int = 0, **more: Any) -> maintenance.Window:
    now = timezone.now()
    return maintenance.create_window(
        system=system,
        kind=more.pop("kind", MaintenanceKind.MAINTENANCE),
        starts_at=now + timedelta(minutes=after) if after else None,
        ends_at=now + timedelta(minutes=after + minutes) if minutes is not None else None,
        message=more.pop("message", "サーバの重要なパッチを適用します。"),
        created_by="試験 職員",
    )


# --- screens and API --------------------------------------------------------------------------------


def test_a_stopped_systems_screens_answer_a_japanese_page_with_retry_after(
    client: Client, clock: Any
) -> None:
    stop(System.SWITCHING, minutes=90)
    for path in ("/switching/login/", "/switching/", "/switching/notices/"):
        response = client.get(path)
        assert response.status_code == 503, path
        page = response.content.decode()
        assert "システムを停止しています" in page
        assert "スイッチング支援システムはご利用いただけません" in page
        assert "サーバの重要なパッチを適用します。" in page
        assert "保守作業" in page
        assert "2026年11月2日（月） 11:30" in page  # the planned end
        assert int(response["Retry-After"]) == 90 * 60
        assert "no-store" in response["Cache-Control"]
    # The other systems, the portal and the back office stay open.
    for path in ("/member/login/", "/", "/backoffice/login/", "/api/"):
        assert client.get(path).status_code != 503, path


def test_a_stopped_systems_api_answers_503_problem_json(client: Client, clock: Any) -> None:
    stop(System.SWITCHING, minutes=30, kind=MaintenanceKind.DISASTER, message="地震による設備障害のため")
    response = client.get("/api/switching/v1/events", headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert int(response["Retry-After"]) == 30 * 60
    problem = json.loads(response.content)
    assert problem["code"] == "maintenance"
    assert problem["type"] == "urn:kouiki:problem:maintenance"
    assert problem["title"] == "システムを停止しています"
    assert "地震による設備障害のため" in problem["detail"]
    assert "天災地変等" in problem["detail"]
    assert problem["ends_at"] == "2026-11-02T10:30:00+09:00"


def test_an_all_systems_stop_without_end_closes_every_system_until_staff_end_it(
    client: Client, clock: Any, settings: Any
) -> None:
    settings.KOUIKI_MAINTENANCE_RETRY_AFTER_SECONDS = 900
    window = stop(ALL_SYSTEMS, minutes=None, kind=MaintenanceKind.OPERATIONAL)
    for path in ("/member/login/", "/member/join/", "/switching/login/", "/capacity/login/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "900"
        assert "再開の時期は決まり次第お知らせします" in response.content.decode()
    assert client.get("/backoffice/login/").status_code == 200

    clock.move_to(START + timedelta(days=3))
    assert client.get("/member/login/").status_code == 503  # until ended
    maintenance.end_window(pk=window.pk, ended_by="試験 職員")
    assert client.get("/member/login/").status_code == 200
    assert client.get("/switching/login/").status_code == 200


def test_a_window_ahead_closes_the_system_only_from_its_start_to_its_end(client: Client, clock: Any) -> None:
    stop(System.MEMBER, after=60, minutes=30)
    assert client.get("/member/login/").status_code == 200
    clock.move_to(START + timedelta(minutes=60))
    assert client.get("/member/login/").status_code == 503
    clock.move_to(START + timedelta(minutes=89, seconds=59))
    assert int(client.get("/member/login/")["Retry-After"]) == 1
    clock.move_to(START + timedelta(minutes=90))
    assert client.get("/member/login/").status_code == 200


def test_the_pages_of_a_system_announce_a_stop_ahead_within_two_weeks(client: Client, clock: Any) -> None:
    stop(System.MEMBER, after=3 * 24 * 60, minutes=120, message="会員情報管理システムを更改します。")
    stop(System.SWITCHING, after=20 * 24 * 60, minutes=60)  # too far ahead to be announced
    page = client.get("/member/login/").content.decode()
    assert "【システム停止のお知らせ】会員情報管理システムを停止します" in page
    assert "2026年11月5日（木） 10:00〜2026年11月5日（木） 12:00" in page
    assert "会員情報管理システムを更改します。" in page
    assert "システム停止のお知らせ" not in client.get("/switching/login/").content.decode()
    assert "システム停止のお知らせ" not in client.get("/backoffice/login/").content.decode()


def test_a_window_cancelled_before_its_start_never_closes_the_system(client: Client, clock: Any) -> None:
    window = stop(System.MEMBER, after=60, minutes=30)
    ended = maintenance.end_window(pk=window.pk, ended_by="試験 職員")
    assert ended.cancelled
    clock.move_to(START + timedelta(minutes=70))
    assert client.get("/member/login/").status_code == 200
    assert availability.is_open(System.MEMBER)


def test_the_stop_comes_before_the_capacity_hours(client: Client, settings: Any) -> None:
    settings.KOUIKI_CAPACITY_ALWAYS_OPEN = False
    saturday = START + timedelta(days=5)
    with time_machine.travel(saturday, tick=False):
        assert json.loads(client.get("/api/capacity/v1/").content)["code"] == "outside_service_hours"
        stop(System.CAPACITY, minutes=10)
        assert json.loads(client.get("/api/capacity/v1/").content)["code"] == "maintenance"


def test_the_windows_are_read_once_per_change_not_once_per_request(client: Client, clock: Any) -> None:
    stop(System.SWITCHING, after=30)
    client.get("/switching/login/")  # loads the windows into this process
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert availability.closure(System.SWITCHING) is None
            client.get("/switching/login/")
    assert not [query for query in queries.captured_queries if "core_maintenance" in query["sql"]]
    # A write is seen at once.
    stop(System.SWITCHING)
    assert client.get("/switching/login/").status_code == 503


def test_a_window_is_checked_when_written() -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        maintenance.create_window(
            system="nothing",
            kind="holiday",
            starts_at=now - timedelta(hours=1),
            ends_at=now - timedelta(hours=2),
            message=" ",
            created_by="試験 職員",
        )
    assert set(refused.value.errors) == {"system", "kind", "starts_at", "ends_at", "message"}
    assert refused.value.errors["message"] == ["利用者への案内を入力してください。"]
    assert not maintenance.windows()


# --- outbound work waits and goes on after ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_operator_message_queued_before_a_stop_is_delivered_after_it_not_during(
    hub: FakeHub,  # noqa: F811
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        with transaction.atomic():
            message = submit()  # queued: its task is enqueued on commit
        window = stop(System.SWITCHING, minutes=60)

        run_ready_tasks()  # the task runs during the stop: nothing is sent, no attempt burnt
        message = fresh(message)
        assert message.state == MessageState.PENDING
        assert message.attempts == 0
        assert hub.answers == []

        clock.move_to(START + timedelta(minutes=30))
        assert delivery.sweep()["requeued"] == 0  # held: not re-enqueued while the stop lasts
        assert delivery.deliver(message.pk) == "not-due"
        assert fresh(message).attempts == 0

        # Staff end the stop early; the next sweep sends it on.
        maintenance.end_window(pk=window.pk, ended_by="試験 職員")
        clock.move_to(START + timedelta(minutes=33))
        assert delivery.sweep()["requeued"] == 1
        run_ready_tasks()

    message = fresh(message)
    assert message.state == MessageState.ANSWERED
    assert message.attempts == 1
    assert hub.final(message.message_id) is not None


@pytest.mark.django_db(transaction=True)
def test_an_operator_message_written_during_a_stop_goes_once_it_ends_by_itself(hub: FakeHub) -> None:  # noqa: F811
    with time_machine.travel(START, tick=False) as clock:
        stop(System.SWITCHING, after=10, minutes=20)
        clock.move_to(START + timedelta(minutes=10))
        with transaction.atomic():
            message = submit()  # written during the stop: its task finds it held
        run_ready_tasks()
        assert (fresh(message).state, fresh(message).attempts) == (MessageState.PENDING, 0)

        clock.move_to(START + timedelta(minutes=29))
        assert delivery.sweep()["requeued"] == 0  # stale, but held
        clock.move_to(START + timedelta(minutes=30))  # the window is over at its planned end
        assert delivery.sweep()["requeued"] == 1
        run_ready_tasks()
    message = fresh(message)
    assert message.state == MessageState.ANSWERED
    assert message.attempts == 1
    assert len(delivery_tasks(message)) == 2


def _callback(system: str) -> CallbackDelivery:
    endpoint = CallbackEndpoint.objects.create(
        organization_id=1, system=system, url="https://receiver.example/hook", secret="s" * 64
    )
    event = OrganizationEvent.objects.create(organization_id=1, system=system, sequence=1, topic="test")
    return CallbackDelivery.objects.create(
        event=event, endpoint=endpoint, organization_id=1, url=endpoint.url
    )


def test_a_stopped_systems_callbacks_are_held_and_not_re_enqueued(clock: Any) -> None:
    held = _callback(System.SWITCHING)
    window = stop(System.CAPACITY)
    assert callback_delivery.ROWS.claim(held.pk, now=timezone.now()) is not None  # another system's stop
    CallbackDelivery.objects.filter(pk=held.pk).update(state="pending", attempts=0, claim_token="")

    maintenance.end_window(pk=window.pk, ended_by="試験 職員")
    stop(System.SWITCHING)
    assert callback_delivery.deliver(held.pk) == "not-claimed:pending"
    clock.move_to(START + timedelta(minutes=10))
    assert callback_delivery.sweep()["requeued"] == 0
    held.refresh_from_db()
    assert (held.state, held.attempts) == ("pending", 0)

    clock.move_to(START + timedelta(minutes=61))
    assert callback_delivery.ROWS.claim(held.pk, now=timezone.now()) is not None


def test_mail_waits_only_while_every_system_is_stopped(clock: Any, mailoutbox: list[Any]) -> None:
    def mail() -> OutboxMessage:
        return queue_mail(
            to="a@example.jp", template="identity/mail/request_limit", context={"change": "removed"}
        )

    stop(System.SWITCHING)
    first = mail()
    assert outbox_delivery.deliver(first.pk) == "sent"

    window = stop(ALL_SYSTEMS, minutes=None)
    second = mail()
    assert outbox_delivery.deliver(second.pk) == "not-due"
    second.refresh_from_db()
    assert (second.state, second.attempts) == (OutboxState.PENDING, 0)
    clock.move_to(START + timedelta(minutes=10))
    assert outbox_delivery.sweep()["requeued"] == 0

    maintenance.end_window(pk=window.pk, ended_by="試験 職員")
    assert outbox_delivery.sweep()["requeued"] == 1
    assert outbox_delivery.deliver(second.pk) == "sent"
    assert len(mailoutbox) == 2


def test_a_bulk_file_stops_between_batches_during_a_stop_and_the_sweep_resumes_it_after(
    clock: Any,
    handler: Any,  # noqa: F811
) -> None:
    from kouiki.bulk import registry as bulk_registry
    from kouiki.bulk import services as bulk
    from kouiki.bulk.models import BulkFile
    from tests.api.conftest import make_retailer
    from tests.bulk.conftest import make_function

    retailer = make_retailer("9101", "新電力A株式会社")
    bulk_registry.register(make_function(handler, batch_size=1))
    rows = "".join(f"03{n:020d},需要者 {n},1\r\n" for n in range(1, 4))
    file = bulk.upload(
        actor=retailer.user,
        function_id=BULK_FUNCTION,
        name="a.csv",
        data=("供給地点特定番号,需要者名,更新フラグ\r\n" + rows).encode("cp932"),
    )
    bulk.confirm(actor=retailer.user, file=file)
    assert bulk.run(file.pk, max_batches=1) == "stopped"
    BulkFile.objects.filter(pk=file.pk).update(claimed_until=None)
    attempts = BulkFile.objects.get(pk=file.pk).attempts

    window = stop(System.SWITCHING)
    assert bulk.run(file.pk) == "paused"
    assert BulkFile.objects.get(pk=file.pk).attempts == attempts  # waiting burns no attempt
    clock.move_to(START + timedelta(minutes=10))
    assert bulk.sweep()["requeued"] == 0  # held while the system is stopped

    maintenance.end_window(pk=window.pk, ended_by="試験 職員")
    assert bulk.sweep()["requeued"] == 1
    assert bulk.run(file.pk) == "done"
    assert handler.applied == [2, 3, 4]
