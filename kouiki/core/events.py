"""The per-organization event feed and its HTTPS callbacks (docs/decisions/0011-switching-hub.md).

A system tells an organization what changed for it with `publish`, inside the transaction of the
change. Each organization has, per system, a feed numbered 1, 2, 3, … without gaps: the number is
taken from a counter row that stays locked until the publishing transaction ends, so numbers
commit in the order they were given and a reader holding `after=N` never skips an event nor
reads one twice (`events_after`).

Where the organization has registered a callback URL for the system, `publish` also writes one
`CallbackDelivery` row per event, sent after commit by a task and retried with backoff
(`kouiki.core.callback_delivery`). The row is the truth, as for the mail outbox.

The price of "commit order": from its first `publish` to its end, a transaction holds its system's
counter row, so the publishing parts of a system's write transactions run one at a time. Publish
late in the transaction, after the other locks it takes (a row locked after publishing can
deadlock with a transaction that locked that row first and then publishes).

This module checks no rights: the caller (a service of the system) does.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kouiki.core.caching import Generation, LocalCache
from kouiki.core.errors import InvalidTransition, NotFound, ValidationFailed
from kouiki.core.models import (
    CallbackDelivery,
    CallbackEndpoint,
    DeliveryState,
    EventCounter,
    OrganizationEvent,
)

# Other apps reach the feed's models through this module, not kouiki.core.models.
Event = OrganizationEvent

__all__ = [
    "MAX_LIMIT",
    "CallbackDelivery",
    "CallbackEndpoint",
    "DeliveryState",
    "Event",
    "Notice",
    "callback_deliveries",
    "callback_delivery",
    "callback_endpoint",
    "event_json",
    "events_after",
    "publish",
    "publish_many",
    "register_callback",
    "remove_callback",
    "retry_delivery",
    "rotate_callback_secret",
    "validate_callback_url",
]

MAX_LIMIT = 1000
# The counter row every publishing transaction of a system locks first (no organization has id 0).
SYSTEM_ROW = 0


def publish(*, organization_id: int, system: str, topic: str, reference: str, payload: dict) -> int:
    """Append an event for one organization in the caller's transaction; return its sequence number.

    Numbers are per organization (and system), gapless and in commit order: the counter rows stay
    locked until the caller's transaction ends. Callback deliveries are written with the event and
    sent on commit. Publish after taking the transaction's other locks (see the module's notes).
    """
    # No savepoint of its own (fewer round trips while the counters are held): an error here is a
    # bug, and the caller's transaction is rolled back with it.
    with transaction.atomic(savepoint=False):
        # Looked up before the counters are taken, to keep the time they are held short.
        endpoint = _endpoints([(organization_id, system)])[organization_id, system]
        _lock_system(system)
        event_id, sequence = _append(organization_id, system, topic, reference, payload)
        if endpoint is not None:
            now = timezone.now()
            delivery = CallbackDelivery.objects.create(
                event_id=event_id,
                endpoint=endpoint,
                organization_id=organization_id,
                url=endpoint.url,
                next_attempt_at=now,
                enqueued_at=now,
            )
            transaction.on_commit(partial(_enqueue_delivery, delivery.pk), robust=True)
    return sequence


@dataclass(frozen=True)
class Notice:
    """One event to publish with `publish_many`: `publish`'s arguments."""

    organization_id: int
    system: str
    topic: str
    reference: str
    payload: dict[str, Any]


