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

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
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
