"""Sending callback deliveries: claim, POST a signed body, mark; retries with backoff; the sweeper.

The same design as the mail outbox (docs/decisions/0003-outbox-delivery.md), through the same
kouiki.core.leases: a conditional UPDATE claims the row with a token and a lease; the POST goes
out with no transaction open; the row is marked under the same token. A non-2xx answer or a
network error puts the row back to pending with an exponential backoff, until
KOUIKI_CALLBACK_MAX_ATTEMPTS, then failed (the organization can send it again from its screen).
The sweeper takes back rows of dead workers and re-enqueues rows whose task was lost. A receiver
may therefore see an event twice (at-least-once): the event's `sequence` (and the
`X-Kouiki-Delivery` header) tell a repeat.

The signature: `X-Kouiki-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>` with
`X-Kouiki-Timestamp: <unix seconds>`, made afresh at each attempt; a receiver checks it with the
key shown at registration and refuses old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from kouiki.core import http_clients, leases, maintenance
from kouiki.core.models import CallbackDelivery, DeliveryState

logger = logging.getLogger(__name__)

STOPPED_ERROR = "通知先の登録が停止されたため、送信しませんでした。"
USER_AGENT = "Kouiki-Callback/1"


def backoff(attempts: int) -> timedelta:
    """Wait after `attempts` failed attempts: base, 2·base, 4·base, … at most one hour."""
    return leases.backoff(attempts, base=settings.KOUIKI_CALLBACK_BACKOFF_SECONDS, cap=3600)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for one body at one timestamp."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (used by the tests and shown in docs/guide/api.md)."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def body_of(delivery: CallbackDelivery) -> bytes:
    from kouiki.core.events import event_json

    event = delivery.event
    document = {"system": event.system, **event_json(event)}
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def enqueue_delivery(delivery_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue the send task of one row now (call it from `transaction.on_commit`)."""
    from kouiki.core.tasks import deliver_callback

    task = deliver_callback if run_after is None else deliver_callback.using(run_after=run_after)
    task.enqueue(delivery_id)


ROWS = leases.LeasedRows(
    CallbackDelivery,
    enqueue=enqueue_delivery,
    backoff=backoff,
    lease_setting="KOUIKI_CALLBACK_LEASE_SECONDS",
    sweep_after_setting="KOUIKI_CALLBACK_SWEEP_AFTER_SECONDS",
    max_attempts_setting="KOUIKI_CALLBACK_MAX_ATTEMPTS",
    # A stopped system's callbacks wait and go on after (X-S1).
    held=maintenance.hold_by_system("endpoint__system"),
)


# Whether an organization's deliveries of a system wait for now, asked before each claim (so that a
# waiting one burns no attempt): identity registers a suspended participant's (X-S2); whoever lifts
# the pause calls `requeue`.
_PAUSES: list[Callable[[int, str], bool]] = []


def register_pause(paused: Callable[[int, str], bool]) -> None:
    """Add a predicate (organization_id, system) → whether its deliveries wait."""
    if paused not in _PAUSES:
        _PAUSES.append(paused)


def _waits(delivery_id: int) -> bool:
    if not _PAUSES:
        return False
    found = (
        CallbackDelivery.objects.filter(pk=delivery_id)
        .values_list("organization_id", "endpoint__system")
        .first()
    )
    return found is not None and any(paused(found[0], found[1]) for paused in _PAUSES)


def requeue(organization_id: int, system: str) -> int:
    """Enqueue (on commit) the pending deliveries of an organization's system that waited."""
    waiting = list(
        CallbackDelivery.objects.filter(
            organization_id=organization_id, endpoint__system=system, state=DeliveryState.PENDING
        ).values_list("pk", flat=True)
    )
    CallbackDelivery.objects.filter(pk__in=waiting).update(enqueued_at=timezone.now())
    for pk in waiting:
        transaction.on_commit(partial(enqueue_delivery, pk), robust=True)
    return len(waiting)


