"""The switching functions through the API: the same services as the web, each refusal as a
problem, and the whole switch ending with the registry changed."""

from __future__ import annotations

from datetime import datetime

import pytest

from kouiki.core.calendar import JST
from kouiki.switching import selectors
from kouiki.switching.models import PersonalDataAccess
from tests.api.conftest import API, cancel_forward_body, make_point, operators_work
from tests.factories import participant


def register(api, retailer, number):
    response = api(retailer.token).post("/cancel-forwards", cancel_forward_body(number), key=f"reg-{number}")
    assert response.status_code == 201, response.content
    return response.json()


def test_sw_l06_to_l11_the_whole_switch_through_the_api(api, retailer_a, retailer_b, points, clock) -> None:
    a, b = api(retailer_a.token), api(retailer_b.token)
    registered = register(api, retailer_a, points[0])
    switch_number = registered["switch_number"]
    assert registered["deadline"]

    # SW-L09: 新電力B sees it waiting, with the identification (a recorded read).
    waiting = b.get("/received-cancel-forwards", data={"state": "requested"}).json()
    assert [s["switch_number"] for s in waiting["switches"]] == [switch_number]
    detail = b.get(f"/received-cancel-forwards/{switch_number}", data={"purpose": "cancel_forward"}).json()
    assert detail["customer_name"] == "広域 太郎"
    assert PersonalDataAccess.objects.filter(
        organization=retailer_b.organization, function_id="SW-L09"
    ).exists()

    # SW-L10: OK. SW-L07: 新電力A sees it.
    decided = b.post(f"/received-cancel-forwards/{switch_number}/decision", {"decision": "ok"}, key="d1")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    result = a.get(f"/cancel-forward-results/{switch_number}", data={"purpose": "cancel_forward"})
    assert result.json()["decision"] == "ok"

    # SW-L08 and SW-L11: 202 with the status URL; the pair is matched.
    start = a.post("/switch-starts", {"switch_number": switch_number, "contract_number": "A-0001"}, key="s1")
    assert start.status_code == 202
    assert start["Location"] == start.json()["status_url"]
    assert start["Location"].startswith(f"{API}/applications/")
    abolish = b.post("/switch-abolitions", {"switch_number": switch_number}, key="a1")
    assert abolish.status_code == 202
    result = a.get(f"/cancel-forward-results/{switch_number}", data={"purpose": "cancel_forward"})
    assert result.json()["state"] == "matched"

    # Matched: a correction is refused clearly.
    refused = a.post(
        f"/switch-starts/{start.json()['reception_number']}/correction", {"contract_number": "A-9"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "locked_after_matching"

    operators_work()
    clock.move_to(datetime(2026, 11, 10, 0, 5, tzinfo=JST))
    operators_work()
    status = a.get(start["Location"].removeprefix(API)).json()
    assert status["state"] == "completed"
    assert selectors.current(points[0]).retailer_id == retailer_a.organization.pk

    # The feed told 新電力A every step; the last application event says completed.
    feed = a.get("/events", data={"limit": 1000}).json()["events"]
    completed = [
        e
        for e in feed
        if e["topic"] == "application.updated" and e["reference"] == status["reception_number"]
    ]
    assert completed[-1]["payload"]["state"] == "completed"


def test_sw_l10_ng_needs_a_reason_and_text(api, retailer_a, retailer_b, points, clock) -> None:
    switch_number = register(api, retailer_a, points[0])["switch_number"]
    b = api(retailer_b.token)
    refused = b.post(f"/received-cancel-forwards/{switch_number}/decision", {"decision": "ng"})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"ng_reasons", "ng_text"}
    ng = b.post(
        f"/received-cancel-forwards/{switch_number}/decision",
        {"decision": "ng", "ng_reason": "02", "ng_text": "需要者から継続の申出"},
    ).json()
    assert (ng["state"], ng["ng_reason"]) == ("rejected", "02")
    result = (
        api(retailer_a.token)
        .get(f"/cancel-forward-results/{switch_number}", data={"purpose": "cancel_forward"})
        .json()
    )
    assert (
        result["ng_reason_name"].startswith("需要者から契約継続")
        and result["ng_text"] == "需要者から継続の申出"
    )
    [application] = result["applications"]
    assert application["state"] == "defective" and application["error_code"] == "cancel_forward_ng"


def test_sw_l06_correct_and_cancel_under_the_same_number(api, retailer_a, retailer_b, points, clock) -> None:
    registered = register(api, retailer_a, points[0])
    a = api(retailer_a.token)
    number = registered["reception_number"]
    corrected = a.post(f"/cancel-forwards/{number}/correction", {"desired_date": "2026-12-10"})
    assert corrected.status_code == 200, corrected.content
    assert (corrected.json()["revision"], corrected.json()["desired_date"]) == (1, "2026-12-10")
    wrong = a.post(f"/cancel-forwards/{number}/correction", {"customer_name": "\u200b"})
    assert wrong.status_code == 422 and "customer_name" in wrong.json()["errors"]
    cancelled = a.post(f"/cancel-forwards/{number}/cancellation")
    assert cancelled.json()["state"] == "cancelled"
    # The point is free again.
    assert api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0])).status_code == 201