def publish_many(notices: Sequence[Notice]) -> list[int]:
    """`publish` for many events at once (a bulk file's batch), in the given order: the same rows —
    each organization's feed numbered without gaps in commit order, a callback delivery per event
    where the organization has an endpoint — with one counter update per organization and one
    insert of all the events. Returns their sequence numbers in order."""
    if not notices:
        return []
    with transaction.atomic(savepoint=False):
        keys = list(dict.fromkeys((notice.organization_id, notice.system) for notice in notices))
        endpoints = _endpoints(keys)
        for system in dict.fromkeys(system for _, system in keys):
            _lock_system(system)
        counts: dict[tuple[int, str], int] = {}
        for notice in notices:
            key = (notice.organization_id, notice.system)
            counts[key] = counts.get(key, 0) + 1
        next_sequence = {key: _increment(*key, by=count) - count + 1 for key, count in counts.items()}
        events: list[OrganizationEvent] = []
        for notice in notices:
            key = (notice.organization_id, notice.system)
            events.append(
                OrganizationEvent(
                    organization_id=notice.organization_id,
                    system=notice.system,
                    sequence=next_sequence[key],
                    topic=notice.topic,
                    reference=notice.reference,
                    payload=notice.payload,
                )
            )
            next_sequence[key] += 1
        OrganizationEvent.objects.bulk_create(events)
        now = timezone.now()
        deliveries = [
            CallbackDelivery(
                event=event,
                endpoint=endpoint,
                organization_id=event.organization_id,
                url=endpoint.url,
                next_attempt_at=now,
                enqueued_at=now,
            )
            for event in events
            if (endpoint := endpoints[event.organization_id, event.system]) is not None
        ]
        for delivery in CallbackDelivery.objects.bulk_create(deliveries):
            transaction.on_commit(partial(_enqueue_delivery, delivery.pk), robust=True)
    return [event.sequence for event in events]


# Each organization's active callback endpoint of a system, per process under a shared generation
# that registering or removing one bumps: every publish asks it for both retailers of a switch.
ENDPOINTS = Generation("callback_endpoints")
_endpoint_cache: LocalCache = LocalCache()


def forget_endpoints() -> None:
    """Drop this process's copy of the endpoints. The generation lives in the shared cache, which a
    test that empties the database (a transactional test's flush) leaves as it was: the tests call
    this before each test so that none publishes to another's endpoint (as `maintenance.forget`)."""
    _endpoint_cache.clear()


def _endpoints(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], CallbackEndpoint | None]:
    """The active endpoint (its pk and URL) of each (organization, system), or None; those not
    cached read in one query."""
    generation = ENDPOINTS.current()
    # Cached: (pk, url), or () for "no endpoint"; None: not cached.
    found: dict[tuple[int, str], tuple[Any, ...] | None] = {
        key: _endpoint_cache.get(key, generation) for key in keys
    }
    missing = [key for key, row in found.items() if row is None]
    if missing:
        wanted = Q()
        for organization_id, system in missing:
            wanted |= Q(organization_id=organization_id, system=system)
        rows = {
            (organization_id, system): (pk, url)
            for pk, url, organization_id, system in CallbackEndpoint.objects.filter(
                wanted, is_active=True
            ).values_list("pk", "url", "organization_id", "system")
        }
        for key in missing:
            found[key] = rows.get(key, ())
            _endpoint_cache.put(key, generation, found[key])
    return {
        (organization_id, system): CallbackEndpoint(
            pk=row[0], url=row[1], organization_id=organization_id, system=system
        )
        if row
        else None
        for (organization_id, system), row in found.items()
    }


class _SystemLock:
    """A no-op on-commit callback that marks "this transaction holds the system's counter row".

    Django drops on-commit callbacks when their (sub)transaction rolls back, as the database
    releases the row lock taken in it; so the mark lives exactly as long as the lock.
    """

    def __init__(self, system: str) -> None:
        self.system = system

    def __call__(self) -> None:
        pass


def _lock_system(system: str) -> None:
    """The system's row first, once per transaction: two transactions that each tell two
    organizations (a switch's new and current retailer) in opposite orders would otherwise
    deadlock on the organizations' rows."""
    held = transaction.get_connection().run_on_commit
    if any(isinstance(callback, _SystemLock) and callback.system == system for _, callback, _ in held):
        return
    _increment(SYSTEM_ROW, system)
    transaction.on_commit(_SystemLock(system), robust=True)