def deliver(delivery_id: int) -> str:
    """POST one delivery at most once per claim; return what happened (for the task's result)."""
    if _waits(delivery_id):
        return "paused"
    now = timezone.now()
    token = ROWS.claim(delivery_id, now=now, last_attempt_at=now)
    if token is None:
        state = ROWS.state_of(delivery_id)
        return "missing" if state is None else f"not-claimed:{state}"

    delivery = CallbackDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        # The organization stopped its callbacks after this was written: nothing more goes out.
        CallbackDelivery.objects.filter(pk=delivery_id, claim_token=token).update(
            state=DeliveryState.FAILED, last_error=STOPPED_ERROR, claimed_until=None
        )
        return "stopped"
    if delivery.url != endpoint.url:
        # The URL changed after this was written: the organization's receiver is the new one.
        CallbackDelivery.objects.filter(pk=delivery_id, claim_token=token).update(url=endpoint.url)
        delivery.url = endpoint.url
    try:
        status = _post(delivery)
    except ForbiddenDestination as exc:
        return _record_failure(delivery, token, None, str(exc))
    except httpx.HTTPError as exc:
        return _record_failure(delivery, token, None, f"{type(exc).__name__}: {exc}")
    if not 200 <= status < 300:
        return _record_failure(delivery, token, status, f"HTTP {status}")
    CallbackDelivery.objects.filter(pk=delivery_id, claim_token=token).update(
        state=DeliveryState.DELIVERED,
        delivered_at=timezone.now(),
        last_status=status,
        last_error="",
        claimed_until=None,
    )
    return "delivered"


# --- Where a callback may go ------------------------------------------------------------------------


class ForbiddenDestination(Exception):
    """The callback's host is, or resolves to, an address inside a private or special network."""


def address_allowed(address: str) -> bool:
    """A public (global unicast) address; the loopback too where KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK.

    A callback URL is chosen by a participant: without this check it could make our worker call
    our own network (the database, the metadata service of a cloud, a router's page).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("%eth0") is no part of it
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return bool(settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK)
    return ip.is_global and not ip.is_multicast


def check_destination(url: str) -> str | None:
    """The address to connect to for `url`, checked at each attempt; refuse a host that resolves
    to any address that is not allowed.

    Checked when sending, not only at registration: the name's records can change. The caller
    connects to the address returned, not to what a second lookup could give (DNS rebinding). A
    name that does not resolve (None) is left to the HTTP client, which fails the attempt the same
    way.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return None
    addresses = [str(info[4][0]) for info in infos]
    refused = sorted({address for address in addresses if not address_allowed(address)})
    if refused:
        listed = ", ".join(refused)
        raise ForbiddenDestination(
            f"通知先のホスト {host} が内部・特殊用途のアドレス（{listed}）を指すため送信しません。"
        )
    return addresses[0] if addresses else None


def pinned_request(url: str, address: str | None) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL to connect to `address` with, the Host header and the TLS name that keep the request
    the one for `url` (the certificate is verified against the URL's host name)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if address is None or address == host:
        return url, {}, {}
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    pinned = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return pinned, {"Host": parts.netloc.rsplit("@", 1)[-1]}, extensions


def _post(delivery: CallbackDelivery) -> int:
    url, host_header, extensions = pinned_request(delivery.url, check_destination(delivery.url))
    body = body_of(delivery)
    timestamp = str(int(time.time()))
    headers = {
        **host_header,
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Kouiki-Timestamp": timestamp,
        "X-Kouiki-Signature": sign(delivery.endpoint.secret, timestamp, body),
        "X-Kouiki-Delivery": str(delivery.pk),
        "X-Kouiki-Event": delivery.event.topic,
        "X-Kouiki-Sequence": str(delivery.event.sequence),
    }
    # No redirects: the registered URL is the only place the organization's events may go.
    with http_clients.client(
        timeout=settings.KOUIKI_CALLBACK_TIMEOUT_SECONDS, follow_redirects=False
    ) as client:
        response = client.post(url, content=body, headers=headers, extensions=extensions)
    return response.status_code


def _record_failure(delivery: CallbackDelivery, token: str, status: int | None, error: str) -> str:
    error = error[:2000]
    logger.info("Callback delivery %s: attempt %s failed: %s", delivery.pk, delivery.attempts, error)
    return ROWS.retry_later(
        delivery.pk, token, attempts=delivery.attempts, last_status=status, last_error=error
    )


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Take back rows whose worker died and re-enqueue rows whose task was lost (as the outbox does)."""
    counts = ROWS.sweep(now or timezone.now())._asdict()
    if any(counts.values()):
        logger.info("Callback sweep: %s", counts)
    return counts
