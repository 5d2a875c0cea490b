"""Token authentication, rights, problem details and the first operation, through the test client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client

from kouiki.audit.choices import Action
from kouiki.audit.models import Event as AuditEvent
from kouiki.identity.models import ApiToken
from tests.api.conftest import API, cancel_forward_body


def test_sw_l06_registers_with_the_token_users_rights(api, retailer_a, points) -> None:
    response = api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reception_number"]
    assert body["switch_number"]
    assert body["kind"] == "20"
    assert response["Location"] == body["status_url"]
    assert (
        api(retailer_a.token).get(f"/applications/{body['reception_number']}").json()["state"] == "received"
    )
    audit = AuditEvent.objects.filter(action=Action.SWITCHING_APPLICATION_FILE).latest("id")
    assert audit.actor_id == retailer_a.user.pk


def test_missing_token_is_401_problem(api, retailer_a) -> None:
    response = api(None).get("/events")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["code"] == "authentication_required"
    assert problem["status"] == 401
    assert problem["type"] == "urn:kouiki:problem:authentication_required"


@pytest.mark.parametrize("token", ["wrong-token", ""])
def test_invalid_token_is_401(api, retailer_a, token) -> None:
    client = api(None)
    response = client.get("/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] in {"invalid_token", "invalid_authorization"}


def test_revoked_token_is_401(api, retailer_a) -> None:
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00+09:00")
    response = api(retailer_a.token).get("/events")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_locked_out_users_token_stops_working(api, retailer_a) -> None:
    assert api(retailer_a.token).get("/events").status_code == 200
    cache.clear()  # the login page's per-address limit is not what is tested here
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post(
            "/switching/login/",
            {"organization_code": "9101", "user_id": "usr001", "password": "Wrong-pass9"},
        )
    response = api(retailer_a.token).get("/events")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_token"


def test_a_disabled_users_token_stops_working(api, retailer_a) -> None:
    retailer_a.user.is_active = False
    retailer_a.user.save(update_fields=["is_active"])
    response = api(retailer_a.token).get("/events")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_validation_errors_are_422_with_japanese_messages_per_field(api, retailer_a, points) -> None:
    response = api(retailer_a.token).post(
        "/cancel-forwards", {"supply_point_number": points[0], "desired_date": "2026-13-45"}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert problem["errors"]["customer_name"] == ["必須項目です。"]
    assert "YYYY-MM-DD" in problem["errors"]["desired_date"][0]


def test_malformed_json_is_400_problem(api, retailer_a) -> None:
    response = api(retailer_a.token).post("/cancel-forwards", raw="{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_a_body_over_the_size_limit_is_a_400_problem(api, retailer_a) -> None:
    oversized = json.dumps({"reception_numbers": ["A" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE]})
    response = api(retailer_a.token).post("/applications/statuses", raw=oversized)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "request_too_large"
    assert "大きすぎます" in problem["detail"]


def _token_lookup_fails(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    """The database, not our code, fails: the token's table cannot be read (a lock held past the
    busy timeout is a 503 instead: tests/core/test_database_busy.py)."""
    if "identity_apitoken" in sql:
        raise OperationalError("disk I/O error")
    return execute(sql, params, many, context)


def test_a_database_error_during_authentication_is_a_500_problem(api, retailer_a) -> None:
    with connection.execute_wrapper(_token_lookup_fails):
        response = api(retailer_a.token).get("/events")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "internal_error"


def test_domain_refusal_names_the_field(api, retailer_a, points) -> None:
    response = api(retailer_a.token).post(
        "/cancel-forwards", cancel_forward_body(points[0], customer_name="\u3000")
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "not_visible"
    assert list(problem["errors"]) == ["customer_name"]


def test_point_already_switching_is_409_with_its_number(api, retailer_a, points) -> None:
    first = api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0])).json()
    response = api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0]))
    assert response.status_code == 409
    assert response.json()["code"] == "switch_in_progress"
    assert response.json()["switch_number"] == first["switch_number"]


def test_another_organizations_application_is_404(api, retailer_a, retailer_b, points) -> None:
    number = (
        api(retailer_a.token)
        .post("/cancel-forwards", cancel_forward_body(points[0]))
        .json()["reception_number"]
    )
    response = api(retailer_b.token).get(f"/applications/{number}")
    assert response.status_code == 404
    assert response.json()["code"] == "application_not_found"


def test_unknown_path_is_a_404_problem(api, retailer_a) -> None:
    response = api(retailer_a.token).get("/no-such-thing")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"


def test_a_method_the_path_does_not_take_is_a_405_problem_with_allow(api, retailer_a) -> None:
    client = api(retailer_a.token)
    response = client.client.put(f"{API}/cancel-forwards", headers=client.headers)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"POST"}
    problem = response.json()
    assert problem["code"] == "method_not_allowed"
    assert "PUT" in problem["detail"]


def test_ensure_demo_token_is_idempotent_and_revives_a_revoked_one(retailer_a) -> None:
    from kouiki.identity.services.tokens import ensure_demo_token, hash_token

    assert ensure_demo_token(user=retailer_a.user, raw="demo-x") is True
    assert ensure_demo_token(user=retailer_a.user, raw="demo-x") is False
    demo = ApiToken.objects.filter(token_hash=hash_token("demo-x"))
    demo.update(revoked_at="2026-01-01T00:00:00+09:00")
    ensure_demo_token(user=retailer_a.user, raw="demo-x")
    assert demo.get().revoked_at is None


@pytest.mark.parametrize("body", ['{"reception_numbers": ["\\u0000"]}', '{"reception_numbers": ["A\x00"]}'])
def test_a_nul_in_a_json_body_is_a_422_problem_not_a_database_error(api, retailer_a, body: str) -> None:
    response = api(retailer_a.token).post("/applications/statuses", raw=body)
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


def test_an_escaped_backslash_before_u0000_is_no_nul(api, retailer_a) -> None:
    # The text \u0000 (a backslash, then "u0000") is a string like any other: refused, if at
    # all, by the operation's own rules.
    response = api(retailer_a.token).post(
        "/applications/statuses", raw='{"reception_numbers": ["\\\\u0000"]}'
    )
    assert "NUL" not in response.json().get("detail", "")


def test_a_choice_error_lists_the_choices_in_japanese(api, retailer_a, points) -> None:
    response = api(retailer_a.token).post(
        "/received-cancel-forwards/HT00000000000000/decision", {"decision": "maybe"}
    )
    assert response.status_code == 422
    message = response.json()["errors"]["decision"][0]
    assert "'ok'、'ng'" in message and " or " not in message
