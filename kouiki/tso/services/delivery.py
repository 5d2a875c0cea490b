"""Delivering messages to the operators: claim, send, mark; backoff; the sweeper; the answer poll.

The approach of the mail outbox (kouiki.core.outbox_delivery, ADR 3), for operator messages
(docs/decisions/0014-operators-gateway.md); the claim, the retries and the sweep are the kernel's
kouiki.core.leases:

- `deliver` claims the row with a conditional UPDATE (pending and due → sending, a token and a
  lease), sends outside any transaction, then in one transaction marks the row acknowledged and
  records the answers the operator gave at once. A second task for the same row finds it claimed
  or done and does nothing.
- An operator that is down (or a reply that is lost) puts the row back to pending with an
  exponential backoff, capped, and a task that runs then — for as long as it takes: an outage
  delays messages and loses none. The message id is the same on every attempt, and the operator
  treats a repeat as the same message, so a resend never acts twice.
- An operator that refuses a message for good (HTTP 4xx) answers it: the gateway records a
  rejection of its own, so the application ends 不備 instead of waiting for ever.
- `sweep` takes back rows whose worker died (lease run out), re-enqueues pending rows whose task
  was lost, and hands the hub the answers it has not taken yet.
- `poll_answers` reads each area's answer feed after the position kept in AnswerFeedCursor.
- One answer that cannot be recorded stops nothing else: in a reply, the others are recorded and
  the message acknowledged (the feed brings that answer again); in the feed, a malformed one is
  logged and passed over, and an area whose reading fails otherwise is read again at the next
  poll while the other areas are read now.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from kouiki.core import leases, maintenance
from kouiki.core.japanese import Area
from kouiki.core.leases import LEASE_EXPIRED_ERROR as LEASE_EXPIRED_ERROR
from kouiki.core.systems import System
from kouiki.tso import services
from kouiki.tso.models import AnswerFeedCursor, AnswerSource, MessageState, OperatorMessage
from kouiki.tso.services.gateway import (
    Adapter,
    FeedItem,
    MessageRefused,
    OperatorUnavailable,
    OutgoingMessage,
    get_adapter,
)

logger = logging.getLogger(__name__)

POLL_PAGE = 100


def backoff(attempts: int) -> timedelta:
    """Wait after `attempts` failed sends: base · 2^(attempts−1), at most KOUIKI_TSO_RETRY_MAX_SECONDS."""
    return leases.backoff(
        attempts,
        base=int(settings.KOUIKI_TSO_RETRY_BASE_SECONDS),
        cap=int(settings.KOUIKI_TSO_RETRY_MAX_SECONDS),
    )


# The lease: longer than any send may take (the HTTP timeout stays below it). No maximum of
# attempts: an operator that is down delays its messages and loses none.
ROWS = leases.LeasedRows(
    OperatorMessage,
    enqueue=services.enqueue_delivery,
    backoff=backoff,
    lease_setting="KOUIKI_TSO_LEASE_SECONDS",
    sweep_after_setting="KOUIKI_TSO_SWEEP_AFTER_SECONDS",
    # The switching system's messages: they wait while it is stopped and go on after (X-S1).
    held=maintenance.hold_while_stopped(System.SWITCHING),
)


def deliver(message_pk: int, *, adapter: Adapter | None = None) -> str:
    """Send one message at most once per claim; return what happened (the task's result).

    "acknowledged" or "answered" when the operator took it, "retrying" when it did not,
    "refused" when it never will; otherwise why nothing was done: "in-progress", "not-due",
    "already-acknowledged", "already-answered" or "missing".
    """
    token = ROWS.claim(message_pk, now=timezone.now())
    if token is None:
        return _why_not_claimed(message_pk)

    message = OperatorMessage.objects.get(pk=message_pk)
    outgoing = OutgoingMessage(
        message_id=message.message_id,
        area=message.area,
        operation=message.operation,
        reference=message.reference,
        payload=message.payload,
        attempt=message.attempts,
    )
    try:
        answers = (adapter or get_adapter()).send(outgoing)
    except MessageRefused as exc:
        return _refused(message, token, exc)
    except OperatorUnavailable as exc:
        return _retry_later(message, token, exc)
    except Exception as exc:
        logger.exception("Operator message %s: unexpected error while sending.", message.message_id)
        return _retry_later(message, token, exc)

    with transaction.atomic():
        # The answers and the mark commit together: a crash before the commit leaves the row
        # claimed, the sweeper sends it again and the operator returns the same answers.
        OperatorMessage.objects.filter(pk=message_pk, claim_token=token, state=MessageState.SENDING).update(
            state=MessageState.ACKNOWLEDGED,
            acknowledged_at=timezone.now(),
            claimed_until=None,
            last_error="",
        )
        for answer in answers:
            if answer.message_id != message.message_id:
                logger.warning(
                    "Operator answered message %s with id %s: ignored.", message.message_id, answer.message_id
                )
                continue
            try:
                with transaction.atomic():
                    services.receive_answer(answer)
            except Exception:
                # The feed carries this answer too: it is recorded from there.
                logger.exception(
                    "Operator message %s: answer %s (%s) could not be recorded.",
                    message.message_id,
                    answer.outcome,
                    answer.step,
                )
    state = OperatorMessage.objects.filter(pk=message_pk).values_list("state", flat=True).get()
    return "answered" if state == MessageState.ANSWERED else "acknowledged"


def _why_not_claimed(message_pk: int) -> str:
    state = ROWS.state_of(message_pk)
    reasons = {
        MessageState.SENDING: "in-progress",
        MessageState.PENDING: "not-due",
        MessageState.ACKNOWLEDGED: "already-acknowledged",
        MessageState.ANSWERED: "already-answered",
    }
    return "missing" if state is None else reasons.get(MessageState(state), state)


def _retry_later(message: OperatorMessage, token: str, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Operator message %s: attempt %s failed: %s", message.message_id, message.attempts, error)
    return ROWS.retry_later(message.pk, token, attempts=message.attempts, last_error=error)


def _refused(message: OperatorMessage, token: str, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Operator message %s refused by the operator: %s", message.message_id, error)
    with transaction.atomic():
        updated = OperatorMessage.objects.filter(
            pk=message.pk, claim_token=token, state=MessageState.SENDING
        ).update(last_error=error, claimed_until=None)
        if updated:
            services.receive_answer(
                services.gateway_rejection(message, str(exc)[:200]), source=AnswerSource.GATEWAY
            )
    return "refused"


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Take back rows whose worker died, re-enqueue rows whose task was lost, hand over answers.

    - sending rows whose lease has run out: back to pending and enqueued (the claim token stays,
      so a worker that was only slow still records its answers);
    - pending rows due for KOUIKI_TSO_SWEEP_AFTER_SECONDS and not enqueued since: enqueued again
      (a duplicate task is harmless: `deliver` claims the row first);
    - answers not yet handed to the hub (no handler was registered, or it failed): handed over.
    Every change is a conditional update, so two sweepers never both take the same row.
    """
    swept = ROWS.sweep(now or timezone.now())
    counts = {
        "reclaimed": swept.reclaimed,
        "requeued": swept.requeued,
        "handed_over": services.hand_over_pending(leases.SWEEP_BATCH),
    }
    if any(counts.values()):
        logger.info("Operator message sweep: %s", counts)
    return counts


def poll_answers(*, adapter: Adapter | None = None, areas: list[str] | None = None) -> dict[str, int]:
    """Read every area's answer feed after our position and receive what is new.

    Per page, the answers and the new position commit together; a page read twice (two pollers)
    is harmless: answers are recorded once. An area whose operator is down is skipped (-1); so is
    an area whose page fails for another reason (logged; the page is read again at the next poll):
    the areas after it are read all the same.
    """
    adapter = adapter or get_adapter()
    counts: dict[str, int] = {}
    for area in areas or Area.values:
        try:
            counts[area] = _poll_area(adapter, area)
        except OperatorUnavailable as exc:
            logger.info("Answer feed of area %s unavailable: %s", area, exc)
            counts[area] = -1
        except Exception:
            logger.exception("Answer feed of area %s could not be read; read again at the next poll.", area)
            counts[area] = -1
    return counts


def _poll_area(adapter: Adapter, area: str) -> int:
    """Receive the new answers of one area's feed, page by page; how many were new."""
    AnswerFeedCursor.objects.get_or_create(area=area)
    received = 0
    while True:
        position = AnswerFeedCursor.objects.filter(area=area).values_list("position", flat=True).get()
        items = adapter.answers_after(area, position, limit=POLL_PAGE)
        if not items:
            AnswerFeedCursor.objects.filter(area=area).update(polled_at=timezone.now())
            return received
        with transaction.atomic():
            moved = AnswerFeedCursor.objects.filter(area=area, position=position).update(
                position=items[-1].seq, polled_at=timezone.now()
            )
            if not moved:  # another poller took this page
                continue
            for item in items:
                received += _receive_from_feed(area, item)
        if len(items) < POLL_PAGE:
            return received


def _receive_from_feed(area: str, item: FeedItem) -> int:
    """Receive one answer of a feed: 1 when it was new. An answer whose data the database refuses
    would refuse again at every poll and hold up every later answer of the area: it is logged with
    its position and passed over (its message stays 受付済み and shows in the back office as not
    answered). Any other failure is raised: the page is read again."""
    try:
        with transaction.atomic():
            return int(services.receive_answer(item.answer))
    except (DataError, IntegrityError, ValueError, TypeError):
        logger.exception(
            "Answer at position %s of area %s (message %s, %s) could not be recorded and is passed over.",
            item.seq,
            area,
            item.answer.message_id,
            item.answer.outcome,
        )
        return 0
