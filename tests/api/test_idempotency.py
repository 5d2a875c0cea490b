"""Idempotency-Key: the same key and body give the first answer byte for byte; another body is
refused; concurrent duplicates make one application."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kouiki.core.models import IdempotencyRecord
from kouiki.switching.models import Application
from tests.api.conftest import cancel_forward_body


def test_same_key_same_body_returns_the_first_answer_byte_for_byte(api, retailer_a, points) -> None:
    client = api(retailer_a.token)
    first = client.post("/cancel-forwards", cancel_forward_body(points[0]), key="key-1")
    again = client.post("/cancel-forwards", cancel_forward_body(points[0]), key="key-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


def test_same_data_in_another_key_order_is_the_same_body(api, retailer_a, points) -> None:
    client = api(retailer_a.token)
    body = cancel_forward_body(points[0])
    first = client.post("/cancel-forwards", body, key="key-1")
    again = client.post("/cancel-forwards", dict(reversed(list(body.items()))), key="key-1")
    assert again.content == first.content


def test_same_key_other_body_is_refused(api, retailer_a, points) -> None:
    client = api(retailer_a.token)
    client.post("/cancel-forwards", cancel_forward_body(points[0]), key="key-1")
    response = client.post("/cancel-forwards", cancel_forward_body(points[1]), key="key-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_a_refusal_is_replayed_and_leaves_nothing_behind(api, retailer_a, points) -> None:
    client = api(retailer_a.token)
    body = cancel_forward_body(points[0], customer_name="\u3000")
    first = client.post("/cancel-forwards", body, key="key-1")
    again = client.post("/cancel-forwards", body, key="key-1")
    assert first.status_code == 422
    assert again.content == first.content
    assert Application.objects.count() == 0


def test_keys_are_per_user(api, retailer_a, retailer_b, points, db) -> None:
    from tests.api.conftest import make_point

    other = make_point(retailer_a.organization, 99)
    a = api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0]), key="shared")
    b = api(retailer_b.token).post("/cancel-forwards", cancel_forward_body(other, 99), key="shared")
    assert a.status_code == b.status_code == 201
    assert a.json()["reception_number"] != b.json()["reception_number"]


def test_a_bad_key_is_400(api, retailer_a, points) -> None:
    response = api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0]), key=" x" * 200)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


def test_without_a_key_each_post_is_its_own(api, retailer_a, points) -> None:
    client = api(retailer_a.token)
    client.post("/cancel-forwards", cancel_forward_body(points[0]))
    assert client.post("/cancel-forwards", cancel_forward_body(points[0])).status_code == 409
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL (SQLite serializes every write)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_application(api, retailer_a, points) -> None:
    """Threads with their own connections send the same key and body at the same moment."""
    count = 4
    barrier = threading.Barrier(count)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = api(retailer_a.token)
            barrier.wait()
            response = client.post("/cancel-forwards", cancel_forward_body(points[0]), key="same")
            with lock:
                answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == count
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    assert Application.objects.count() == 1


def test_answers_are_forgotten_after_their_retention(api, retailer_a, points, settings) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from kouiki.core.api import purge_idempotency_records

    api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0]), key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[1]), key="new")
    assert purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
