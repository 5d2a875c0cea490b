"""SW-U11 on the API: a user's function rights hold for calls with its own token, and a change of
rights is followed by the very next call with the same token (the token cache is invalidated)."""

from __future__ import annotations

from typing import Any

from kouiki.identity.services import switching_users
from tests.api.conftest import cancel_forward_body


def test_sw_u11_a_user_without_sw_l06_is_refused_on_the_api_with_its_own_token(
    api: Any, retailer_a: Any, points: list[str], clock: Any
) -> None:
    switching_users.set_rights(
        actor=retailer_a.admin,
        user=retailer_a.user,
        functions=switching_users.preset_functions("inquiry", "retailer"),
    )
    client = api(retailer_a.token)
    refused = client.post("/cancel-forwards", cancel_forward_body(points[0]))
    assert refused.status_code == 403, refused.content
    assert "利用権限がありません" in refused.json()["detail"]
    # An inquiry it was given still answers.
    assert client.get("/operators").status_code == 200


def test_sw_u11_the_next_call_with_the_same_token_follows_a_change_of_rights(
    api: Any, retailer_a: Any, points: list[str], clock: Any
) -> None:
    client = api(retailer_a.token)
    assert client.get("/operators").status_code == 200  # the token's user is cached now
    switching_users.set_rights(actor=retailer_a.admin, user=retailer_a.user, functions=["SW-L14"])
    assert client.get("/operators").status_code == 403
    assert client.post("/cancel-forwards", cancel_forward_body(points[0])).status_code == 403
    switching_users.set_rights(actor=retailer_a.admin, user=retailer_a.user, functions=None)
    assert client.get("/operators").status_code == 200
    assert client.post("/cancel-forwards", cancel_forward_body(points[0])).status_code == 201


def test_sw_u07_a_deleted_users_token_dies_with_it(api: Any, retailer_a: Any, clock: Any) -> None:
    client = api(retailer_a.token)
    assert client.get("/operators").status_code == 200
    switching_users.delete_user(actor=retailer_a.admin, user=retailer_a.user)
    assert client.get("/operators").status_code == 401


def test_sw_u09_a_disabled_users_token_is_refused_until_it_is_enabled(
    api: Any, retailer_a: Any, clock: Any
) -> None:
    client = api(retailer_a.token)
    switching_users.set_active(actor=retailer_a.admin, user=retailer_a.user, active=False)
    assert client.get("/operators").status_code == 401
    switching_users.set_active(actor=retailer_a.admin, user=retailer_a.user, active=True)
    assert client.get("/operators").status_code == 200
