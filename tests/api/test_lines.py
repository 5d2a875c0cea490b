"""The 高圧 and FIT lines through the API (issue 13): each operation of a 業務 served once per line
under its prefix (`/high-voltage`, `/fit`), with its own operationId and the real system's service
id, calling the one service with the line — a whole switch of each class, every class refusal
naming the function that serves the point, and the 申込種別 of each class."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kouiki.core import catalog
from kouiki.core.calendar import JST
from kouiki.switching import selectors
from kouiki.switching.models import PointClass
from kouiki.switching.services.lines import LINES, Business
from tests.api.conftest import API, cancel_forward_body, make_point, operators_work

pytestmark = pytest.mark.usefixtures("clock")

PURPOSE = {"purpose": "cancel_forward"}


def openapi() -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations_by_id(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        operation["operationId"]: (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


@pytest.mark.parametrize(
    ("point_class", "prefix", "types"),
    [(PointClass.HIGH, "/high-voltage", ("05", "03")), (PointClass.FIT_GRADUATED, "/fit", ("16", "14"))],
)
def test_sw_h04_to_h09_and_sw_f04_to_f09_a_whole_switch_through_the_api(
    api, retailer_a, retailer_b, clock, point_class: str, prefix: str, types: tuple[str, str]
) -> None:
    a, b = api(retailer_a.token), api(retailer_b.token)
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    registered = a.post(f"{prefix}/cancel-forwards", cancel_forward_body(point), key="r1")
    assert registered.status_code == 201, registered.content
    body = registered.json()
    switch_number = body["switch_number"]
    assert (body["business"], body["application_type"], body["point_class"]) == (
        "cancel_forward",
        None,
        point_class,
    )
    # Its status is read on its own line.
    assert registered["Location"] == f"{API}{prefix}/applications/{body['reception_number']}"

    # The current retailer sees it on the line's list (and not on the low-voltage one), reads the
    # identification and decides.
    waiting = b.get(f"{prefix}/received-cancel-forwards", data={"state": "requested"}).json()
    assert [s["switch_number"] for s in waiting["switches"]] == [switch_number]
    assert b.get("/received-cancel-forwards").json()["count"] == 0
    detail = b.get(f"{prefix}/received-cancel-forwards/{switch_number}", data=PURPOSE).json()
    assert detail["customer_name"] == "広域 太郎" and detail["point_class"] == point_class
    decided = b.post(f"{prefix}/received-cancel-forwards/{switch_number}/decision", {"decision": "ok"})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert a.get(f"{prefix}/cancel-forward-results/{switch_number}", data=PURPOSE).json()["decision"] == "ok"
    assert [s["switch_number"] for s in a.get(f"{prefix}/cancel-forward-results").json()["switches"]] == [
        switch_number
    ]

    start = a.post(f"{prefix}/switch-starts", {"switch_number": switch_number, "contract_number": "A-0001"})
    abolish = b.post(f"{prefix}/switch-abolitions", {"switch_number": switch_number})
    assert start.status_code == abolish.status_code == 202, (start.content, abolish.content)
    assert (start.json()["application_type"], abolish.json()["application_type"]) == types
    assert start["Location"].startswith(f"{API}{prefix}/applications/")
    matched = a.get(f"{prefix}/cancel-forward-results/{switch_number}", data=PURPOSE).json()
    assert matched["state"] == "matched"

    operators_work()
    switching_date = date.fromisoformat(matched["switching_date"])
    clock.move_to(datetime.combine(switching_date, time(0, 5), tzinfo=JST))
    operators_work()
    status = a.get(start["Location"].removeprefix(API))
    assert status.status_code == 200 and status.json()["state"] == "completed"
    assert selectors.current(point).retailer_id == retailer_a.organization.pk
    numbers = [start.json()["reception_number"]]
    many = a.post(f"{prefix}/applications/statuses", {"reception_numbers": numbers})
    assert many.json()["results"][0]["application"]["state"] == "completed"


def test_sw_f04_a_fit_point_is_refused_it_is_not_fit_graduated(api, retailer_a, retailer_b) -> None:
    point = make_point(retailer_b.organization, 1, point_class=PointClass.FIT)
    refused = api(retailer_a.token).post("/fit/cancel-forwards", cancel_forward_body(point))
    assert refused.status_code == 422
    assert refused.json()["code"] == "fit_not_graduated"
    assert "FIT卒業電源の受電地点のみ" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("point_class", "path", "right"),
    [
        (PointClass.HIGH, "/cancel-forwards", "SW-H04"),
        (PointClass.LOW, "/high-voltage/cancel-forwards", "SW-L06"),
        (PointClass.FIT_GRADUATED, "/high-voltage/cancel-forwards", "SW-F04"),
        (PointClass.HIGH, "/fit/cancel-forwards", "SW-H04"),
    ],
)
def test_a_point_of_another_class_is_refused_naming_the_function_that_serves_it(
    api, retailer_a, retailer_b, point_class: str, path: str, right: str
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    refused = api(retailer_a.token).post(path, cancel_forward_body(point))
    assert refused.status_code == 422
    assert refused.json()["code"] == "point_class_mismatch"
    assert f"（{right}）" in refused.json()["detail"]


def test_sw_h01_usage_passwords_serve_500_kw_points_too(api, retailer_a, retailer_b) -> None:
    a = api(retailer_a.token)
    point = make_point(retailer_b.organization, 1, point_class=PointClass.HIGH_LARGE)
    filed = a.post("/high-voltage/usage-passwords", {"supply_point_number": point, "purpose": "point_info"})
    assert filed.status_code == 202, filed.content
    body = filed.json()
    assert (body["application_type"], body["point_class"]) == ("08", PointClass.HIGH_LARGE)
    assert a.get(f"/high-voltage/applications/{body['reception_number']}").status_code == 200
    # The low-voltage operation names the one that serves it.
    refused = a.post("/usage-passwords", {"supply_point_number": point, "purpose": "point_info"})
    assert refused.status_code == 422 and "（SW-H01）" in refused.json()["detail"]


def test_sw_h11_the_status_of_a_high_voltage_application_is_read_on_its_line(
    api, retailer_a, retailer_b
) -> None:
    a = api(retailer_a.token)
    point = make_point(retailer_b.organization, 1, point_class=PointClass.HIGH)
    number = a.post("/high-voltage/cancel-forwards", cancel_forward_body(point)).json()["reception_number"]
    refused = a.get(f"/applications/{number}")
    assert refused.status_code == 422
    assert refused.json()["code"] == "point_class_mismatch" and "（SW-H11）" in refused.json()["detail"]
    assert a.get(f"/high-voltage/applications/{number}").json()["reception_number"] == number
    # The many-status of another line does not find it; the lists show each line's own.
    found = a.post("/applications/statuses", {"reception_numbers": [number]}).json()["results"]
    assert found == [{"reception_number": number, "found": False, "application": None}]
    assert a.get("/applications").json()["count"] == 0
    assert [x["reception_number"] for x in a.get("/high-voltage/applications").json()["applications"]] == [
        number
    ]
    # Its correction too is its line's (SW-H04), not the low-voltage one's.
    refused = a.post(f"/cancel-forwards/{number}/correction", {"desired_date": "2026-12-25"})
    assert refused.status_code == 422 and "（SW-H04）" in refused.json()["detail"]
    cancelled = a.post(f"/high-voltage/cancel-forwards/{number}/cancellation")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_sw_f03_and_sw_h03_abolitions_carry_the_application_type_of_the_class(api, retailer_b) -> None:
    b = api(retailer_b.token)
    fit = make_point(retailer_b.organization, 1, point_class=PointClass.FIT)
    graduated = make_point(retailer_b.organization, 2, point_class=PointClass.FIT_GRADUATED)
    high = make_point(retailer_b.organization, 3, point_class=PointClass.HIGH)
    without = b.post("/fit/abolitions", {"supply_point_number": fit})
    with_removal = b.post("/fit/abolitions", {"supply_point_number": graduated, "removal": True})
    high_voltage = b.post("/high-voltage/abolitions", {"supply_point_number": high})
    assert [r.status_code for r in (without, with_removal, high_voltage)] == [202, 202, 202]
    assert [r.json()["application_type"] for r in (without, with_removal, high_voltage)] == ["12", "13", "02"]
    assert [r.json()["business"] for r in (without, with_removal, high_voltage)] == [
        "abolish",
        "abolish_with_removal",
        "abolish_with_removal",
    ]
    # The FIT list filters by 申込種別, 業務 and the old kind code alike.
    for query in ({"application_type": "13"}, {"business": "abolish_with_removal"}, {"kind": "13"}):
        listed = b.get("/fit/applications", data=query).json()["applications"]
        assert [x["reception_number"] for x in listed] == [with_removal.json()["reception_number"]], query


def test_sw_f10_the_generator_change_is_the_fit_lines_customer_change(api, retailer_b) -> None:
    point = make_point(retailer_b.organization, 1, point_class=PointClass.FIT)
    changed = api(retailer_b.token).post(
        "/fit/customer-changes", {"supply_point_number": point, "customer_name": "広域 花子"}
    )
    assert changed.status_code == 202, changed.content
    assert (changed.json()["application_type"], changed.json()["kind_name"]) == ("17", "発電者情報変更")


def test_every_high_voltage_and_fit_operation_of_the_catalog_is_served_with_its_service_id(db) -> None:
    served = operations_by_id(openapi())
    declared = [
        function
        for function in catalog.functions()
        if function.id.startswith(("SW-H", "SW-F")) and function.api_operation
    ]
    assert len(declared) == 24
    for function in declared:
        assert function.api_operation in served, function.id
    for line in LINES.values():
        for business, function_id in line.functions.items():
            _method, path, operation = served[catalog.get(function_id).api_operation or ""]
            assert path.startswith(f"{API}{line.api_prefix}/"), function_id
            assert operation.get("x-occto-service-id") == line.service_id(business), function_id
    # The real ids, as integrators know them; 業務処理状況確認 stands for every IF_xx20 and has none.
    assert served["sw_h04"][2]["x-occto-service-id"] == "IS_K20110"
    assert served["sw_f06_correct"][2]["x-occto-service-id"] == "IF_F10610"
    assert served["sw_l06"][2]["x-occto-service-id"] == "IS_20110"
    assert "x-occto-service-id" not in served["sw_h11"][2]
    assert LINES["high"].service_id(Business.STATUS) is None


def test_each_line_takes_its_inputs_in_its_own_words(db) -> None:
    document = openapi()
    schemas = document["components"]["schemas"]

    def body(path: str) -> dict[str, Any]:
        content = document["paths"][f"{API}{path}"]["post"]["requestBody"]["content"]
        return schemas[content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]

    assert body("/fit/cancel-forwards")["supply_point_number"]["description"].startswith("受電地点特定番号")
    assert body("/fit/cancel-forwards")["customer_name"]["description"].startswith("発電者")
    assert body("/cancel-forwards")["supply_point_number"]["description"].startswith("供給地点特定番号")
    assert "removal" not in body("/high-voltage/abolitions")
    assert "13 廃止（撤去あり）" in body("/fit/abolitions")["removal"]["description"]
    fit = document["paths"][f"{API}/fit/cancel-forwards"]["post"]["description"]
    assert "発電者の本人確認情報" in fit and "受電地点の登録" in fit
    switch = document["paths"][f"{API}/fit/switch-starts"]["post"]["description"]
    assert "低圧FIT卒業電源の受電地点のみが対象です" in switch


def test_the_api_guide_maps_every_service_id_as_the_openapi_does(db) -> None:
    guide = (Path(settings.BASE_DIR) / "docs" / "guide" / "api.md").read_text(encoding="utf-8")
    mapped = {
        (method.lower(), f"{API}{path}", operation_id): service_id
        for service_id, cell in re.findall(r"^\| `(I[FS]_\w+)` \|[^|]*\|[^|]*\| (.+) \|$", guide, re.M)
        for method, path, operation_id in re.findall(r"`(GET|POST) (\S+)` `(\w+)`", cell)
    }
    served = {
        (method, path, operation["operationId"]): operation["x-occto-service-id"]
        for path, methods in openapi()["paths"].items()
        for method, operation in methods.items()
        if "x-occto-service-id" in operation
    }
    assert mapped == served
