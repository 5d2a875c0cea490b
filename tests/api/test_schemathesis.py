"""Schemathesis runs the OpenAPI against the app (WSGI, in process): no server error, and every
answer is one the schema declares (status, content type, headers, body).

Bounded and deterministic: a few derandomized examples per operation, so it runs in `make test`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from kouiki.switching.api.api import api
from kouiki.wsgi import application
from tests.api.conftest import API, make_point, make_retailer

# What a request the schema allows may still be refused for (issue 17, point 6): the data (an unknown
# or foreign object, a name of invisible characters only, nothing to change), the time (a date
# before the operator's lead time or in the past), the state (a switch not yet decided), or a reused
# Idempotency-Key — never its form, which the schema says: a refusal of the form of a schema-valid
# request means the schema is looser than the validation, and clients generated from it fail.
BUSINESS_REFUSALS = frozenset(
    {
        "idempotency_key_reused",
        "date_in_past",
        "desired_date_too_early",
        "desired_date_too_far",
        "date_out_of_range",
        "nothing_to_change",
        "not_visible",
        "ampere_unchanged",
        "point_not_stopped",
        "point_not_in_service",
        "no_current_retailer",
        "already_current_retailer",
        "point_class_mismatch",
        "fit_not_graduated",
        "not_ampere_contract",
        "ampere_change_not_in_area",
        "not_correctable",
        "nothing_to_correct",
        "password_required",
        # 使用量情報照会: the validity counted from today (one month ahead depends on the month), and
        # the documents' contents (what a file is, read from its bytes; its size once decoded).
        "usage_validity_past",
        "usage_validity_too_long",
        "usage_document_type",
        "usage_document_empty",
        "usage_document_too_large",
        "usage_document_base64",
    }
)


# Rules of the form that JSON Schema can only say in words (the API's description does): a
# character Shift_JIS (CP932) cannot hold, a NUL, a code or name that is blank once normalized.
SAID_IN_WORDS = (
    "Shift_JIS（CP932）で表せない文字です",
    "NUL文字",
    "1文字以上で指定してください",
    # 特定地点検索 (sw_w01, sw_w14): one criterion at least, an address fragment long enough once
    # normalized, a purpose for a name search.
    "のいずれかを入力してください",
    "文字以上入力してください（空白を除く",
    "氏名で検索するときは利用目的を選択してください",
)


def _said_in_words(problem: dict[str, Any]) -> bool:
    # A refusal of the URL (a NUL in a path parameter) names no field: its detail says the rule.
    messages = [message for found in problem.get("errors", {}).values() for message in found] or [
        problem.get("detail", "")
    ]
    return bool(messages) and all(any(rule in message for rule in SAID_IN_WORDS) for message in messages)


@schemathesis.check
def schema_valid_requests_are_refused_only_for_the_business(
    ctx: Any, response: Any, case: Any
) -> bool | None:
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if not positive or response.status_code not in (400, 422):
        return None
    problem = response.json()
    if problem.get("code") not in BUSINESS_REFUSALS and not _said_in_words(problem):
        raise AssertionError(f"a request the schema allows is refused for its form: {response.text}")
    return None


CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    schema_valid_requests_are_refused_only_for_the_business,
]


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request (CONN_MAX_AGE = 0), which
    would end the test's transaction on PostgreSQL; Django's own test client does the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def caller(db: None, settings: Any, keep_connection: None) -> dict[str, str]:
    """新電力A's token; 新電力B supplies a few points, so that some requests find data."""
    settings.KOUIKI_API_RATE = "100000/m"
    a = make_retailer("9101", "新電力A株式会社")
    b = make_retailer("9102", "新電力B株式会社")
    for serial in range(1, 4):
        make_point(b.organization, serial)
    return {"Authorization": f"Bearer {a.token}"}


# The document /openapi.json serves (tests/test_openapi.py checks that it is served).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix=f"{API}/"))
schema.app = application


@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_conforms_to_its_openapi(case: Any, caller: dict[str, str]) -> None:
    case.call_and_validate(headers=caller, checks=CHECKS)