def test_another_organizations_objects_are_404(api, retailer_a, retailer_b, points, clock) -> None:
    registered = register(api, retailer_a, points[0])
    b = api(retailer_b.token)
    purpose = {"purpose": "cancel_forward"}
    assert b.get(f"/cancel-forward-results/{registered['switch_number']}", data=purpose).status_code == 404
    # Each side reads a switch only under its own function: the new retailer not as 現小売.
    received = f"/received-cancel-forwards/{registered['switch_number']}"
    assert api(retailer_a.token).get(received, data=purpose).status_code == 404
    assert b.get(received, data=purpose).status_code == 200
    assert b.post(f"/cancel-forwards/{registered['reception_number']}/cancellation").status_code == 404
    assert b.get(f"/facility-inquiries/{registered['reception_number']}").status_code == 404
    # The filer's own number of another kind is "not found" under another function too.
    assert (
        api(retailer_a.token)
        .post(f"/switch-starts/{registered['reception_number']}/cancellation")
        .status_code
        == 404
    )
    assert (
        api(retailer_a.token)
        .get(f"/received-cancel-forwards/{registered['switch_number']}", data=purpose)
        .status_code
        == 404
    )


def test_a_user_without_the_right_gets_403(api, retailer_a, points) -> None:
    retailer_a.user.enrollments.all().delete()
    response = api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0]))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_sw_l01_facility_inquiry_result_hides_basic_info_from_a_stranger(
    api, retailer_a, retailer_b, points, clock
) -> None:
    accepted = api(retailer_a.token).post(
        "/facility-inquiries", {"supply_point_number": points[0], "purpose": "point_info"}
    )
    assert accepted.status_code == 202
    mine = api(retailer_b.token).post(
        "/facility-inquiries", {"supply_point_number": points[0], "purpose": "point_info"}
    )
    operators_work()
    theirs = api(retailer_a.token).get(f"/facility-inquiries/{accepted.json()['reception_number']}").json()
    own = api(retailer_b.token).get(f"/facility-inquiries/{mine.json()['reception_number']}").json()
    assert theirs["application"]["state"] == own["application"]["state"] == "completed"
    assert own["result"]["facility"]["supply_point_number"] == points[0]
    assert not {"customer_name", "customer_address", "contract_number"} & set(theirs["result"]["facility"])


def test_sw_l01_customer_info_only_to_a_lawful_reader(api, retailer_a, retailer_b, points) -> None:
    path = f"/supply-points/{points[0]}/customer"
    assert api(retailer_a.token).get(path, data={"purpose": "point_info"}).status_code == 404
    own = api(retailer_b.token).get(path, data={"purpose": "point_info"})
    assert own.json()["customer_name"] == "広域 太郎" and own.json()["lawful_role"] == "current"
    assert api(retailer_b.token).get(path).status_code == 422  # the purpose is required


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/ampere-changes", {"current_limit_a": 40}, 422, "ampere_change_not_in_area"),
        ("/reconnections", {}, 403, "not_current_retailer"),
        ("/abolitions", {"removal": True}, 403, "not_current_retailer"),
        ("/customer-changes", {"customer_name": "新しい 名前"}, 403, "not_current_retailer"),
    ],
)
def test_changes_by_someone_else_or_in_the_wrong_area_are_refused(
    api, retailer_a, retailer_b, path, body, status, code
) -> None:
    kansai = make_point(retailer_b.organization, 50, area="06")
    response = api(retailer_a.token).post(path, {"supply_point_number": kansai, **body})
    assert response.status_code == status
    assert response.json()["code"] == code


