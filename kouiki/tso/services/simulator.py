"""The ten area operators (一般送配電事業者), simulated in process: deterministic rules.

What a real operator does, kept on "its" side of the line (the Simulator* models):

- `receive(message)` takes a message once per id (`SimulatorReceipt`): a repeated id returns the
  answers given the first time and never acts again. It answers "accepted"
  (一般送配電事業者受付) at once, and the final answer either at once (answer delay 0) or later
  through a `SimulatorJob`: after KOUIKI_TSO_SIMULATOR_DELAY_SECONDS, or on the day the work is
  done (a switch on its switching date, a change on its desired date).
- Every answer is appended to the area's answer feed (`SimulatorAnswer`, gapless positions);
  `answers_after(area, after)` reads it, first doing the work that has come due (`tick`).
- Settings make it misbehave, deterministically: KOUIKI_TSO_SIMULATOR_DOWN_AREAS are down (every
  call fails), and KOUIKI_TSO_SIMULATOR_FAILURE_RATE fails that share of sends, chosen by a hash
  of the message id and the attempt — half of them before the message is taken, half after
  (the reply is lost: the resend must get the same answers and change nothing).

The registry is the hub's; the simulator reads it through the reader the hub registers and
sends registry changes in `data["registry"]` of its final answers (ADR 11). The rules are in
`kouiki.tso.services.simulator_rules`.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kouiki.core.calendar import JST
from kouiki.core.japanese import Area
from kouiki.tso import services
from kouiki.tso.models import SimulatorAnswer, SimulatorFeed, SimulatorJob, SimulatorReceipt
from kouiki.tso.services import simulator_rules as rules
from kouiki.tso.services.gateway import (
    STEP_COMPLETED,
    STEP_RECEIVED,
    STEP_REJECTED,
    Answer,
    FeedItem,
    OperatorUnavailable,
    Outcome,
    OutgoingMessage,
    answer_from_json,
    answer_to_json,
)

logger = logging.getLogger(__name__)

DOWN_ERROR = "模擬障害: {area}エリアの一般送配電事業者システムが停止しています。"
FAILED_BEFORE = "模擬障害: 一般送配電事業者システムが応答しませんでした（電文は未受信）。"
FAILED_AFTER = "模擬障害: 応答が途中で失われました（電文は受信済み）。"
TICK_BATCH = 500


# --- The operator's door ---------------------------------------------------------------------


def is_down(area: str) -> bool:
    return area in set(settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS)


def _check_up(area: str) -> None:
    if area not in Area.values:
        raise OperatorUnavailable(f"エリアコード {area!r} の一般送配電事業者はありません。")
    if is_down(area):
        raise OperatorUnavailable(DOWN_ERROR.format(area=Area(area).label))


def failure_roll(message_id: str, attempt: int) -> tuple[bool, bool]:
    """(this attempt fails, it fails after the message was taken), from a hash: deterministic."""
    digest = hashlib.sha256(f"{message_id}:{attempt}".encode()).digest()
    share = int.from_bytes(digest[:8]) / 2**64
    return share < float(settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE), digest[8] % 2 == 1


def receive(message: OutgoingMessage) -> list[Answer]:
    """Take a message (once per id) and return the answers given at once."""
    _check_up(message.area)
    fails, after_taking = failure_roll(message.message_id, message.attempt)
    if fails and not after_taking:
        raise OperatorUnavailable(FAILED_BEFORE)
    try:
        answers = _take(message)
    except services.RegistryUnavailable as error:
        raise OperatorUnavailable(str(error)) from error
    if fails:
        raise OperatorUnavailable(FAILED_AFTER)
    return answers


def _take(message: OutgoingMessage) -> list[Answer]:
    existing = SimulatorReceipt.objects.filter(message_id=message.message_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                receipt = SimulatorReceipt.objects.create(
                    message_id=message.message_id,
                    area=message.area,
                    operation=message.operation,
                    reference=message.reference,
                    payload=message.payload,
                )
                answers = _process(receipt, timezone.now())
                receipt.answers = [answer_to_json(answer) for answer in answers]
                receipt.save(update_fields=["answers"])
                return answers
        except IntegrityError:
            # The same id sent twice at once: the other send took it.
            existing = SimulatorReceipt.objects.filter(message_id=message.message_id).first()
            if existing is None:
                raise
    return [answer_from_json(value) for value in existing.answers]


def _process(receipt: SimulatorReceipt, now: datetime) -> list[Answer]:
    answers = [_answer(receipt, Outcome.ACCEPTED, STEP_RECEIVED, {}, now)]
    due = _due_at(receipt, now)
    if due <= now:
        answers.append(_final(receipt, now))
    else:
        SimulatorJob.objects.create(receipt=receipt, due_at=due)
    for answer in answers:
        _publish(answer)
    return answers


def _due_at(receipt: SimulatorReceipt, now: datetime) -> datetime:
    """When the final answer is given: after the answer delay, or on the day of the work."""
    after_delay = now + timedelta(seconds=int(settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS))
    try:
        rules.point_of(receipt)
        work_day = rules.work_day(receipt)
    except rules.Rejection:
        return after_delay
    if work_day is None:
        return after_delay
    return max(after_delay, datetime.combine(work_day, time(0), tzinfo=JST))


def tick(area: str | None = None, now: datetime | None = None) -> int:
    """Give the final answers that have come due (in up areas); returns how many were given."""
    now = now or timezone.now()
    areas = [a for a in ([area] if area else Area.values) if not is_down(a)]
    due = (
        SimulatorJob.objects.filter(done_at__isnull=True, due_at__lte=now, receipt__area__in=areas)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:TICK_BATCH]
    )
    given = 0
    for pk in list(due):
        try:
            with transaction.atomic():
                if not SimulatorJob.objects.filter(pk=pk, done_at__isnull=True).update(done_at=now):
                    continue
                job = SimulatorJob.objects.select_related("receipt").get(pk=pk)
                _publish(_final(job.receipt, now))
                given += 1
        except services.RegistryUnavailable:
            logger.warning("Simulator tick: no registry reader; due answers wait.")
            break
    return given


def answers_after(area: str, after: int, *, limit: int = 500) -> list[FeedItem]:
    """The area's answers after position `after`, in order, once the due work is done."""
    _check_up(area)
    tick(area)
    rows = SimulatorAnswer.objects.filter(area=area, seq__gt=after).order_by("seq")[
        : max(1, min(limit, 1000))
    ]
    return [FeedItem(seq=row.seq, answer=answer_from_json(row.body)) for row in rows]


