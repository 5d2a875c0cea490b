"""Delivering outbox rows: claim, send, mark; retries with backoff; the sweeper.

docs/decisions/0003-outbox-delivery.md explains the choice; the claim, the retries and the sweep
are kouiki.core.leases, shared with the callbacks and the operators' messages. In short:

- `deliver` claims the row with a conditional UPDATE (pending and due → sending, with a token and a
  lease), sends outside any transaction, then marks the row sent under the same token. A second
  task for the same row finds it claimed or sent and does nothing: one send per row.
- A send that raises puts the row back to pending with an exponential backoff and a task that
  runs then; after KOUIKI_OUTBOX_MAX_ATTEMPTS the row is failed, for the staff to retry.
- A worker that dies mid-send leaves the row claimed; once its lease runs out, `sweep` puts it
  back to pending and enqueues it again. `sweep` also re-enqueues pending rows whose task was lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from kouiki.core import leases, maintenance
from kouiki.core.leases import LEASE_EXPIRED_ERROR as LEASE_EXPIRED_ERROR
from kouiki.core.models import OutboxMessage, OutboxState
from kouiki.core.outbox import enqueue_send

logger = logging.getLogger(__name__)

REDACTED_BODY = "（送信済みのため本文は削除されました）"
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 60 * 60


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, … at most 1 h."""
    return leases.backoff(attempts, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_MAX_SECONDS)


# The lease: longer than any send may take (keep the SMTP timeout below it).
ROWS = leases.LeasedRows(
    OutboxMessage,
    enqueue=enqueue_send,
    backoff=backoff,
    lease_setting="KOUIKI_OUTBOX_LEASE_SECONDS",
    sweep_after_setting="KOUIKI_OUTBOX_SWEEP_AFTER_SECONDS",
    max_attempts_setting="KOUIKI_OUTBOX_MAX_ATTEMPTS",
    # A mail belongs to no one system: it waits only while every system is stopped (X-S1).
    held=maintenance.hold_while_stopped(maintenance.ALL_SYSTEMS),
)


def deliver(message_id: int) -> str:
    """Send one outbox row at most once per claim; return what happened (for the task's result).

    "sent", "retrying" or "failed" when this call sent or tried; otherwise the reason it did
    nothing: "already-sent", "in-progress" (another worker holds the claim), "not-due", "failed"
    or "missing".
    """
    token = ROWS.claim(message_id, now=timezone.now())
    if token is None:
        return _why_not_claimed(message_id)

    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _send(message)
    except Exception as exc:
        return _record_failure(message, token, exc)

    # Marked in the very next statement: a crash between the hand-off above and this update is
    # the one window in which a mail can go twice (with the same Message-ID); see the ADR.
    marked = OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
        state=OutboxState.SENT,
        sent_at=timezone.now(),
        claimed_until=None,
        **({"body": REDACTED_BODY} if message.sensitive else {}),
    )
    if not marked:
        logger.warning("Outbox message %s was sent after its claim had been taken over.", message_id)
    return "sent"


def _why_not_claimed(message_id: int) -> str:
    state = ROWS.state_of(message_id)
    reasons = {
        OutboxState.SENT: "already-sent",
        OutboxState.SENDING: "in-progress",
        OutboxState.FAILED: "failed",
        OutboxState.PENDING: "not-due",
    }
    return "missing" if state is None else reasons.get(OutboxState(state), state)


def message_id_header(message: OutboxMessage) -> str:
    """The same Message-ID for every attempt of a row, so a duplicate is recognisable as one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "kouiki.invalid"
    return f"<outbox.{message.pk}.{int(message.created_at.timestamp())}@{domain}>"


def _send(message: OutboxMessage) -> None:
    # The default mailer. Its timeout must stay below the lease (see the ADR): a send that
    # outlives its claim may be taken over by the sweeper and go out twice.
    EmailMessage(
        subject=message.subject,
        body=message.body,
        to=message.to,
        headers={"Message-ID": message_id_header(message)},
    ).send()


def _record_failure(message: OutboxMessage, token: str, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Outbox message %s: attempt %s failed: %s", message.pk, message.attempts, error)
    return ROWS.retry_later(message.pk, token, attempts=message.attempts, last_error=error)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Take back rows whose worker died and re-enqueue rows whose task was lost.

    - sending rows whose lease has run out: back to pending and enqueued (or failed when they have
      used every attempt: a mail that kills its worker must not loop for ever);
    - pending rows that have been due, and not enqueued, for KOUIKI_OUTBOX_SWEEP_AFTER_SECONDS:
      enqueued again. A duplicate task is harmless: `deliver` claims the row first.
    Every change is a conditional update, so two sweepers never both take the same row.
    """
    counts = ROWS.sweep(now or timezone.now())._asdict()
    if any(counts.values()):
        logger.info("Outbox sweep: %s", counts)
    return counts
