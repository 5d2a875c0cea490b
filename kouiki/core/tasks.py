"""Background tasks of the shared kernel."""

from __future__ import annotations

from django.tasks import task

from kouiki.core import outbox_delivery


@task()
def send_outbox_message(message_id: int) -> str:
    """Send one outbox row; safe to run twice (the row, not the task, decides)."""
    return outbox_delivery.deliver(message_id)
