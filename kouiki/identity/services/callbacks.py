"""An organization's HTTPS callback for its events (kouiki.core.events): registered, changed and
stopped by its administrator, audited; every user of the organization sees the deliveries."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import events
from kouiki.core.systems import System
from kouiki.identity.access import is_administrator, require_administrator, require_enrolled
from kouiki.identity.models import User

PING_TOPIC = "callback.ping"
ADMIN_ONLY = "通知先の登録・変更は、貴社の管理者が行います。"


def is_admin(actor: User, system: str = System.SWITCHING) -> bool:
    return is_administrator(actor, system)


def endpoint_for(*, actor: User, system: str = System.SWITCHING) -> events.CallbackEndpoint | None:
    """The organization's endpoint for `system`, if any (its signing key is never shown again)."""
    return events.callback_endpoint(organization_id=require_enrolled(actor, system), system=system)


def deliveries_for(
    *, actor: User, system: str = System.SWITCHING, state: str = ""
) -> QuerySet[events.CallbackDelivery]:
    """The organization's deliveries, newest first."""
    return events.callback_deliveries(
        organization_id=require_enrolled(actor, system), system=system, state=state
    )


def register(*, actor: User, url: str, system: str = System.SWITCHING) -> tuple[events.CallbackEndpoint, str]:
    """Register or change the URL; returns the signing key when one was made (shown once)."""
    organization_id = require_administrator(actor, system, ADMIN_ONLY)
    with transaction.atomic():
        endpoint, secret = events.register_callback(organization_id=organization_id, system=system, url=url)
        record(
            actor=actor,
            action=Action.CALLBACK_REGISTER,
            obj=endpoint,
            system=system,
            detail={"url": endpoint.url, "new_secret": bool(secret)},
        )
    return endpoint, secret


def rotate_secret(*, actor: User, system: str = System.SWITCHING) -> str:
    """A new signing key (shown once); the old one stops signing at once."""
    organization_id = require_administrator(actor, system, ADMIN_ONLY)
    with transaction.atomic():
        secret = events.rotate_callback_secret(organization_id=organization_id, system=system)
        record(actor=actor, action=Action.CALLBACK_ROTATE_SECRET, system=system)
    return secret


def stop(*, actor: User, system: str = System.SWITCHING) -> None:
    """Stop sending; events stay readable from the feed."""
    organization_id = require_administrator(actor, system, ADMIN_ONLY)
    with transaction.atomic():
        events.remove_callback(organization_id=organization_id, system=system)
        record(actor=actor, action=Action.CALLBACK_STOP, system=system)


def ping(*, actor: User, system: str = System.SWITCHING) -> int:
    """A test event (`callback.ping`) to the organization: in its feed and, if registered, sent."""
    organization_id = require_administrator(actor, system, ADMIN_ONLY)
    with transaction.atomic():
        sequence = events.publish(
            organization_id=organization_id,
            system=system,
            topic=PING_TOPIC,
            reference="",
            payload={"message": "テスト送信です。", "requested_by": actor.login_id},
        )
        record(actor=actor, action=Action.CALLBACK_PING, system=system, detail={"sequence": sequence})
    return sequence


def retry(*, actor: User, delivery_id: int, system: str = System.SWITCHING) -> events.CallbackDelivery:
    """Send a failed delivery again (to the current URL)."""
    organization_id = require_administrator(actor, system, ADMIN_ONLY)
    with transaction.atomic():
        delivery = events.retry_delivery(organization_id=organization_id, delivery_id=delivery_id)
        record(actor=actor, action=Action.CALLBACK_RETRY, system=system, detail={"delivery": delivery.pk})
    return delivery
