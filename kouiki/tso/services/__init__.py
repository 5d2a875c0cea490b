"""The gateway's services: submit a message, receive an answer, and the hub's two registrations.

The hub (kouiki.switching) calls `submit` inside the transaction that writes its application and
registers, in its AppConfig.ready, an answer handler and a reader of its registry (ADR 11). The
gateway never imports the hub. Delivery, retries, the sweeper and the answer poll are in
`kouiki.tso.services.delivery` (docs/decisions/0014-operators-gateway.md).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kouiki.core.japanese import Area
from kouiki.tso.models import AnswerRecord, AnswerSource, MessageState, OperatorMessage
from kouiki.tso.services.gateway import (
    Answer,
    Operation,
    Outcome,
    status_from_json,
    status_to_json,
    storable,
    update_flag_of,
)

logger = logging.getLogger(__name__)

AnswerHandler = Callable[[Answer], None]
RegistryReader = Callable[[str], dict[str, Any] | None]

_answer_handler: AnswerHandler | None = None
_registry_reader: RegistryReader | None = None


class RegistryUnavailable(Exception):
    """No registry reader is registered (the hub is not installed or not ready)."""


def register_answer_handler(handler: AnswerHandler) -> None:
    """The hub registers one handler (switching AppConfig.ready); a later call replaces it.

    The gateway calls it inside a transaction, once per answer, in the order the answers of a
    message were received; the handler must be idempotent per (message_id, outcome). Answers
    received while no handler is registered are kept and handed over by the sweeper later.
    """
    global _answer_handler
    _answer_handler = handler


def answer_handler() -> AnswerHandler | None:
    return _answer_handler


def register_registry_reader(reader: RegistryReader) -> None:
    """The hub lends the simulator a read of its registry: point number -> the current version's
    items (seed 004 names as in SupplyPointVersion, plus "retailer_code", "voltage", "area",
    "smart_meter"), or None when the number is unknown."""
    global _registry_reader
    _registry_reader = reader


def registry_reader() -> RegistryReader | None:
    return _registry_reader


def read_registry(number: str) -> dict[str, Any] | None:
    """The current items of a supply point through the hub's reader; RegistryUnavailable without one."""
    if _registry_reader is None:
        raise RegistryUnavailable("供給地点情報の参照先が登録されていません。")
    return _registry_reader(number)


def submit(*, area: str, operation: str, reference: str, payload: dict[str, Any]) -> str:
    """Write the message row in the caller's transaction; its delivery is enqueued on commit.
    Returns the message id (uuid4 hex)."""
    if area not in Area.values:
        raise ValueError(f"unknown area {area!r}")
    operation = Operation(operation).value
    message = OperatorMessage.objects.create(
        message_id=uuid.uuid4().hex,
        area=area,
        operation=operation,
        reference=reference,
        payload=payload,
        enqueued_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue_delivery(message.pk), robust=True)
    return message.message_id


def enqueue_delivery(message_pk: int, *, run_after: datetime | None = None) -> None:
    """Enqueue the delivery task of one row (call it from `transaction.on_commit`)."""
    from kouiki.tso.tasks import deliver_operator_message

    task = (
        deliver_operator_message if run_after is None else deliver_operator_message.using(run_after=run_after)
    )
    task.enqueue(message_pk)


def receive_answer(answer: Answer, *, source: str = AnswerSource.OPERATOR) -> bool:
    """Record an operator's answer once and hand it to the hub; False when it was already known.

    In one transaction: the answer is recorded (a repeat of the same message, outcome and step is
    ignored), the message moves on (an "accepted" answer acknowledges it, a final one answers it),
    and the message's answers not yet handed over go to the hub's handler, in order. A handler
    that raises leaves its answer recorded and not handed over: the sweeper tries again.
    An answer to a message we never sent, or a second final answer, is logged and dropped. Texts
    longer than the gateway keeps are cut first (`gateway.storable`), whichever way the answer
    came: nothing an operator sends can make it unstorable.
    """
    answer = storable(answer)
    now = timezone.now()
    with transaction.atomic():
        message = OperatorMessage.objects.select_for_update().filter(message_id=answer.message_id).first()
        if message is None:
            logger.warning("Answer to an unknown message %s (%s) dropped.", answer.message_id, answer.outcome)
            return False
        if answer.is_final and message.final_outcome and message.final_outcome != answer.outcome:
            logger.warning(
                "Second final answer %s to message %s (already %s) dropped.",
                answer.outcome,
                message.message_id,
                message.final_outcome,
            )
            return False
        # The message is locked: no other transaction records an answer to it meanwhile, so a
        # look and an insert suffice (no savepoint for a conflict that cannot happen).
        if AnswerRecord.objects.filter(message=message, outcome=answer.outcome, step=answer.step).exists():
            return False
        AnswerRecord.objects.create(
            message=message,
            outcome=answer.outcome,
            step=answer.step,
            data=_record_data(answer),
            error_code=answer.error_code,
            error_detail=answer.error_detail,
            answered_at=answer.answered_at,
            received_at=now,
            source=source,
        )
        changes: dict[str, Any] = {}
        if message.acknowledged_at is None:
            changes["acknowledged_at"] = now
        if answer.is_final:
            changes |= {"state": MessageState.ANSWERED, "final_outcome": answer.outcome, "answered_at": now}
        elif message.state in (MessageState.PENDING, MessageState.SENDING):
            changes["state"] = MessageState.ACKNOWLEDGED
        if changes.get("state") in (MessageState.ACKNOWLEDGED, MessageState.ANSWERED):
            changes["claimed_until"] = None
        if changes:
            OperatorMessage.objects.filter(pk=message.pk).update(**changes)
        hand_over(message)
    return True


