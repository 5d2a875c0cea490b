"""Reads of the gateway: the messages and their answers (back office, the hub's status), and the
simulator's sandbox mailbox. Other apps reach the gateway's models through this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kouiki.core.errors import NotFound
from kouiki.tso.models import (
    AnswerRecord,
    FinalOutcome,
    MessageState,
    OperatorMessage,
    SandboxMail,
    SimulatorJob,
)

__all__ = [
    "AnswerRecord",
    "FinalOutcome",
    "MessageState",
    "MessageStatus",
    "OperatorMessage",
    "SandboxMail",
    "masked",
    "message_status",
    "operator_message",
    "operator_messages",
    "sandbox_mail",
    "sandbox_mails",
    "simulated_work",
    "unanswered_count",
]


@dataclass(frozen=True)
class MessageStatus:
    """Where a message stands, for the hub's status screens ("operator answer pending")."""

    message_id: str
    state: str
    state_label: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    acknowledged_at: datetime | None
    answered_at: datetime | None
    final_outcome: str


def message_status(message_id: str) -> MessageStatus:
    """The delivery state of one message by its id; NotFound when unknown."""
    message = OperatorMessage.objects.filter(message_id=message_id).first()
    if message is None:
        raise NotFound
    return MessageStatus(
        message_id=message.message_id,
        state=message.state,
        state_label=message.get_state_display(),
        attempts=message.attempts,
        last_error=message.last_error,
        next_attempt_at=message.next_attempt_at if message.state == MessageState.PENDING else None,
        acknowledged_at=message.acknowledged_at,
        answered_at=message.answered_at,
        final_outcome=message.final_outcome,
    )


def operator_messages(
    *,
    state: str = "",
    area: str = "",
    operation: str = "",
    reference: str = "",
    final_outcome: str = "",
    failing: bool = False,
    unanswered: bool = False,
) -> QuerySet[OperatorMessage]:
    """Every message, newest first, with its number of answers; narrowed by the filters given.
    `failing`: only those whose last attempt failed and that the operator has not taken yet;
    `unanswered`: only those the operator took long ago (KOUIKI_TSO_UNANSWERED_HOURS) without
    answering anything since."""
    messages = OperatorMessage.objects.annotate(answer_count=Count("answers")).order_by("-created_at", "-id")
    if unanswered:
        messages = messages.filter(_unanswered())
    if state:
        messages = messages.filter(state=state)
    if area:
        messages = messages.filter(area=area)
    if operation:
        messages = messages.filter(operation=operation)
    if reference:
        messages = messages.filter(reference__icontains=reference)
    if final_outcome:
        messages = messages.filter(final_outcome=final_outcome)
    if failing:
        messages = messages.filter(state__in=[MessageState.PENDING, MessageState.SENDING]).exclude(
            last_error=""
        )
    return messages


def _unanswered() -> Q:
    taken_before = timezone.now() - timedelta(hours=settings.KOUIKI_TSO_UNANSWERED_HOURS)
    return Q(state=MessageState.ACKNOWLEDGED, acknowledged_at__lte=taken_before, answers__isnull=True)


def unanswered_count() -> int:
    """How many messages an operator took long ago and never answered (a warning for staff)."""
    return OperatorMessage.objects.filter(_unanswered()).count()


# Never shown, even to staff, wherever they sit in a message or an answer: a usage-inquiry password
# travels in usage_retrieve's payload, and customers' basic info (SW-P1: read only for a named
# purpose, by the retailers) in customer changes and in the operators' registry data.
HIDDEN_PAYLOAD_KEYS = frozenset(
    {
        "password",
        "customer_name",
        "customer_address",
        "customer_phone",
        "contract_number",
        "retail_contract_number",
    }
)
MASK = "********"


def masked(value: Any) -> Any:
    """A message's payload or an answer's data as staff may see it: the keys above masked at any depth."""
    if isinstance(value, dict):
        return {key: MASK if key in HIDDEN_PAYLOAD_KEYS else masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def operator_message(message_id: str) -> OperatorMessage:
    """One message by its id, or NotFound."""
    message = OperatorMessage.objects.filter(message_id=message_id).first()
    if message is None:
        raise NotFound
    return message


def answers_of(message: OperatorMessage) -> QuerySet[AnswerRecord]:
    return AnswerRecord.objects.filter(message=message).order_by("received_at", "id")


def sandbox_mails(*, supply_point_number: str = "", area: str = "") -> QuerySet[SandboxMail]:
    """The simulated customers' mailbox, newest first."""
    mails = SandboxMail.objects.order_by("-created_at", "-id")
    if supply_point_number:
        mails = mails.filter(supply_point_number__contains=supply_point_number)
    if area:
        mails = mails.filter(area=area)
    return mails


def sandbox_mail(pk: int) -> SandboxMail:
    mail = SandboxMail.objects.filter(pk=pk).first()
    if mail is None:
        raise NotFound
    return mail


def simulated_work(*, until: datetime | None = None) -> QuerySet[SimulatorJob]:
    """The simulated operators' work not done yet (a switch waits for its switching date), by due
    time; with `until`, only what is due by then."""
    jobs = (
        SimulatorJob.objects.filter(done_at__isnull=True).select_related("receipt").order_by("due_at", "id")
    )
    if until is not None:
        jobs = jobs.filter(due_at__lte=until)
    return jobs
