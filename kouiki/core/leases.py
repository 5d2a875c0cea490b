"""Rows delivered under a claim with a lease: claim, retry or give up, sweep (ADR 3).

The mail outbox (kouiki.core.outbox_delivery), the callbacks (kouiki.core.callback_delivery) and
the operators' messages (kouiki.tso.services.delivery) deliver a row the same way; what each sends, and how
it marks a row done, stays in its own module. docs/decisions/0003-outbox-delivery.md explains the
design:

- `claim` takes a due pending row with one conditional UPDATE (pending → sending, a fresh token,
  a lease, one more attempt): of two tasks for the same row, one gets it, the other nothing.
- `retry_later` puts a row whose attempt failed back to pending after a backoff, with a task that
  runs then; or, once its attempts are used up, fails it.
- `sweep` takes back rows whose worker died (the lease ran out) and re-enqueues pending rows whose
  task was lost. Every change is a conditional update, so two sweepers never take the same row.

A model delivered so has `state` ("pending", "sending", and "failed" where attempts are limited),
`attempts`, `next_attempt_at`, `enqueued_at`, `created_at`, `claim_token` and `claimed_until`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

PENDING = "pending"
SENDING = "sending"
FAILED = "failed"
LEASE_EXPIRED_ERROR = "送信処理中にワーカーが停止しました（送信権の期限切れ）。"
SWEEP_BATCH = 1000


def backoff(attempts: int, *, base: int, cap: int) -> timedelta:
    """Wait after `attempts` failed attempts: base, 2·base, 4·base, … at most `cap` seconds."""
    return timedelta(seconds=min(base * 2 ** min(max(attempts - 1, 0), 30), cap))


class Enqueue(Protocol):
    """Enqueue the delivery task of one row (called on commit)."""

    def __call__(self, pk: int, /, *, run_after: datetime | None = None) -> None: ...


class Swept(NamedTuple):
    """What one sweep did: rows taken back from dead workers, failed, and re-enqueued."""

    reclaimed: int
    failed: int
    requeued: int


@dataclass(frozen=True)
class LeasedRows:
    """One model's rows, delivered under a lease: the settings that rule them, their task.

    The settings are named, not read here, so that a changed setting (a test's) holds at once.
    The lease must be longer than any attempt may take (keep the mailer's or the HTTP client's
    timeout below it): an attempt that outlives its lease may be taken over by the sweeper.
    """

    model: type[models.Model]
    enqueue: Enqueue
    backoff: Callable[[int], timedelta]
    lease_setting: str
    sweep_after_setting: str
    # None: no limit, a row is retried for as long as it takes.
    max_attempts_setting: str | None = None
    # The rows that must wait now (their system is stopped, X-S1), or None: `claim` leaves them and
    # the sweep does not re-enqueue them, so waiting burns no attempt; once the hold is over, the
    # sweep finds them not enqueued for a while and sends them on.
    held: Callable[[], Q | None] | None = None

    def claim(self, pk: int, *, now: datetime, **also: Any) -> str | None:
        """Take the row for one attempt if it is pending and due: the claim's token, else None.

        `also` are further fields to set with the claim.
        """
        token = uuid.uuid4().hex
        claimed = (
            self._not_held()
            .filter(pk=pk, state=PENDING, next_attempt_at__lte=now)
            .update(
                state=SENDING,
                claim_token=token,
                claimed_until=now + timedelta(seconds=int(getattr(settings, self.lease_setting))),
                attempts=F("attempts") + 1,
                **also,
            )
        )
        return token if claimed else None

    def state_of(self, pk: int) -> str | None:
        """The row's state, None when there is no such row (why a claim got nothing)."""
        return self._rows.filter(pk=pk).values_list("state", flat=True).first()

    def retry_later(self, pk: int, token: str, *, attempts: int, **fields: Any) -> str:
        """After the failed attempt number `attempts` under the claim `token`: "retrying" (back to
        pending after the backoff, with a task then) or "failed" (the attempts are used up).

        `fields` (the error, …) are written either way; a claim taken over meanwhile is left alone.
        """
        claim = self._rows.filter(pk=pk, claim_token=token, state=SENDING)
        if self._used_up(attempts):
            claim.update(state=FAILED, claimed_until=None, **fields)
            return "failed"
        now = timezone.now()
        next_attempt_at = now + self.backoff(attempts)
        with transaction.atomic():
            if claim.update(
                state=PENDING, next_attempt_at=next_attempt_at, enqueued_at=now, claimed_until=None, **fields
            ):
                self._enqueue_on_commit(pk, run_after=next_attempt_at)
        return "retrying"

    def sweep(self, now: datetime) -> Swept:
        """Take back rows whose worker died and re-enqueue rows whose task was lost.

        - sending rows whose lease has run out: back to pending and enqueued, or failed when they
          have used every attempt (a row that kills its worker must not loop for ever);
        - pending rows due, and not enqueued, for the sweep-after setting: enqueued again. A
          duplicate task is harmless: the task claims the row first.
        """
        reclaimed = failed = requeued = 0
        expired = self._rows.filter(state=SENDING, claimed_until__lte=now)
        for pk, token, attempts in expired.values_list("pk", "claim_token", "attempts")[:SWEEP_BATCH]:
            claim = self._rows.filter(pk=pk, state=SENDING, claim_token=token, claimed_until__lte=now)
            if self._used_up(attempts):
                failed += claim.update(state=FAILED, last_error=LEASE_EXPIRED_ERROR, claimed_until=None)
                continue
            with transaction.atomic():
                # The token stays: if the dead worker's attempt did complete and it is only slow to
                # say so, its mark still lands and the row is not delivered again.
                if claim.update(
                    state=PENDING,
                    last_error=LEASE_EXPIRED_ERROR,
                    next_attempt_at=now,
                    enqueued_at=now,
                    claimed_until=None,
                ):
                    reclaimed += 1
                    self._enqueue_on_commit(pk)

        stale = now - timedelta(seconds=getattr(settings, self.sweep_after_setting))
        not_enqueued_recently = Q(enqueued_at__lte=stale) | Q(enqueued_at__isnull=True, created_at__lte=stale)
        lost = self._not_held().filter(not_enqueued_recently, state=PENDING, next_attempt_at__lte=stale)
        for pk in lost.values_list("pk", flat=True)[:SWEEP_BATCH]:
            with transaction.atomic():
                if lost.filter(pk=pk).update(enqueued_at=now):
                    requeued += 1
                    self._enqueue_on_commit(pk)
        return Swept(reclaimed=reclaimed, failed=failed, requeued=requeued)

    @property
    def _rows(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def _not_held(self) -> models.QuerySet[Any]:
        held = self.held() if self.held is not None else None
        return self._rows if held is None else self._rows.exclude(held)

    def _used_up(self, attempts: int) -> bool:
        if self.max_attempts_setting is None:
            return False
        return attempts >= getattr(settings, self.max_attempts_setting)

    def _enqueue_on_commit(self, pk: int, *, run_after: datetime | None = None) -> None:
        transaction.on_commit(partial(self.enqueue, pk, run_after=run_after), robust=True)
