"""The member system's background tasks and periodic jobs (found by `periodic.autodiscover()`): the
daily expiry of provisional join applications (MEM-J5)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from kouiki.core.catalog import implements
from kouiki.core.periodic import register_periodic
from kouiki.membership.services import join


@task()
@implements("MEM-J5")
def expire_provisional_join_applications() -> list[str]:
    """Expire the provisional applications older than a year; returns their reception numbers."""
    return join.expire_provisional()


register_periodic(
    "membership.expire_provisional_join_applications",
    every=timedelta(days=1),
    task=expire_provisional_join_applications,
)
