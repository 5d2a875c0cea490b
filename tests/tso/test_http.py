"""The HTTP adapter against the simulator served over HTTP on 127.0.0.1 (pytest-django's live
server): messages delivered, answers read from the feed, outages (503, connection refused) and
recovery with no message lost and no action taken twice."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine
from django.db import transaction

from kouiki.core.calendar import JST
from kouiki.tso import services
from kouiki.tso.models import AnswerRecord, MessageState, OperatorMessage, SimulatorAnswer, SimulatorReceipt
from kouiki.tso.services import delivery
from kouiki.tso.services.adapters import HttpAdapter
from kouiki.tso.services.gateway import (
    MessageRefused,
    Operation,
    OperatorUnavailable,
    Outcome,
    OutgoingMessage,
)
from tests.tasks import run_ready_tasks
from tests.tso.conftest import START, TOKYO_SMART, TOKYO_STOPPED, FakeHub

TOKEN = "simulator-test-token"

pytestmark = pytest.mark.django_db(transaction=True)


def endpoints(base: str) -> dict[str, str]:
    return {f"{n:02d}": f"{base}/tso-simulator/{n:02d}" for n in range(1, 11)}


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def operator_url(live_server: Any, settings: Any) -> str:
    """The simulator's HTTP face on the live server, and the gateway pointed at it."""
    settings.ROOT_URLCONF = "tests.tso.urls"
    settings.KOUIKI_TSO_SIMULATOR_HTTP = True
    settings.KOUIKI_TSO_SIMULATOR_TOKEN = TOKEN
    settings.KOUIKI_TSO_ADAPTER = "http"
    settings.KOUIKI_TSO_ENDPOINTS = endpoints(live_server.url)
    settings.KOUIKI_TSO_HTTP_TOKEN = TOKEN
    settings.KOUIKI_TSO_HTTP_TIMEOUT_SECONDS = 5
    return str(live_server.url)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as travel:
        yield travel


def submit(
    operation: str = Operation.FACILITY_INQUIRY, number: str = TOKYO_SMART, **payload: Any
) -> OperatorMessage:
    with transaction.atomic():
        message_id = services.submit(
            area=number[:2],
            operation=operation,
            reference="A0000001",
            payload={"supply_point_number": number, **payload},
        )
    return OperatorMessage.objects.get(message_id=message_id)


def fresh(message: OperatorMessage) -> OperatorMessage:
    message.refresh_from_db()
    return message


def test_a_message_goes_over_http_and_its_answers_come_back(operator_url: str, hub: FakeHub) -> None:
    message = submit(Operation.FACILITY_INQUIRY)
    run_ready_tasks()

    message = fresh(message)
    assert message.state == MessageState.ANSWERED
    assert hub.of(message.message_id) == [("accepted", "一般送配電事業者受付"), ("completed", "完了")]
    assert hub.final(message.message_id).step_code == "08"  # the coded status travels over HTTP

    # The feed repeats what the reply carried: nothing new, nothing twice.
    assert delivery.poll_answers(areas=["03"]) == {"03": 0}
    assert len(hub.answers) == 2


def test_the_simulator_over_http_takes_a_repeated_message_id_once(operator_url: str) -> None:
    adapter = HttpAdapter(endpoints(operator_url), token=TOKEN)
    message = OutgoingMessage(
        message_id="b" * 32,
        area="03",
        operation=Operation.FACILITY_INQUIRY,
        reference="A0000009",
        payload={"supply_point_number": TOKYO_SMART},
    )

    first = adapter.send(message)
    again = adapter.send(OutgoingMessage(**{**message.__dict__, "attempt": 2}))

    assert first == again
    assert [answer.outcome for answer in first] == ["accepted", "completed"]
    assert SimulatorReceipt.objects.count() == 1
    assert SimulatorAnswer.objects.filter(message_id=message.message_id).count() == 2


