"""The gateway's background tasks and periodic jobs (found by `periodic.autodiscover()`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from kouiki.core.periodic import register_periodic
from kouiki.tso.services import delivery


@task()
def deliver_operator_message(message_pk: int) -> str:
    """Send one message to its operator; safe to run twice (the row, not the task, decides)."""
    return delivery.deliver(message_pk)


@task()
def sweep_operator_messages() -> dict[str, int]:
    """Take back messages of dead workers, re-enqueue lost ones, hand the hub pending answers."""
    return delivery.sweep()


@task()
def poll_operator_answers() -> dict[str, int]:
    """Read the operators' answer feeds (the simulator does its due work when read)."""
    return delivery.poll_answers()


register_periodic(
    "tso.sweep_operator_messages",
    every=timedelta(seconds=settings.KOUIKI_TSO_SWEEP_EVERY_SECONDS),
    task=sweep_operator_messages,
)
register_periodic(
    "tso.poll_operator_answers",
    every=timedelta(seconds=settings.KOUIKI_TSO_POLL_EVERY_SECONDS),
    task=poll_operator_answers,
)
