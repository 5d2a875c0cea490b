"""The API's hot path: what a token stands for is cached per process (any change to it is seen on the
very next request), and a status read loads only what it answers."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.caching import LocalCache
from kouiki.core.systems import System
from kouiki.identity.choices import OrganizationStatus
from kouiki.identity.models import ApiToken, Enrollment
from kouiki.identity.services import tokens
from tests.api.conftest import cancel_forward_body


def _token_queries(client, path: str = "/events") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, sum("identity_apitoken" in q["sql"] and "SELECT" in q["sql"] for q in queries)


def test_the_second_request_does_not_look_the_token_up_again(api, retailer_a) -> None:
    client = api(retailer_a.token)
    assert _token_queries(client) == (200, 1)
    assert _token_queries(client) == (200, 0)


def test_a_revoked_token_is_refused_on_the_very_next_request(api, retailer_a) -> None:
    client = api(retailer_a.token)
    assert client.get("/events").status_code == 200
    assert client.get("/events").status_code == 200  # served from the cache
    token = ApiToken.objects.get(user=retailer_a.user)
    tokens.revoke_token(actor=retailer_a.admin, token=token)
    response = client.get("/events")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_withdrawn_right_is_refused_on_the_very_next_request(api, retailer_a) -> None:
    client = api(retailer_a.token)
    assert client.get("/events").status_code == 200
    Enrollment.objects.filter(user=retailer_a.user, system=System.SWITCHING).delete()
    assert client.get("/events").status_code in {401, 403}


def test_a_disabled_organization_is_refused_on_the_very_next_request(api, retailer_a) -> None:
    client = api(retailer_a.token)
    assert client.get("/events").status_code == 200
    organization = retailer_a.organization
    organization.status = OrganizationStatus.WITHDRAWN
    organization.save(update_fields=["status"])
    assert not organization.is_active
    assert client.get("/events").status_code == 401


def test_another_process_sees_the_change_through_the_shared_generation(api, retailer_a) -> None:
    """Another web process is another LocalCache: its entry made before the change is not served."""
    other_process = LocalCache()
    key = (tokens.hash_token(retailer_a.token), System.SWITCHING)
    other_process.put(key, tokens.ACCESS.current(), "what the token stood for")
    assert other_process.get(key, tokens.ACCESS.current()) == "what the token stood for"
    retailer_a.user.is_active = False
    retailer_a.user.save(update_fields=["is_active"])
    assert other_process.get(key, tokens.ACCESS.current()) is None


def test_a_status_read_loads_only_what_it_answers(api, retailer_a, points) -> None:
    client = api(retailer_a.token)
    number = client.post("/cancel-forwards", cancel_forward_body(points[0])).json()["reception_number"]
    client.get(f"/applications/{number}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/applications/{number}")
    assert response.status_code == 200
    assert response.json()["supply_point_number"] == points[0]
    reads = [q["sql"] for q in queries if "switching_application" in q["sql"]]
    assert len(reads) == 1
    assert "identity_user" not in reads[0]  # not the filer's row
    assert '"switching_application"."payload"' not in reads[0]


def test_a_cancel_forward_writes_its_record_once_and_does_not_look_endpoints_up_again(
    api, retailer_a, points
) -> None:
    client = api(retailer_a.token)
    # The first one looks the token and both retailers' callback endpoints up, and makes their
    # feeds' counters; the second one is measured.
    client.post("/cancel-forwards", cancel_forward_body(points[1]), key="hot-0")
    audited = Event.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/cancel-forwards", cancel_forward_body(points[0]), key="hot-1")
    assert response.status_code == 201
    sql = [q["sql"] for q in queries]
    assert sum("core_idempotencyrecord" in q for q in sql) == 1
    assert sum("core_callbackendpoint" in q for q in sql) == 0  # cached per process
    # Every event kept: on PostgreSQL each numbered and inserted by one statement.
    appended = [q for q in sql if "core_organizationevent" in q]
    assert len(appended) == 3
    if connection.vendor == "postgresql":
        assert all("core_eventcounter" in q for q in appended)
    # Every audit row kept (the filing's and the switch's), written by one insert.
    assert sum("audit_event" in q for q in sql) == 1
    assert set(Event.objects.order_by("-id").values_list("action", flat=True)[:2]) == {
        Action.SWITCHING_APPLICATION_FILE,
        Action.SWITCHING_SWITCH_REGISTER,
    }
    assert Event.objects.count() == audited + 2


def test_many_statuses_are_one_query_of_the_columns_answered(api, retailer_a, points) -> None:
    client = api(retailer_a.token)
    numbers = [
        client.post("/cancel-forwards", cancel_forward_body(point)).json()["reception_number"]
        for point in points[:3]
    ]
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/applications/statuses", {"reception_numbers": numbers})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["application"]["status_url"] for r in results] == [
        f"/api/switching/v1/applications/{number}" for number in numbers
    ]
    assert all(r["application"]["switch_number"] for r in results)
    reads = [q["sql"] for q in queries if "switching_application" in q["sql"]]
    assert len(reads) == 1
    assert '"switching_application"."payload"' not in reads[0]
