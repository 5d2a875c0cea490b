"""The switching hub's periodic jobs (found by `periodic.autodiscover()`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from kouiki.core.periodic import register_periodic
from kouiki.switching.services import switches


@task()
def expire_unmatched_switches() -> list[str]:
    """Reject the switches past their deadline (decision or 05 / 03 missing); their numbers."""
    return switches.expire_unmatched_switches()


register_periodic(
    "switching.expire_unmatched_switches",
    every=timedelta(seconds=settings.KOUIKI_SWITCHING_DEADLINE_EVERY_SECONDS),
    task=expire_unmatched_switches,
)
