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
