"""特定地点検索 on the API (issue 14): `sw_w01` (GET /supply-points/search) and `sw_w14`
(GET /fit/receiving-points/search) — the screens' search, its refusals as problem details, the
customer's name only for a lawful role with a purpose, each read recorded."""

from __future__ import annotations

from typing import Any

from kouiki.identity.services import switching_users
from kouiki.switching.api.api import api as switching_api
from kouiki.switching.models import PersonalDataAccess, PointClass
from kouiki.switching.services import search
from tests.api.conftest import API, CUSTOMER_NAME, make_point


def _points(retailer_b: Any) -> tuple[str, str]:
    low = make_point(
        retailer_b.organization,
        1,
        customer_address="東京都千代田区丸の内一丁目9番2号",
        pole_number="丸の内幹12-3",
        meter={"meter_number": "03-1111-2222"},
    )
    fit = make_point(
        retailer_b.organization,
        2,
        point_class=PointClass.FIT,
        customer_address="千代田区丸の内1-9-3",
        meter={"meter_number": "03-3333-4444"},
    )
    return low, fit


def test_the_operations_are_declared_with_their_ids_and_errors() -> None:
    paths = switching_api.get_openapi_schema(path_prefix=f"{API}/")["paths"]
    low = paths[f"{API}/supply-points/search"]["get"]
    fit = paths[f"{API}/fit/receiving-points/search"]["get"]
    assert (low["operationId"], fit["operationId"]) == ("sw_w01", "sw_w14")
    for operation in (low, fit):
        assert {"200", "403", "422"} <= set(operation["responses"])
        assert "x-occto-service-id" not in operation
        assert {p["name"] for p in operation["parameters"]} >= {
            "address",
            "pole_number",
            "meter_number",
            "customer_name",
            "purpose",
        }


def test_search_by_each_key_on_each_line(api: Any, retailer_a: Any, retailer_b: Any) -> None:
    low, fit = _points(retailer_b)
    client = api(retailer_a.token)
    for params in (
        {"address": "丸の内１－９"},
        {"pole_number": "丸の内幹 １２ー３"},
        {"meter_number": "0311112222"},
    ):
        answer = client.get("/supply-points/search", data=params)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert [r["supply_point_number"] for r in body["results"]] == [low], params
        assert body["results"][0]["customer_name"] is None
        assert (body["more"], body["limit"]) == (False, search.LIMIT)
    fit_answer = client.get("/fit/receiving-points/search", data={"address": "丸の内1-9"}).json()
    assert [r["supply_point_number"] for r in fit_answer["results"]] == [fit]
    assert fit_answer["results"][0]["point_class"] == "fit"


def test_refusals_are_problem_details_naming_the_field(api: Any, retailer_a: Any) -> None:
    client = api(retailer_a.token)
    short = client.get("/supply-points/search", data={"address": "丸の"})
    assert short.status_code == 422
    assert short["Content-Type"].startswith("application/problem+json")
    assert short.json()["code"] == "address_too_short"
    assert "住所は3文字以上" in short.json()["errors"]["address"][0]
    assert client.get("/supply-points/search").json()["code"] == "search_criteria_required"
    by_name = client.get("/supply-points/search", data={"customer_name": "広域"})
    assert (by_name.status_code, by_name.json()["code"]) == (422, "purpose_required")
    switching_users.set_rights(actor=retailer_a.admin, user=retailer_a.user, functions=["SW-L14"])
    assert client.get("/supply-points/search", data={"address": "丸の内1"}).status_code == 403


def test_the_name_only_for_the_current_retailer_naming_a_purpose_and_recorded(
    api: Any, retailer_a: Any, retailer_b: Any
) -> None:
    low, _ = _points(retailer_b)
    stranger = api(retailer_a.token).get(
        "/supply-points/search", data={"meter_number": "03-1111-2222", "purpose": "point_info"}
    )
    assert stranger.json()["results"][0]["customer_name"] is None
    assert not PersonalDataAccess.objects.exists()
    own = api(retailer_b.token)
    withheld = own.get("/supply-points/search", data={"meter_number": "03-1111-2222"}).json()
    assert withheld["names_withheld"] and withheld["results"][0]["customer_name"] is None
    named = own.get(
        "/supply-points/search", data={"meter_number": "03-1111-2222", "purpose": "billing"}
    ).json()
    assert (named["results"][0]["customer_name"], named["results"][0]["lawful_role"]) == (
        CUSTOMER_NAME,
        "current",
    )
    access = PersonalDataAccess.objects.get()
    assert (access.supply_point.number, access.purpose, access.function_id) == (low, "billing", "SW-W01")
