"""Messages to the operators: written with the caller's transaction, sent by a task on commit,
retried with backoff until acknowledged, swept when a worker dies, answers recorded once.

The in-process simulator is the operator; the hub is FakeHub (conftest). Tasks run on the real
database task backend, by django-tasks-db's own worker loop.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kouiki.tso import services
from kouiki.tso.models import (
    AnswerFeedCursor,
    AnswerRecord,
    MessageState,
    OperatorMessage,
    SimulatorAnswer,
    SimulatorReceipt,
    UsagePassword,
)
from kouiki.tso.services import delivery, simulator
from kouiki.tso.services.gateway import (
    Answer,
    FeedItem,
    Operation,
    Outcome,
    OutgoingMessage,
    answer_from_json,
    answer_to_json,
)
from tests.tasks import run_ready_tasks
from tests.tso.conftest import START, TOKYO_SMART, FakeHub

DELIVER_TASK = "kouiki.tso.tasks.deliver_operator_message"


class Rollback(Exception):
    pass


def submit(
    operation: str = Operation.FACILITY_INQUIRY, *, reference: str = "A0000001", **payload: Any
) -> OperatorMessage:
    payload.setdefault("supply_point_number", TOKYO_SMART)
    message_id = services.submit(area="03", operation=operation, reference=reference, payload=payload)
    return OperatorMessage.objects.get(message_id=message_id)


def delivery_tasks(message: OperatorMessage) -> list[DBTaskResult]:
    tasks = DBTaskResult.objects.filter(task_path=DELIVER_TASK).order_by("enqueued_at")
    return [task for task in tasks if task.args_kwargs["args"] == [message.pk]]


def fresh(message: OperatorMessage) -> OperatorMessage:
    message.refresh_from_db()
    return message


# Writing: the row and its task exist exactly when the caller's transaction commits.


@pytest.mark.django_db(transaction=True)
def test_submit_in_a_rolled_back_transaction_leaves_no_message_and_no_task() -> None:
    with pytest.raises(Rollback), transaction.atomic():
        submit()
        raise Rollback

    assert not OperatorMessage.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_message_is_delivered_by_its_task_and_answered(hub: FakeHub) -> None:
    with transaction.atomic():
        message = submit()
        assert not DBTaskResult.objects.exists()  # not before the commit

    assert len(delivery_tasks(message)) == 1
    run_ready_tasks()

    message = fresh(message)
    assert message.state == MessageState.ANSWERED
    assert message.final_outcome == Outcome.COMPLETED
    assert message.attempts == 1
    assert hub.of(message.message_id) == [("accepted", "一般送配電事業者受付"), ("completed", "完了")]
    assert hub.final(message.message_id).data["facility"]["supply_point_number"] == TOKYO_SMART


def test_submit_refuses_an_unknown_area_or_operation(db: None) -> None:
    with pytest.raises(ValueError):
        services.submit(area="11", operation=Operation.RECONNECT, reference="A1", payload={})
    with pytest.raises(ValueError):
        services.submit(area="03", operation="teleport", reference="A1", payload={})
    assert not OperatorMessage.objects.exists()


# Idempotency: the operator treats a repeated message id as the same message.


def test_a_second_task_for_a_delivered_message_does_nothing(db: None, hub: FakeHub) -> None:
    message = submit(Operation.FACILITY_INQUIRY)

    assert delivery.deliver(message.pk) == "answered"
    assert delivery.deliver(message.pk) == "already-answered"

    assert fresh(message).attempts == 1
    assert SimulatorReceipt.objects.count() == 1
    assert len(hub.of(message.message_id)) == 2


def test_the_same_message_id_sent_twice_acts_once_and_gets_the_same_answers(db: None, hub: FakeHub) -> None:
    message = submit(Operation.USAGE_PASSWORD)
    assert delivery.deliver(message.pk) == "acknowledged"  # taken at the operator's next tick
    delivery.poll_answers(areas=["03"])
    assert fresh(message).state == MessageState.ANSWERED
    # The acknowledgement is lost (as if our side crashed before recording it): the row goes back
    # to pending with the same message id and is sent again.
    OperatorMessage.objects.filter(pk=message.pk).update(state=MessageState.PENDING, final_outcome="")

    assert delivery.deliver(message.pk) == "acknowledged"
    delivery.poll_answers(areas=["03"])

    assert SimulatorReceipt.objects.count() == 1
    assert UsagePassword.objects.count() == 1
    assert SimulatorAnswer.objects.filter(message_id=message.message_id).count() == 2
    assert AnswerRecord.objects.filter(message=message).count() == 2
    assert len(hub.of(message.message_id)) == 2  # the repeated answers were recognised


def test_a_reply_lost_after_the_operator_took_the_message_is_resent_without_a_second_action(
    db: None, settings: Any, hub: FakeHub
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.5
    # A message id whose first attempt fails after the operator took it, and whose second succeeds.
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
        reference="A0000002",
        payload={"supply_point_number": TOKYO_SMART},
    )

    assert delivery.deliver(message.pk) == "retrying"
    message = fresh(message)
    assert "応答が途中で失われました" in message.last_error
    assert SimulatorAnswer.objects.filter(message_id=message_id).count() == 2  # the operator did act
    assert hub.answers == []  # but we did not hear it

    with time_machine.travel(message.next_attempt_at, tick=False):
        assert delivery.deliver(message.pk) == "answered"

    assert SimulatorReceipt.objects.count() == 1
    assert SimulatorAnswer.objects.filter(message_id=message_id).count() == 2
    assert hub.of(message_id) == [("accepted", "一般送配電事業者受付"), ("completed", "完了")]


# An operator down for an hour delays messages and loses none.


@pytest.mark.django_db(transaction=True)
def test_an_operator_down_for_an_hour_delays_the_message_and_loses_nothing(
    settings: Any, hub: FakeHub
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = ["03"]
    with time_machine.travel(START, tick=False) as traveller:
        with transaction.atomic():
            message = submit(Operation.RECONNECT, supply_point_number="0300000000000000000002")
        waits = []
        while timezone.now() < START + timedelta(hours=1):
            run_ready_tasks()
            message = fresh(message)
            assert message.state == MessageState.PENDING
            waits.append(message.next_attempt_at - timezone.now())
            traveller.move_to(message.next_attempt_at)

        assert message.attempts == len(waits) > 5
        assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
        assert max(waits) == timedelta(minutes=10)  # capped
        assert "停止しています" in message.last_error
        assert not SimulatorReceipt.objects.exists()
        assert hub.answers == []

        settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []
        run_ready_tasks()
        delivery.poll_answers(areas=["03"])  # the operator takes it at its next tick

    message = fresh(message)
    assert message.state == MessageState.ANSWERED
    assert message.final_outcome == Outcome.COMPLETED
    assert hub.final(message.message_id).data["registry"]["contract_state"] == "in_service"
    assert SimulatorReceipt.objects.count() == 1


# The sweeper: a killed worker's message is sent again; a lost task is enqueued again.


def test_a_message_left_sending_by_a_killed_worker_is_sent_again_once_its_lease_expires(
    db: None, clock: Any, hub: FakeHub, django_capture_on_commit_callbacks: Any
) -> None:
    message = submit()
    # A worker claimed the row (as `deliver` does) and died before sending.
    OperatorMessage.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING,
        claim_token="dead-worker",
        claimed_until=timezone.now() + timedelta(seconds=120),
        attempts=1,
    )
    assert delivery.deliver(message.pk) == "in-progress"
    assert delivery.sweep()["reclaimed"] == 0  # the lease still holds

    clock.move_to(START + timedelta(seconds=121))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.sweep()["reclaimed"] == 1
    message = fresh(message)
    assert message.state == MessageState.PENDING
    assert message.last_error == delivery.LEASE_EXPIRED_ERROR
    assert delivery_tasks(message)  # enqueued again

    assert delivery.deliver(message.pk) == "answered"
    assert fresh(message).attempts == 2
    assert len(hub.of(message.message_id)) == 2


def test_a_pending_message_whose_task_was_lost_is_enqueued_again(
    db: None, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    message = submit()  # its on-commit enqueue never runs here: the task is "lost"
    assert not delivery_tasks(message)

    assert delivery.sweep()["requeued"] == 0  # not stale yet
    clock.move_to(START + timedelta(seconds=121))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.sweep()["requeued"] == 1
    assert len(delivery_tasks(message)) == 1
    assert delivery.sweep()["requeued"] == 0  # just enqueued: left alone


# Answers: recorded once, handed to the hub once, in order, even when it was not there.


def answer_to(
    message: OperatorMessage, outcome: str = Outcome.ACCEPTED, step: str = "一般送配電事業者受付"
) -> Answer:
    return Answer(
        message_id=message.message_id,
        reference=message.reference,
        operation=message.operation,
        area=message.area,
        outcome=outcome,
        step=step,
        data={},
        answered_at=timezone.now(),
    )


def test_an_answer_received_twice_is_recorded_and_handed_over_once(db: None, hub: FakeHub) -> None:
    message = submit()

    assert services.receive_answer(answer_to(message)) is True
    assert services.receive_answer(answer_to(message)) is False

    assert AnswerRecord.objects.filter(message=message).count() == 1
    assert hub.of(message.message_id) == [("accepted", "一般送配電事業者受付")]
    message = fresh(message)
    assert message.state == MessageState.ACKNOWLEDGED
    assert message.acknowledged_at is not None


def test_answers_given_at_once_and_again_in_the_feed_reach_the_hub_once(db: None, hub: FakeHub) -> None:
    message = submit()
    delivery.deliver(message.pk)

    assert delivery.poll_answers(areas=["03"]) == {"03": 0}

    assert len(hub.of(message.message_id)) == 2
    assert AnswerRecord.objects.filter(message=message).count() == 2


def test_a_second_final_answer_and_an_answer_to_an_unknown_message_are_dropped(
    db: None, hub: FakeHub
) -> None:
    message = submit()
    services.receive_answer(answer_to(message, Outcome.COMPLETED, "完了"))

    assert services.receive_answer(answer_to(message, Outcome.REJECTED, "不備")) is False
    stranger = OperatorMessage(message_id="f" * 32, reference="X", operation="reconnect", area="03")
    assert services.receive_answer(answer_to(stranger)) is False

    assert fresh(message).final_outcome == Outcome.COMPLETED
    assert hub.of(message.message_id) == [("completed", "完了")]


def test_answers_received_without_a_hub_are_kept_and_handed_over_in_order_by_the_sweeper(
    db: None, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_answer_handler", None)
    message = submit()
    delivery.deliver(message.pk)

    assert fresh(message).state == MessageState.ANSWERED  # the gateway's side is done
    assert AnswerRecord.objects.filter(message=message, delivered_at__isnull=True).count() == 2

    services.register_answer_handler(hub)
    assert delivery.sweep()["handed_over"] == 2
    assert hub.of(message.message_id) == [("accepted", "一般送配電事業者受付"), ("completed", "完了")]
    assert delivery.sweep()["handed_over"] == 0


def test_a_failing_hub_keeps_the_answer_for_a_later_attempt(db: None, hub: FakeHub) -> None:
    message = submit()
    hub.failing = True
    delivery.deliver(message.pk)

    [first, _second] = AnswerRecord.objects.filter(message=message).order_by("id")
    assert first.delivered_at is None
    assert "hub is failing" in first.handler_error

    hub.failing = False
    assert delivery.sweep()["handed_over"] == 2
    assert hub.of(message.message_id) == [("accepted", "一般送配電事業者受付"), ("completed", "完了")]


# Answers that come later, through the answer feed.


def test_with_an_answer_delay_the_final_answer_comes_through_the_feed(
    db: None, settings: Any, clock: Any, hub: FakeHub
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 300
    message = submit()

    assert delivery.deliver(message.pk) == "acknowledged"
    assert delivery.poll_answers(areas=["03"]) == {"03": 0}
    assert fresh(message).state == MessageState.ACKNOWLEDGED

    clock.move_to(START + timedelta(seconds=300))
    assert delivery.poll_answers(areas=["03"]) == {"03": 1}
    assert fresh(message).state == MessageState.ANSWERED
    assert hub.of(message.message_id) == [("accepted", "一般送配電事業者受付"), ("completed", "完了")]


def test_the_feed_of_an_area_that_is_down_is_skipped_and_read_once_it_is_back(
    db: None, settings: Any, clock: Any, hub: FakeHub
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 60
    message = submit()
    delivery.deliver(message.pk)
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = ["03"]
    clock.move_to(START + timedelta(minutes=30))

    assert delivery.poll_answers(areas=["03", "06"]) == {"03": -1, "06": 0}
    assert fresh(message).state == MessageState.ACKNOWLEDGED

    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []
    assert delivery.poll_answers(areas=["03"]) == {"03": 1}
    assert fresh(message).final_outcome == Outcome.COMPLETED


def test_the_periodic_jobs_are_registered() -> None:
    from kouiki.core import periodic

    periodic.autodiscover()
    names = {job.name for job in periodic.registered()}
    assert {"tso.sweep_operator_messages", "tso.poll_operator_answers"} <= names


# One answer that cannot be taken holds up nothing else.


class ScriptedOperator:
    """An operator whose replies and feeds the test writes: `replies` for a send, `feeds[area]`
    for the answer feed (an exception there is raised when the feed is read)."""

    def __init__(self) -> None:
        self.replies: list[Answer] = []
        self.feeds: dict[str, list[FeedItem] | Exception] = {}

    def send(self, message: OutgoingMessage) -> list[Answer]:
        return self.replies

    def answers_after(self, area: str, after: int, *, limit: int = 500) -> list[FeedItem]:
        feed = self.feeds.get(area, [])
        if isinstance(feed, Exception):
            raise feed
        return [item for item in feed if item.seq > after][:limit]


def test_an_answer_with_texts_longer_than_kept_is_cut_when_it_enters_not_lost(db: None, hub: FakeHub) -> None:
    message = submit()
    long_answer = replace(
        answer_to(message, Outcome.REJECTED, "不備（" + "あ" * 80 + "）"),
        error_code="e" * 100,
        error_detail="詳" * 5000 + "\x00",
    )
    assert services.receive_answer(long_answer) is True

    record = AnswerRecord.objects.get(message=message)
    assert (len(record.step), len(record.error_code), len(record.error_detail)) == (60, 64, 2000)
    assert fresh(message).final_outcome == Outcome.REJECTED
    assert hub.final(message.message_id).step == record.step
    # The same answer again (cut the same way) is the same answer.
    assert services.receive_answer(long_answer) is False
    # An operator's JSON is cut the same way.
    cut = answer_from_json({**answer_to_json(long_answer), "step": "x" * 61})
    assert (len(cut.step), len(cut.error_code), "\x00" in cut.error_detail) == (60, 64, False)


def test_one_areas_feed_that_fails_does_not_stop_the_other_areas(db: None, hub: FakeHub) -> None:
    operator = ScriptedOperator()
    message = submit()
    operator.feeds = {
        "01": RuntimeError("unexpected reply"),
        "03": [
            FeedItem(seq=1, answer=answer_to(message)),
            FeedItem(seq=2, answer=answer_to(message, Outcome.COMPLETED, "完了")),
        ],
    }

    assert delivery.poll_answers(adapter=operator, areas=["01", "03"]) == {"01": -1, "03": 2}
    assert fresh(message).final_outcome == Outcome.COMPLETED
    assert AnswerFeedCursor.objects.get(area="01").position == 0  # read again next time


def test_an_answer_of_the_feed_that_cannot_be_stored_is_passed_over_and_the_next_ones_are_taken(
    db: None, hub: FakeHub
) -> None:
    operator = ScriptedOperator()
    first, second = submit(reference="A0000001"), submit(reference="A0000002")
    unstorable = replace(answer_to(first, Outcome.COMPLETED, "完了"), data={"value": object()})
    operator.feeds = {
        "03": [
            FeedItem(seq=1, answer=unstorable),
            FeedItem(seq=2, answer=answer_to(second, Outcome.COMPLETED, "完了")),
        ]
    }

    assert delivery.poll_answers(adapter=operator, areas=["03"]) == {"03": 1}
    assert fresh(second).final_outcome == Outcome.COMPLETED
    assert (
        fresh(first).state == MessageState.PENDING and not AnswerRecord.objects.filter(message=first).exists()
    )
    assert AnswerFeedCursor.objects.get(area="03").position == 2


def test_an_answer_of_a_reply_that_cannot_be_stored_does_not_stop_the_others(db: None, hub: FakeHub) -> None:
    operator = ScriptedOperator()
    message = submit()
    operator.replies = [
        replace(answer_to(message), data={"value": object()}),
        answer_to(message, Outcome.COMPLETED, "完了"),
    ]

    assert delivery.deliver(message.pk, adapter=operator) == "answered"
    assert hub.of(message.message_id) == [("completed", "完了")]


def test_a_hub_failing_on_one_answer_still_gets_the_final_one(db: None, hub: FakeHub) -> None:
    def fails_on_accepted(answer: Answer) -> None:
        if answer.outcome == Outcome.ACCEPTED:
            raise RuntimeError("cannot take it")
        hub(answer)

    services.register_answer_handler(fails_on_accepted)
    message = submit()
    delivery.deliver(message.pk)

    assert hub.of(message.message_id) == [("completed", "完了")]
    accepted = AnswerRecord.objects.get(message=message, outcome=Outcome.ACCEPTED)
    assert accepted.delivered_at is None and "cannot take it" in accepted.handler_error
