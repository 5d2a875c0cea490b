"""Rate limits per organization: beyond the rate a clear 429 with Retry-After."""

from __future__ import annotations

import pytest

from tests.factories import participant


@pytest.mark.usefixtures("frozen_minute")
def test_the_organization_over_its_rate_gets_429_with_retry_after(
    api, retailer_a, retailer_b, settings
) -> None:
    settings.KOUIKI_API_RATE = "3/m"
    colleague = participant(organization=retailer_a.organization, system="switching", login_id="usr002")
    from kouiki.identity.services.tokens import ensure_demo_token

    ensure_demo_token(user=colleague, raw="test-colleague")
    statuses = [api(retailer_a.token).get("/events").status_code for _ in range(2)]
    statuses.append(api("test-colleague").get("/events").status_code)
    limited = api("test-colleague").get("/events")
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert limited["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["code"] == "rate_limited"
    # Another organization has its own count.
    assert api(retailer_b.token).get("/events").status_code == 200


@pytest.mark.usefixtures("frozen_minute")
def test_the_count_in_redis_takes_one_round_trip(api, retailer_a, settings) -> None:
    """As in production (REDIS_URL): the counter is SET NX EX and INCR in one pipeline."""
    import redis
    from django.core.cache import cache

    url = "redis://127.0.0.1:6379/13"
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    settings.KOUIKI_API_RATE = "2/m"
    client = api(retailer_a.token)
    assert [client.get("/events").status_code for _ in range(3)] == [200, 200, 429]
    counters = list(redis.Redis.from_url(url).scan_iter(match="*rl:api:switching:*"))
    assert len(counters) == 1
    assert 60 <= redis.Redis.from_url(url).ttl(counters[0]) <= 61
    assert cache.get(counters[0].decode().split(":", 2)[2]) == 3
    redis.Redis.from_url(url).flushdb()
