"""The event feed: `after=N` returns later events in order, none skipped, none twice — also when
concurrent transactions publish (PostgreSQL)."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, transaction

from kouiki.core import events
from tests.api.conftest import cancel_forward_body

SYSTEM = "switching"


def read_all(client, after: int = 0, limit: int = 7) -> list[dict]:
    seen: list[dict] = []
    while True:
        page = client.get("/events", data={"after": after, "limit": limit}).json()
        seen += page["events"]
        after = page["last_sequence"]
        if not page["has_more"]:
            return seen


def test_filing_tells_the_filer_and_both_retailers(api, retailer_a, retailer_b, points) -> None:
    api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0]))
    mine = read_all(api(retailer_a.token))
    theirs = read_all(api(retailer_b.token))
    assert [e["topic"] for e in mine] == ["application.updated", "switch.updated"]
    assert [e["sequence"] for e in mine] == [1, 2]
    assert [e["topic"] for e in theirs] == ["switch.updated"]
    assert "customer_name" not in theirs[0]["payload"]


def test_pages_continue_from_the_last_sequence(api, retailer_a, db) -> None:
    for n in range(23):
        events.publish(
            organization_id=retailer_a.organization.pk,
            system=SYSTEM,
            topic="test",
            reference=str(n),
            payload={},
        )
    seen = read_all(api(retailer_a.token), limit=5)
    assert [e["sequence"] for e in seen] == list(range(1, 24))
    page = api(retailer_a.token).get("/events", data={"after": 20}).json()
    assert [e["reference"] for e in page["events"]] == ["20", "21", "22"]
    assert page == {**page, "last_sequence": 23, "has_more": False}


def test_another_organizations_events_are_not_seen(api, retailer_a, retailer_b, db) -> None:
    events.publish(
        organization_id=retailer_b.organization.pk, system=SYSTEM, topic="t", reference="", payload={}
    )
    assert read_all(api(retailer_a.token)) == []


def test_bad_cursor_is_422(api, retailer_a) -> None:
    response = api(retailer_a.token).get("/events", data={"after": -1})
    assert response.status_code == 422
    assert "after" in response.json()["errors"]


def test_a_rolled_back_publish_leaves_no_gap(retailer_a, db) -> None:
    org = retailer_a.organization.pk
    events.publish(organization_id=org, system=SYSTEM, topic="t", reference="1", payload={})
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(organization_id=org, system=SYSTEM, topic="t", reference="lost", payload={})
        raise RuntimeError
    events.publish(organization_id=org, system=SYSTEM, topic="t", reference="2", payload={})
    found = events.events_after(organization_id=org, system=SYSTEM, after=0)
    assert [(e.sequence, e.reference) for e in found] == [(1, "1"), (2, "2")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_reader_never_skips_nor_repeats_under_concurrent_writers(retailer_a, retailer_b) -> None:
    """Writers publish to both organizations in random order, each transaction lingering a random
    moment; a reader polls with its cursor meanwhile. It must read each event exactly once, in order."""
    orgs = [retailer_a.organization.pk, retailer_b.organization.pk]
    writers, per_writer = 6, 15
    stop = threading.Event()
    read: list[int] = []
    failures: list[BaseException] = []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for n in range(per_writer):
                with transaction.atomic():
                    for org in rng.sample(orgs, 2):
                        events.publish(
                            organization_id=org, system=SYSTEM, topic="t", reference=f"{seed}-{n}", payload={}
                        )
                    time.sleep(rng.random() * 0.01)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    def poll() -> None:
        after = 0
        try:
            while True:
                done = stop.is_set()
                found = events.events_after(organization_id=orgs[0], system=SYSTEM, after=after, limit=5)
                read.extend(e.sequence for e in found)
                if found:
                    after = found[-1].sequence
                elif done:
                    return
        finally:
            connection.close()

    reader = threading.Thread(target=poll)
    reader.start()
    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stop.set()
    reader.join(timeout=60)
    assert not failures
    assert read == list(range(1, writers * per_writer + 1))