def _increment(organization_id: int, system: str, by: int = 1) -> int:
    """Increment (by ``by``) and read a counter in one statement; the UPDATE holds the row lock to
    the end."""
    table = EventCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_sequence = last_sequence + %s"  # noqa: S608 - our own table name
            " WHERE organization_id = %s AND system = %s RETURNING last_sequence",
            [by, organization_id, system],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    # The first event: two at once make the second INSERT wait for the first transaction and fail
    # on the unique index; it then increments the row the first one made.
    try:
        with transaction.atomic():
            EventCounter.objects.create(organization_id=organization_id, system=system, last_sequence=by)
        return by
    except IntegrityError:
        return _increment(organization_id, system, by)


def _append(
    organization_id: int, system: str, topic: str, reference: str, payload: dict[str, Any]
) -> tuple[int, int]:
    """Number the organization's next event and insert it; return its id and sequence.

    On PostgreSQL one statement does both (the counter's UPDATE in a WITH, its row locked to the
    end as `_increment`'s); elsewhere, and for an organization's very first event (no counter row
    yet), `_increment` and an insert."""
    created_at = timezone.now()
    if connection.vendor == "postgresql":
        counters, events = EventCounter._meta.db_table, OrganizationEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH counter AS (UPDATE {counters} SET last_sequence = last_sequence + 1"  # noqa: S608 - our names
                " WHERE organization_id = %s AND system = %s RETURNING last_sequence)"
                f" INSERT INTO {events}"
                " (organization_id, system, sequence, topic, reference, payload, created_at)"
                " SELECT %s, %s, last_sequence, %s, %s, CAST(%s AS jsonb), %s FROM counter"
                " RETURNING id, sequence",
                [
                    organization_id,
                    system,
                    organization_id,
                    system,
                    topic,
                    reference,
                    json.dumps(payload, cls=DjangoJSONEncoder),
                    created_at,
                ],
            )
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]), int(row[1])
    sequence = _increment(organization_id, system)
    event = OrganizationEvent.objects.create(
        organization_id=organization_id,
        system=system,
        sequence=sequence,
        topic=topic,
        reference=reference,
        payload=payload,
        created_at=created_at,
    )
    return event.pk, sequence


def _enqueue_delivery(delivery_id: int) -> None:
    from kouiki.core.callback_delivery import enqueue_delivery

    enqueue_delivery(delivery_id)


def events_after(*, organization_id: int, system: str, after: int, limit: int = MAX_LIMIT) -> list[Event]:
    """The organization's events of `system` numbered above `after`, oldest first, at most `limit`."""
    limit = max(1, min(limit, MAX_LIMIT))
    return list(
        OrganizationEvent.objects.filter(
            organization_id=organization_id, system=system, sequence__gt=max(after, 0)
        ).order_by("sequence")[:limit]
    )


def event_json(event: Event) -> dict[str, Any]:
    """The one outward shape of an event: in the API's feed and in a callback's body."""
    return {
        "sequence": event.sequence,
        "topic": event.topic,
        "reference": event.reference,
        "created_at": timezone.localtime(event.created_at).isoformat(),
        "payload": event.payload,
    }


# --- Callback endpoints ----------------------------------------------------------------------------


LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


def validate_callback_url(url: str) -> str:
    """HTTPS to a public host; plain HTTP and the loopback address only where the settings allow it
    (tests, DEBUG). An address literal or a local name inside a private or special network is
    refused here; a name is checked again against what it resolves to at each delivery."""
    from kouiki.core.callback_delivery import address_allowed

    url = url.strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.scheme not in {"https", "http"}:
        raise ValidationFailed(field="url", message="通知先URLは https:// で始まるURLを指定してください。")
    if parts.username or parts.password:
        raise ValidationFailed(field="url", message="通知先URLに利用者名やパスワードは含められません。")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    loopback = host == "localhost" or (address is not None and address.is_loopback)
    internal = host.endswith(LOCAL_NAME_SUFFIXES) or (address is not None and not address_allowed(host))
    if (loopback and not settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK) or (internal and not loopback):
        raise ValidationFailed(
            field="url", message="通知先URLに内部ネットワークや特殊用途のアドレスは指定できません。"
        )
    if parts.scheme == "http" and not loopback:
        raise ValidationFailed(field="url", message="通知先URLは https:// で始まるURLを指定してください。")
    return url


