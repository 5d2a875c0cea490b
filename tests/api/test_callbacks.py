"""HTTPS callbacks: each event POSTed to the organization's URL, signed, retried with backoff until
it is accepted, and every delivery visible to the organization."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from kouiki.core import callback_delivery, events
from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.models import CallbackDelivery, CallbackEndpoint, DeliveryState
from tests.api.receiver import Receiver, serve
from tests.tasks import run_ready_tasks

SYSTEM = "switching"
# The worker's retries are enqueued on commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = True
    settings.KOUIKI_CALLBACK_BACKOFF_SECONDS = 0
    settings.KOUIKI_CALLBACK_MAX_ATTEMPTS = 4
    state, server = serve()
    yield state
    server.shutdown()
    server.server_close()


def publish(organization_id: int, capture: Any, reference: str = "R1") -> None:
    with capture(execute=True):
        events.publish(
            organization_id=organization_id,
            system=SYSTEM,
            topic="application.updated",
            reference=reference,
            payload={"reception_number": reference, "state": "completed"},
        )


def test_event_is_posted_signed_to_the_registered_url(
    api, retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    org = retailer_a.organization.pk
    _endpoint, secret = events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    publish(org, django_capture_on_commit_callbacks)
    run_ready_tasks()

    [request] = receiver.received
    body = json.loads(request.body)
    assert body["sequence"] == 1
    assert body["topic"] == "application.updated"
    assert body["payload"]["reception_number"] == "R1"
    timestamp, signature = request.headers["X-Kouiki-Timestamp"], request.headers["X-Kouiki-Signature"]
    assert callback_delivery.verify(secret, timestamp, request.body, signature)
    assert not callback_delivery.verify("whsec_other", timestamp, request.body, signature)
    assert not callback_delivery.verify(secret, timestamp, request.body + b" ", signature)
    assert not callback_delivery.verify(secret, str(int(timestamp) - 3600), request.body, signature)

    page = api(retailer_a.token).get("/callbacks/deliveries").json()
    assert page["count"] == 1
    assert (
        page["deliveries"][0] | {"state": "delivered", "attempts": 1, "last_status": 204}
        == page["deliveries"][0]
    )


def test_a_failing_receiver_is_retried_until_it_accepts(
    api, retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    org = retailer_a.organization.pk
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    receiver.failures = 2
    publish(org, django_capture_on_commit_callbacks)
    run_ready_tasks()

    assert len(receiver.received) == 3
    assert len({r.headers["X-Kouiki-Delivery"] for r in receiver.received}) == 1
    delivery = CallbackDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.DELIVERED, 3, 204)


def test_after_the_last_attempt_the_delivery_is_failed_and_can_be_sent_again(
    api, retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    org = retailer_a.organization.pk
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    receiver.failures = 10
    publish(org, django_capture_on_commit_callbacks)
    run_ready_tasks()
    delivery = CallbackDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.FAILED, 4, 500)
    failed = api(retailer_a.token).get("/callbacks/deliveries", data={"state": "failed"}).json()
    assert failed["count"] == 1
    assert failed["deliveries"][0]["last_error"] == "HTTP 500"

    receiver.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        events.retry_delivery(organization_id=org, delivery_id=delivery.pk)
    run_ready_tasks()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)


def test_an_unreachable_receiver_is_retried_with_backoff(
    retailer_a, settings, django_capture_on_commit_callbacks
) -> None:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = True
    org = retailer_a.organization.pk
    # A port nobody listens on (bound, then closed).
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    events.register_callback(organization_id=org, system=SYSTEM, url=f"http://127.0.0.1:{port}/")
    publish(org, django_capture_on_commit_callbacks)
    delivery = CallbackDelivery.objects.get()
    assert callback_delivery.deliver(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_error.startswith("ConnectError")
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=29)
    assert callback_delivery.deliver(delivery.pk) == "not-claimed:pending"  # not due yet


def test_backoff_doubles_up_to_an_hour(settings) -> None:
    settings.KOUIKI_CALLBACK_BACKOFF_SECONDS = 30
    waits = [callback_delivery.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)]
    assert waits == [30, 60, 120, 3600, 3600]


def test_a_dead_workers_delivery_is_taken_back_by_the_sweeper(
    retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    org = retailer_a.organization.pk
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    publish(org, django_capture_on_commit_callbacks)
    delivery = CallbackDelivery.objects.get()
    from django.utils import timezone

    CallbackDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, claimed_until=timezone.now() - timedelta(seconds=1), attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert callback_delivery.sweep()["reclaimed"] == 1
    run_ready_tasks()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert len(receiver.received) == 1


def test_no_endpoint_no_delivery_and_removed_endpoint_stops(
    retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    org = retailer_a.organization.pk
    publish(org, django_capture_on_commit_callbacks)
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    events.remove_callback(organization_id=org, system=SYSTEM)
    publish(org, django_capture_on_commit_callbacks, reference="R2")
    assert CallbackDelivery.objects.count() == 0


def test_an_endpoint_registered_or_removed_counts_from_the_next_event(
    retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    """The endpoints are cached per process (a publish asks them for both retailers of a switch):
    registering or removing one is seen by the very next event, in this process and others."""
    org = retailer_a.organization.pk
    publish(org, django_capture_on_commit_callbacks)  # "no endpoint" is now cached
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    publish(org, django_capture_on_commit_callbacks, reference="R2")
    assert list(CallbackDelivery.objects.values_list("event__reference", flat=True)) == ["R2"]
    events.remove_callback(organization_id=org, system=SYSTEM)
    publish(org, django_capture_on_commit_callbacks, reference="R3")
    assert CallbackDelivery.objects.count() == 1
    events.register_callback(organization_id=org, system=SYSTEM, url=f"{receiver.url}/new")
    publish(org, django_capture_on_commit_callbacks, reference="R4")
    assert CallbackDelivery.objects.get(event__reference="R4").url == f"{receiver.url}/new"


@pytest.mark.parametrize(
    "url",
    ["http://example.com/hook", "ftp://example.com/", "https://", "javascript:alert(1)", "http://10.0.0.1/"],
)
def test_only_https_urls_are_accepted(retailer_a, settings, url) -> None:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = True
    with pytest.raises(ValidationFailed) as refused:
        events.register_callback(organization_id=retailer_a.organization.pk, system=SYSTEM, url=url)
    assert "url" in refused.value.errors


def test_loopback_http_only_where_allowed(retailer_a, settings) -> None:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationFailed):
        events.register_callback(
            organization_id=retailer_a.organization.pk, system=SYSTEM, url="http://127.0.0.1:9/"
        )
    endpoint, secret = events.register_callback(
        organization_id=retailer_a.organization.pk, system=SYSTEM, url="https://hooks.example.jp/kouiki"
    )
    assert secret.startswith("whsec_")
    again, no_secret = events.register_callback(
        organization_id=retailer_a.organization.pk, system=SYSTEM, url="https://hooks.example.jp/v2"
    )
    assert again.pk == endpoint.pk and no_secret == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://192.168.1.20/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "https://100.64.0.1/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://db.internal/hook",
        "https://printer.local/hook",
        "https://user:secret@hooks.example.jp/hook",
    ],
)
def test_internal_and_special_destinations_are_refused_at_registration(retailer_a, settings, url) -> None:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationFailed) as refused:
        events.register_callback(organization_id=retailer_a.organization.pk, system=SYSTEM, url=url)
    assert "url" in refused.value.errors
    assert not events.callback_endpoint(organization_id=retailer_a.organization.pk, system=SYSTEM)


def test_a_public_address_literal_is_accepted(retailer_a, settings) -> None:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = False
    endpoint, _ = events.register_callback(
        organization_id=retailer_a.organization.pk, system=SYSTEM, url="https://93.184.215.14/hook"
    )
    assert endpoint.url == "https://93.184.215.14/hook"


def test_a_name_resolving_to_an_internal_address_is_not_called(
    retailer_a, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = False
    org = retailer_a.organization.pk
    events.register_callback(organization_id=org, system=SYSTEM, url="https://hooks.example.jp/kouiki")
    publish(org, django_capture_on_commit_callbacks)
    delivery = CallbackDelivery.objects.get()

    # The name's records (outside us, so faked) now point into a private network.
    import socket

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "hooks.example.jp"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    def no_request(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no request may go out")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(callback_delivery.httpx.Client, "send", no_request)
    assert callback_delivery.deliver(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert "10.1.2.3" in delivery.last_error and "93.184.215.14" not in delivery.last_error


def test_a_stopped_endpoint_gets_nothing_more_even_what_was_queued(
    retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    org = retailer_a.organization.pk
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    publish(org, django_capture_on_commit_callbacks)
    delivery = CallbackDelivery.objects.get()
    events.remove_callback(organization_id=org, system=SYSTEM)

    assert callback_delivery.deliver(delivery.pk) == "stopped"

    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error == callback_delivery.STOPPED_ERROR
    with pytest.raises(InvalidTransition):
        events.retry_delivery(organization_id=org, delivery_id=delivery.pk)


def test_a_queued_delivery_goes_to_the_url_registered_since(
    retailer_a, receiver, django_capture_on_commit_callbacks
) -> None:
    org = retailer_a.organization.pk
    events.register_callback(organization_id=org, system=SYSTEM, url="http://127.0.0.1:9/old")
    publish(org, django_capture_on_commit_callbacks)
    delivery = CallbackDelivery.objects.get()
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)

    assert callback_delivery.deliver(delivery.pk) == "delivered"

    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.url == receiver.url


def test_the_request_goes_to_the_address_that_was_checked(
    retailer_a, receiver, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A second lookup by the HTTP client could give another address (DNS rebinding): the request
    is made to the address checked, with the registered name as Host."""
    import socket

    org = retailer_a.organization.pk
    port = receiver.url.split(":")[2].split("/")[0]
    events.register_callback(organization_id=org, system=SYSTEM, url=receiver.url)
    CallbackEndpoint.objects.filter(organization_id=org).update(
        url=f"http://hooks.example.jp:{port}/kouiki/events"
    )
    publish(org, django_capture_on_commit_callbacks)
    delivery = CallbackDelivery.objects.get()
    lookups: list[str] = []

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "127.0.0.1":  # connecting to an address "resolves" the address itself
            lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert callback_delivery.deliver(delivery.pk) == "delivered"

    assert lookups == ["hooks.example.jp"]
    [received] = receiver.received
    assert received.headers["Host"] == f"hooks.example.jp:{port}"


def test_an_https_url_keeps_its_name_for_tls() -> None:
    url, headers, extensions = callback_delivery.pinned_request(
        "https://hooks.example.jp/kouiki", "93.184.215.14"
    )
    assert url == "https://93.184.215.14/kouiki"
    assert headers == {"Host": "hooks.example.jp"}
    assert extensions == {"sni_hostname": "hooks.example.jp"}
    v6, _, _ = callback_delivery.pinned_request("https://hooks.example.jp:8443/k?a=1", "2606:2800:220:1::1")
    assert v6 == "https://[2606:2800:220:1::1]:8443/k?a=1"
