"""Delivering outbox rows: claim, send, mark; retries with backoff; the sweeper.

docs/decisions/0003-outbox-delivery.md explains the choice. In short:

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
import uuid
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kouiki.core.models import OutboxMessage, OutboxState
from kouiki.core.outbox import enqueue_send

logger = logging.getLogger(__name__)

REDACTED_BODY = "（送信済みのため本文は削除されました）"
LEASE_EXPIRED_ERROR = "送信処理中にワーカーが停止しました（送信権の期限切れ）。"
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 60 * 60
SWEEP_BATCH = 1000


def lease_seconds() -> int:
    """How long a claim holds: longer than any send may take (keep the SMTP timeout below it)."""
    return int(settings.KOUIKI_OUTBOX_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, … at most 1 h."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def deliver(message_id: int) -> str:
    """Send one outbox row at most once per claim; return what happened (for the task's result).

    "sent", "retrying" or "failed" when this call sent or tried; otherwise the reason it did
    nothing: "already-sent", "in-progress" (another worker holds the claim), "not-due", "failed"
    or "missing".
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = OutboxMessage.objects.filter(
        pk=message_id, state=OutboxState.PENDING, next_attempt_at__lte=now
    ).update(
        state=OutboxState.SENDING,
        claim_token=token,
        claimed_until=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
    )
    if not claimed:
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
    state = OutboxMessage.objects.filter(pk=message_id).values_list("state", flat=True).first()
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
    claim = OutboxMessage.objects.filter(pk=message.pk, claim_token=token, state=OutboxState.SENDING)
    if message.attempts >= settings.KOUIKI_OUTBOX_MAX_ATTEMPTS:
        claim.update(state=OutboxState.FAILED, last_error=error, claimed_until=None)
        return "failed"
    now = timezone.now()
    next_attempt_at = now + backoff(message.attempts)
    with transaction.atomic():
        updated = claim.update(
            state=OutboxState.PENDING,
            last_error=error,
            next_attempt_at=next_attempt_at,
            enqueued_at=now,
            claimed_until=None,
        )
        if updated:
            _enqueue_on_commit(message.pk, run_after=next_attempt_at)
    return "retrying"


def _enqueue_on_commit(message_id: int, *, run_after: datetime | None = None) -> None:
    transaction.on_commit(lambda: enqueue_send(message_id, run_after=run_after))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Take back rows whose worker died and re-enqueue rows whose task was lost.

    - sending rows whose lease has run out: back to pending and enqueued (or failed when they have
      used every attempt: a mail that kills its worker must not loop for ever);
    - pending rows that have been due, and not enqueued, for KOUIKI_OUTBOX_SWEEP_AFTER_SECONDS:
      enqueued again. A duplicate task is harmless: `deliver` claims the row first.
    Every change is a conditional update, so two sweepers never both take the same row.
    """
    now = now or timezone.now()
    counts = {"reclaimed": 0, "failed": 0, "requeued": 0}
    max_attempts = settings.KOUIKI_OUTBOX_MAX_ATTEMPTS

    expired = OutboxMessage.objects.filter(state=OutboxState.SENDING, claimed_until__lte=now)
    for pk, token, attempts in expired.values_list("pk", "claim_token", "attempts")[:SWEEP_BATCH]:
        claim = OutboxMessage.objects.filter(
            pk=pk, state=OutboxState.SENDING, claim_token=token, claimed_until__lte=now
        )
        if attempts >= max_attempts:
            counts["failed"] += claim.update(
                state=OutboxState.FAILED, last_error=LEASE_EXPIRED_ERROR, claimed_until=None
            )
            continue
        with transaction.atomic():
            # The token stays: if the dead worker's send did complete and it is only slow to say
            # so, its "sent" still lands and the row is not sent again.
            if claim.update(
                state=OutboxState.PENDING,
                last_error=LEASE_EXPIRED_ERROR,
                next_attempt_at=now,
                enqueued_at=now,
                claimed_until=None,
            ):
                counts["reclaimed"] += 1
                _enqueue_on_commit(pk)

    stale = now - timedelta(seconds=settings.KOUIKI_OUTBOX_SWEEP_AFTER_SECONDS)
    not_enqueued_recently = Q(enqueued_at__lte=stale) | Q(enqueued_at__isnull=True, created_at__lte=stale)
    lost = OutboxMessage.objects.filter(
        not_enqueued_recently, state=OutboxState.PENDING, next_attempt_at__lte=stale
    )
    for pk in lost.values_list("pk", flat=True)[:SWEEP_BATCH]:
        with transaction.atomic():
            if lost.filter(pk=pk).update(enqueued_at=now):
                counts["requeued"] += 1
                _enqueue_on_commit(pk)
    if any(counts.values()):
        logger.info("Outbox sweep: %s", counts)
    return counts
