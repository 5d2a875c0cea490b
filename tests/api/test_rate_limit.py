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
