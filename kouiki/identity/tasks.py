"""identity's periodic jobs (found by `periodic.autodiscover()`)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from kouiki.core.periodic import register_periodic
from kouiki.identity.services import switching_users


@task()
def disable_idle_switching_users() -> list[str]:
    """SW-U09: disable the switching users without use for the configured days; their usernames."""
    return [user.username for user in switching_users.disable_idle_users()]


register_periodic(
    "identity.disable_idle_switching_users", every=timedelta(days=1), task=disable_idle_switching_users
)