def hand_over(message: OperatorMessage) -> int:
    """Give the hub's handler the message's answers it has not had yet, in order; how many it took.

    Call it inside a transaction that holds the message (select_for_update). Each answer goes in
    a savepoint with the mark that it was handed over, so the handler's writes and the mark
    commit together: once per answer. An answer the handler fails on keeps its error and waits
    for the sweeper; the answers after it are still handed over (the hub's handler takes answers
    in any order: it is idempotent and a final state stays final), so one answer it cannot take
    never holds the message's final answer back.
    """
    handler = _answer_handler
    if handler is None:
        return 0
    handed = 0
    pending = AnswerRecord.objects.filter(message=message, delivered_at__isnull=True).order_by("id")
    for record in pending:
        try:
            with transaction.atomic():
                handler(_answer_of(message, record))
                AnswerRecord.objects.filter(pk=record.pk).update(
                    delivered_at=timezone.now(), handler_error=""
                )
        except Exception as exc:
            logger.exception(
                "The hub's handler failed on answer %s of message %s.", record.pk, message.message_id
            )
            AnswerRecord.objects.filter(pk=record.pk).update(
                handler_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            continue
        handed += 1
    return handed


def hand_over_pending(limit: int = 1000) -> int:
    """The sweeper's part: hand over answers received while no handler was registered or failed."""
    if _answer_handler is None:
        return 0
    message_pks = list(
        AnswerRecord.objects.filter(delivered_at__isnull=True)
        .order_by("message_id")
        .values_list("message_id", flat=True)
        .distinct()[:limit]
    )
    handed = 0
    for pk in message_pks:
        with transaction.atomic():
            message = OperatorMessage.objects.select_for_update().get(pk=pk)
            handed += hand_over(message)
    return handed


# An answer's coded status (受付工程コード, 受付メッセージ, ご連絡事項, dates) is kept in its record's
# data under this key: the record has no columns of its own for it.
RECORD_STATUS_KEY = "_operator_status"


def _record_data(answer: Answer) -> dict[str, Any]:
    status = status_to_json(answer)
    return {**answer.data, RECORD_STATUS_KEY: status} if status else answer.data


def _answer_of(message: OperatorMessage, record: AnswerRecord) -> Answer:
    """The answer as it was received; its 更新フラグ is the message's own (the gateway sent it)."""
    data = dict(record.data)
    status = data.pop(RECORD_STATUS_KEY, None) or {}
    return Answer(
        message_id=message.message_id,
        reference=message.reference,
        operation=message.operation,
        area=message.area,
        outcome=record.outcome,
        step=record.step,
        data=data,
        error_code=record.error_code,
        error_detail=record.error_detail,
        answered_at=record.answered_at,
        update_flag=update_flag_of(message.payload),
        **status_from_json(status),
    )


def gateway_rejection(message: OperatorMessage, detail: str) -> Answer:
    """The final answer the gateway gives itself when the operator refuses a message for good."""
    return Answer(
        message_id=message.message_id,
        reference=message.reference,
        operation=message.operation,
        area=message.area,
        update_flag=update_flag_of(message.payload),
        outcome=Outcome.REJECTED,
        step="送信不可",
        data={},
        error_code="operator_refused_message",
        error_detail=f"一般送配電事業者が電文を受け付けませんでした（{detail}）。",
        answered_at=timezone.now(),
    )