def _publish(answer: Answer) -> None:
    """Append an answer to its area's feed: the feed row is locked until commit (gapless order)."""
    SimulatorFeed.objects.get_or_create(area=answer.area)
    feed = SimulatorFeed.objects.select_for_update().get(area=answer.area)
    feed.last_seq += 1
    feed.save(update_fields=["last_seq"])
    SimulatorAnswer.objects.create(
        area=answer.area,
        seq=feed.last_seq,
        message_id=answer.message_id,
        outcome=answer.outcome,
        step=answer.step,
        body=answer_to_json(answer),
    )


def _answer(
    receipt: SimulatorReceipt,
    outcome: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
    *,
    error_code: str = "",
    error_detail: str = "",
) -> Answer:
    return Answer(
        message_id=receipt.message_id,
        reference=receipt.reference,
        operation=receipt.operation,
        area=receipt.area,
        outcome=outcome,
        step=step,
        data=data,
        error_code=error_code,
        error_detail=error_detail,
        answered_at=now,
    )


def _final(receipt: SimulatorReceipt, now: datetime) -> Answer:
    try:
        point = rules.point_of(receipt)
        rule = rules.RULES.get(receipt.operation)
        if rule is None:
            raise rules.Rejection(
                "operation_unknown", f"電文種別「{receipt.operation}」は取り扱っていません。"
            )
        data = rule(receipt, point, now)
    except rules.Rejection as rejection:
        return _answer(
            receipt,
            Outcome.REJECTED,
            STEP_REJECTED,
            {},
            now,
            error_code=rejection.code,
            error_detail=rejection.detail,
        )
    return _answer(receipt, Outcome.COMPLETED, STEP_COMPLETED, data, now)
