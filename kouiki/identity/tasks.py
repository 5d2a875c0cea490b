"""identity's periodic jobs (found by `periodic.autodiscover()`)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from kouiki.core.periodic import register_periodic
from kouiki.identity.services import certificate_authority, switching_users


@task()
def disable_idle_switching_users() -> list[str]:
    """SW-U09: disable the switching users without use for the configured days; their usernames."""
    return [user.username for user in switching_users.disable_idle_users()]


register_periodic(
    "identity.disable_idle_switching_users", every=timedelta(days=1), task=disable_idle_switching_users
)


@task()
def publish_client_certificate_crl() -> str:
    """X-C1: rewrite the CRL the proxy reads well before its nextUpdate (KOUIKI_CLIENT_CRL_DAYS)."""
    return str(certificate_authority.publish_crl() or "")


register_periodic(
    "identity.publish_client_certificate_crl", every=timedelta(days=1), task=publish_client_certificate_crl
)
