"""API requests counted per organization and minute for the back office's overview (X-S1): in the
rate count's round trip on Redis, kept about two hours, read back per minute."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from kouiki.core.api import TALLY_SECONDS, api_requests_per_minute
from tests.api.conftest import Retailer

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def minute_start() -> Any:
    """The clock held 5 seconds into a minute; move it on with .shift()."""
    with time_machine.travel(timezone.localtime().replace(second=5, microsecond=0), tick=False) as traveller:
        yield traveller


def _candidates(*retailers: Retailer) -> list[tuple[str, int]]:
    return [("switching", retailer.organization.pk) for retailer in retailers]


def test_requests_are_counted_per_organization_and_minute(
    api: Any, retailer_a: Retailer, retailer_b: Retailer, minute_start: Any
) -> None:
    for _ in range(3):
        assert api(retailer_a.token).get("/events").status_code == 200
    assert api(retailer_b.token).get("/events").status_code == 200
    minute_start.shift(timedelta(minutes=1))
    assert api(retailer_a.token).get("/events").status_code == 200
    # A refused request (no valid token) counts for nobody.
    assert api("test-unknown").get("/events").status_code == 401

    span, counts = api_requests_per_minute(minutes=5, candidates=_candidates(retailer_a, retailer_b))
    assert len(span) == 5 and span[-1] == int(time.time()) // 60
    assert counts == {
        ("switching", retailer_a.organization.pk): [0, 0, 0, 3, 1],
        ("switching", retailer_b.organization.pk): [0, 0, 0, 1, 0],
    }
    # Only the minutes asked for are read: the last one holds the one request of this minute.
    _, last = api_requests_per_minute(minutes=1, candidates=_candidates(retailer_a, retailer_b))
    assert last == {("switching", retailer_a.organization.pk): [1]}


def test_nothing_counted_reads_as_no_organization(db: None) -> None:
    span, counts = api_requests_per_minute(minutes=60, candidates=[("switching", 1)])
    assert len(span) == 60 and counts == {}


@pytest.fixture
def redis_cache(settings: Any) -> Any:
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    yield server
    server.flushdb()


def test_on_redis_the_tally_rides_in_the_rate_counts_round_trip(
    api: Any,
    retailer_a: Retailer,
    retailer_b: Retailer,
    redis_cache: Any,
    minute_start: Any,
    monkeypatch: Any,
) -> None:
    from redis.client import Pipeline

    pipelines: list[int] = []
    execute = Pipeline.execute

    def counted(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        pipelines.append(len(self.command_stack))
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)
    client = api(retailer_a.token)
    assert client.get("/events").status_code == 200
    # One pipeline for the request: the window's SET NX EX and INCR, the minute's HINCRBY and EXPIRE.
    assert pipelines == [4]
    assert client.get("/events").status_code == 200
    assert api(retailer_b.token).get("/events").status_code == 200
    monkeypatch.setattr(Pipeline, "execute", execute)

    hashes = list(redis_cache.scan_iter(match="*api-requests:*"))
    assert len(hashes) == 1
    assert TALLY_SECONDS - 5 <= redis_cache.ttl(hashes[0]) <= TALLY_SECONDS
    # On Redis every organization of the minute is found, without naming candidates.
    span, counts = api_requests_per_minute(minutes=60)
    assert len(span) == 60
    assert counts == {
        ("switching", retailer_a.organization.pk): [0] * 59 + [2],
        ("switching", retailer_b.organization.pk): [0] * 59 + [1],
    }