def test_an_outage_503_then_connection_refused_then_recovery_loses_nothing_and_acts_once(
    operator_url: str, settings: Any, traveller: Any, hub: FakeHub
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = ["03"]  # the operator answers 503
    message = submit(Operation.RECONNECT, TOKYO_STOPPED)
    run_ready_tasks()
    message = fresh(message)
    assert (message.state, message.attempts) == (MessageState.PENDING, 1)
    assert "HTTP 503" in message.last_error

    # Then its server is gone altogether: the connection is refused.
    settings.KOUIKI_TSO_ENDPOINTS = endpoints(f"http://127.0.0.1:{closed_port()}")
    traveller.move_to(message.next_attempt_at)
    run_ready_tasks()
    message = fresh(message)
    assert (message.state, message.attempts) == (MessageState.PENDING, 2)
    assert "ConnectError" in message.last_error
    assert delivery.poll_answers(areas=["03"]) == {"03": -1}

    # An hour later it is back.
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []
    settings.KOUIKI_TSO_ENDPOINTS = endpoints(operator_url)
    traveller.move_to(START + timedelta(hours=1))
    run_ready_tasks()
    delivery.poll_answers(areas=["03"])  # the operator takes it at its next tick

    message = fresh(message)
    assert message.state == MessageState.ANSWERED
    assert message.final_outcome == Outcome.COMPLETED
    assert SimulatorReceipt.objects.count() == 1
    assert hub.of(message.message_id) == [("accepted", "一般送配電事業者受付"), ("completed", "完了")]
    assert hub.final(message.message_id).data["registry"]["contract_state"] == "in_service"


def test_a_reply_lost_on_the_way_is_resent_and_the_operator_acts_once(
    operator_url: str, settings: Any, traveller: Any, hub: FakeHub
) -> None:
    from kouiki.tso.services import simulator

    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.5
    message_id = next(
        candidate
        for candidate in (f"{n:032x}" for n in range(10_000))
        if simulator.failure_roll(candidate, 1) == (True, True)
        and not simulator.failure_roll(candidate, 2)[0]
    )
    message = OperatorMessage.objects.create(
        message_id=message_id,
        area="03",
        operation=Operation.FACILITY_INQUIRY,
        reference="A0000003",
        payload={"supply_point_number": TOKYO_SMART},
    )

    assert delivery.deliver(message.pk) == "retrying"
    assert SimulatorAnswer.objects.filter(message_id=message_id).count() == 2  # it acted
    traveller.move_to(fresh(message).next_attempt_at)
    assert delivery.deliver(message.pk) == "answered"

    assert SimulatorAnswer.objects.filter(message_id=message_id).count() == 2
    assert SimulatorReceipt.objects.count() == 1
    assert len(hub.of(message_id)) == 2


def test_a_switch_over_http_is_completed_through_the_answer_feed_on_its_date(
    operator_url: str, traveller: Any, hub: FakeHub
) -> None:
    message = submit(Operation.SWITCH_START, switching_date="2026-11-09", new_retailer_code="9101")
    run_ready_tasks()
    assert fresh(message).state == MessageState.ACKNOWLEDGED

    traveller.move_to(datetime(2026, 11, 9, 0, 0, 5, tzinfo=JST))
    assert delivery.poll_answers(areas=["03"]) == {"03": 1}

    assert fresh(message).final_outcome == Outcome.COMPLETED
    assert hub.final(message.message_id).data["registry"]["retailer_code"] == "9101"
    assert delivery.poll_answers(areas=["03"]) == {"03": 0}


def test_a_message_the_operator_refuses_for_good_ends_rejected_by_the_gateway(
    operator_url: str, hub: FakeHub
) -> None:
    message = submit(Operation.CUSTOMER_CHANGE, changes={"customer_address": "長" * 70_000})  # HTTP 413
    run_ready_tasks()

    message = fresh(message)
    assert message.state == MessageState.ANSWERED
    assert message.final_outcome == Outcome.REJECTED
    assert "HTTP 413" in message.last_error
    rejection = hub.final(message.message_id)
    assert rejection.error_code == "operator_refused_message"
    assert AnswerRecord.objects.get(message=message).source == "gateway"


def test_a_wrong_token_is_retried_not_refused(operator_url: str) -> None:
    adapter = HttpAdapter(endpoints(operator_url), token="wrong")
    message = OutgoingMessage(
        message_id="c" * 32, area="03", operation="reconnect", reference="A1", payload={}
    )

    with pytest.raises(OperatorUnavailable, match="HTTP 401"):
        adapter.send(message)
    assert not SimulatorReceipt.objects.exists()


def test_the_simulators_http_face_is_off_unless_asked_for(operator_url: str, settings: Any) -> None:
    settings.KOUIKI_TSO_SIMULATOR_HTTP = False

    response = httpx.get(
        f"{operator_url}/tso-simulator/03/answers", headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert response.status_code == 404


def test_a_malformed_message_is_refused_with_400(operator_url: str) -> None:
    adapter = HttpAdapter(endpoints(operator_url), token=TOKEN)
    message = OutgoingMessage(
        message_id="d" * 32, area="03", operation="teleport", reference="A1", payload={}
    )

    with pytest.raises(MessageRefused, match="HTTP 400"):
        adapter.send(message)
