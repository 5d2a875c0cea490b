"""Background tasks of the shared kernel, and its periodic jobs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from kouiki.core import outbox_delivery
from kouiki.core.periodic import register_periodic


@task()
def send_outbox_message(message_id: int) -> str:
    """Send one outbox row; safe to run twice (the row, not the task, decides)."""
    return outbox_delivery.deliver(message_id)


@task()
def sweep_outbox() -> dict[str, int]:
    """Take back rows of dead workers and re-enqueue rows whose task was lost."""
    return outbox_delivery.sweep()


register_periodic(
    "core.sweep_outbox",
    every=timedelta(seconds=settings.KOUIKI_OUTBOX_SWEEP_EVERY_SECONDS),
    task=sweep_outbox,
)


# --- The API's kernel (issue 7): callback deliveries and idempotency records -----------------------


@task()
def deliver_callback(delivery_id: int) -> str:
    """POST one callback delivery; safe to run twice (the row, not the task, decides)."""
    from kouiki.core import callback_delivery

    return callback_delivery.deliver(delivery_id)


@task()
def sweep_callbacks() -> dict[str, int]:
    """Take back deliveries of dead workers and re-enqueue deliveries whose task was lost."""
    from kouiki.core import callback_delivery

    return callback_delivery.sweep()


@task()
def purge_idempotency_records() -> int:
    """Forget the answers kept for `Idempotency-Key` once their retention has passed."""
    from kouiki.core.api import purge_idempotency_records as purge

    return purge()


register_periodic(
    "core.sweep_callbacks",
    every=timedelta(seconds=settings.KOUIKI_CALLBACK_SWEEP_EVERY_SECONDS),
    task=sweep_callbacks,
)
register_periodic("core.purge_idempotency_records", every=timedelta(hours=1), task=purge_idempotency_records)