def callback_endpoint(*, organization_id: int, system: str) -> CallbackEndpoint | None:
    """The organization's registered endpoint for `system` (active or not), if any."""
    return CallbackEndpoint.objects.filter(organization_id=organization_id, system=system).first()


def register_callback(*, organization_id: int, system: str, url: str) -> tuple[CallbackEndpoint, str]:
    """Register or change the organization's callback URL for `system` and turn it on.

    Returns the endpoint and, when a signing key was made (first registration), the key — shown
    once; "" when the existing key stays.
    """
    url = validate_callback_url(url)
    with transaction.atomic():
        endpoint = (
            CallbackEndpoint.objects.select_for_update()
            .filter(organization_id=organization_id, system=system)
            .first()
        )
        if endpoint is None:
            secret = _new_secret()
            endpoint = CallbackEndpoint.objects.create(
                organization_id=organization_id, system=system, url=url, secret=secret
            )
            ENDPOINTS.bump()
            return endpoint, secret
        endpoint.url = url
        endpoint.is_active = True
        endpoint.updated_at = timezone.now()
        endpoint.save(update_fields=["url", "is_active", "updated_at"])
        ENDPOINTS.bump()
        return endpoint, ""


def rotate_callback_secret(*, organization_id: int, system: str) -> str:
    """Make a new signing key for the organization's endpoint and return it (shown once)."""
    secret = _new_secret()
    updated = CallbackEndpoint.objects.filter(organization_id=organization_id, system=system).update(
        secret=secret, updated_at=timezone.now()
    )
    if not updated:
        raise NotFound("通知先が登録されていません。")
    return secret


def remove_callback(*, organization_id: int, system: str) -> None:
    """Stop sending to the organization's endpoint; deliveries already written stay listed."""
    updated = CallbackEndpoint.objects.filter(organization_id=organization_id, system=system).update(
        is_active=False, updated_at=timezone.now()
    )
    if not updated:
        raise NotFound("通知先が登録されていません。")
    ENDPOINTS.bump()


def _new_secret() -> str:
    return f"whsec_{secrets.token_hex(24)}"


def callback_deliveries(
    *, organization_id: int, system: str = "", state: str = ""
) -> QuerySet[CallbackDelivery]:
    """The organization's deliveries, newest first, with their events."""
    deliveries = (
        CallbackDelivery.objects.filter(organization_id=organization_id)
        .select_related("event")
        .order_by("-created_at", "-id")
    )
    if system:
        deliveries = deliveries.filter(event__system=system)
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries


def callback_delivery(*, organization_id: int, delivery_id: int) -> CallbackDelivery:
    """One delivery of the organization; another organization's is NotFound."""
    delivery = callback_deliveries(organization_id=organization_id).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound()
    return delivery


def retry_delivery(*, organization_id: int, delivery_id: int) -> CallbackDelivery:
    """Put a failed delivery back in the queue with a fresh count of attempts (to its current URL)."""
    delivery = callback_delivery(organization_id=organization_id, delivery_id=delivery_id)
    if not delivery.endpoint.is_active:
        raise InvalidTransition("通知先の登録が停止されています。通知先を登録し直してから再送してください。")
    now = timezone.now()
    with transaction.atomic():
        updated = CallbackDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
            state=DeliveryState.PENDING,
            attempts=0,
            next_attempt_at=now,
            enqueued_at=now,
            claimed_until=None,
            url=delivery.endpoint.url,
        )
        if not updated:
            raise InvalidTransition("送信失敗の通知だけを再送できます。")
        transaction.on_commit(lambda: _enqueue_delivery(delivery.pk), robust=True)
    delivery.refresh_from_db()
    return delivery