def test_changes_by_the_current_retailer_answer_202(api, retailer_b, points, clock) -> None:
    b = api(retailer_b.token)
    ampere = b.post("/ampere-changes", {"supply_point_number": points[0], "current_limit_a": 40})
    change = b.post("/customer-changes", {"supply_point_number": points[1], "customer_phone": "03-9999-0000"})
    assert ampere.status_code == change.status_code == 202
    assert ampere.json()["kind"] == "06" and change.json()["kind"] == "07"


def test_a_bad_number_format_is_refused_naming_the_field(api, retailer_a, db) -> None:
    response = api(retailer_a.token).post(
        "/facility-inquiries", {"supply_point_number": "03-12", "purpose": "point_info"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["supply_point_number"]


def test_sw_l15_many_numbers_in_the_order_given(api, retailer_a, retailer_b, points, clock) -> None:
    numbers = [register(api, retailer_a, point)["reception_number"] for point in points[:3]]
    answer = api(retailer_a.token).post(
        "/applications/statuses", {"reception_numbers": [numbers[2], "NOPE", numbers[0]]}
    )
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [(r["reception_number"], r["found"]) for r in results] == [
        (numbers[2], True),
        ("NOPE", False),
        (numbers[0], True),
    ]
    too_many = api(retailer_a.token).post("/applications/statuses", {"reception_numbers": ["x"] * 1001})
    assert too_many.status_code == 422
    # Another organization's numbers are not found.
    theirs = api(retailer_b.token).post("/applications/statuses", {"reception_numbers": numbers}).json()
    assert not any(r["found"] for r in theirs["results"])


def test_csv_of_ones_applications_has_the_switch_number_and_error_reason(
    api, retailer_a, retailer_b, points, clock
) -> None:
    switch_number = register(api, retailer_a, points[0])["switch_number"]
    api(retailer_b.token).post(
        f"/received-cancel-forwards/{switch_number}/decision",
        {"decision": "ng", "ng_reason": "99", "ng_text": "その他の理由"},
    )
    response = api(retailer_a.token).get("/applications.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert "廃止取次番号" in header and "不備内容" in header
    assert switch_number in row and "その他の理由" in row
    assert api(retailer_b.token).get("/applications.csv").content.decode("utf-8-sig").count("\r\n") == 1


def test_sw_c01_lists_the_organizations_using_the_system(api, retailer_a, retailer_b) -> None:
    operators = api(retailer_a.token).get("/operators").json()["operators"]
    assert [o["code"] for o in operators] == ["9101", "9102"]


LISTS = [
    ("a", "/applications"),
    ("a", "/cancel-forward-results"),
    ("b", "/received-cancel-forwards"),
    ("a", "/events"),
    ("a", "/callbacks/deliveries"),
    ("a", "/applications.csv"),
]


def test_many_statuses_do_not_grow_their_queries(api, retailer_a, retailer_b, clock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    numbers = [
        register(api, retailer_a, make_point(retailer_b.organization, serial))["reception_number"]
        for serial in range(30, 33)
    ]
    client = api(retailer_a.token)
    client.get("/events")
    with CaptureQueriesContext(connection) as few:
        client.post("/applications/statuses", {"reception_numbers": numbers[:1]})
    with CaptureQueriesContext(connection) as many:
        client.post("/applications/statuses", {"reception_numbers": numbers})
    assert len(many) == len(few)


def test_lists_do_not_grow_their_queries_with_rows(api, retailer_a, retailer_b, clock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {"a": api(retailer_a.token), "b": api(retailer_b.token)}

    def counts() -> list[int]:
        found = []
        for who, path in LISTS:
            with CaptureQueriesContext(connection) as queries:
                assert clients[who].get(path).status_code == 200
            found.append(len(queries))
        return found

    register(api, retailer_a, make_point(retailer_b.organization, 10))
    counts()  # first calls write the tokens' last use and start the rate counts
    few = counts()
    for serial in range(11, 23):
        register(api, retailer_a, make_point(retailer_b.organization, serial))
    assert counts() == few


def test_dr_contractor_style_user_of_another_system_is_not_let_in(api, retailer_a, db) -> None:
    member_only = participant(organization=retailer_a.organization, login_id="mem001")
    from kouiki.identity.services.tokens import ensure_demo_token

    ensure_demo_token(user=member_only, raw="member-token")
    assert api("member-token").get("/events").status_code == 403
