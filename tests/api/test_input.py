"""Issue 17 (6, 8, 13): the API takes what people type as the web does, and its OpenAPI document says
what its validation enforces, so that clients generated from it send what is accepted."""

from __future__ import annotations

from django.test import Client

from kouiki.core.api import IDEMPOTENCY_KEY_PATTERN
from kouiki.core.japanese import SUPPLY_POINT_NUMBER_PATTERN
from kouiki.switching.models import Application, Switch
from kouiki.switching.services.applications import AMPERES
from tests.api.conftest import API, cancel_forward_body

FIRE = "「🔥」は使用できません（Shift_JIS（CP932）で表せない文字です）。"


def document() -> dict:
    return Client().get(f"{API}/openapi.json").json()


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, methods in schema["paths"].items() for method, op in methods.items()]


def parameter(operation: dict, name: str) -> dict:
    return next(p for p in operation["parameters"] if p["name"] == name)


def body_schema(schema: dict, path: str) -> dict:
    reference = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][reference.rsplit("/", 1)[1]]


# --- point 6: the schema says what the validation enforces -------------------------------------------


def test_every_operation_declares_400_and_every_post_the_idempotency_key_pattern(db) -> None:
    schema = document()
    for path, method, operation in operations(schema):
        assert "400" in operation["responses"], (method, path)
        if method == "post":
            key = parameter(operation, "Idempotency-Key")["schema"]
            assert key["pattern"] == IDEMPOTENCY_KEY_PATTERN, path


def test_numbers_dates_and_amperes_are_declared_as_validated(db) -> None:
    schema = document()
    items = body_schema(schema, "/api/switching/v1/applications/statuses")["properties"]["reception_numbers"]
    assert (items["items"]["minLength"], items["items"]["maxLength"]) == (1, 16)
    inquiry = body_schema(schema, "/api/switching/v1/facility-inquiries")["properties"]["supply_point_number"]
    assert inquiry["pattern"] == SUPPLY_POINT_NUMBER_PATTERN
    ampere = body_schema(schema, "/api/switching/v1/ampere-changes")["properties"]["current_limit_a"]
    assert ampere["enum"] == list(AMPERES)
    listing = schema["paths"]["/api/switching/v1/applications"]["get"]
    date_to = parameter(listing, "date_to")["schema"]
    assert {"type": "string", "format": "date"} in date_to["anyOf"]
    single = schema["paths"]["/api/switching/v1/applications/{reception_number}"]["get"]
    assert parameter(single, "reception_number")["schema"]["maxLength"] == 16


def test_a_date_written_as_a_number_is_refused_not_taken_for_1970(api, retailer_a) -> None:
    a = api(retailer_a.token)
    for query in ("date_to=0", "date_from=1700000000", "date_to=2026/11/20"):
        refused = a.get(f"/applications?{query}")
        assert refused.status_code == 422, query
        assert refused.json()["errors"][query.split("=")[0]] == [
            "日付は YYYY-MM-DD の形式で指定してください。"
        ]
    assert a.get("/applications?date_to=2026-11-20").status_code == 200


def test_an_empty_or_too_long_reception_number_in_a_list_is_refused(api, retailer_a) -> None:
    a = api(retailer_a.token)
    for number in ("", "1" * 17):
        refused = a.post("/applications/statuses", {"reception_numbers": ["2026112000000001", number]})
        assert refused.status_code == 422
        assert list(refused.json()["errors"]) == ["reception_numbers.1"]


# --- point 8: CP932 -------------------------------------------------------------------------------------


def test_a_name_cp932_cannot_hold_is_refused_naming_the_character(api, retailer_a, points, clock) -> None:
    refused = api(retailer_a.token).post(
        "/cancel-forwards", cancel_forward_body(points[0], customer_name="広域 太郎🔥")
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"customer_name": [FIRE]}
    assert not Switch.objects.exists()


# --- point 13: full-width codes -------------------------------------------------------------------------


def test_full_width_numbers_are_the_same_numbers(api, retailer_a, retailer_b, points, clock) -> None:
    a, b = api(retailer_a.token), api(retailer_b.token)
    registered = a.post("/cancel-forwards", cancel_forward_body(points[0], contract_number="Ｂ－０００１"))
    assert registered.status_code == 201, registered.content
    switch_number, reception_number = (
        registered.json()["switch_number"],
        registered.json()["reception_number"],
    )
    wide = switch_number.lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert b.post(f"/received-cancel-forwards/{wide}/decision", {"decision": "ok"}).status_code == 200

    started = a.post("/switch-starts", {"switch_number": wide, "contract_number": "Ａ－９００１"})

    assert started.status_code == 202, started.content
    start = Application.objects.get(reception_number=started.json()["reception_number"])
    assert start.payload["contract_number"] == "A-9001"
    wide_number = reception_number.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    assert a.get(f"/applications/{wide_number}").json()["reception_number"] == reception_number
    found = a.post("/applications/statuses", {"reception_numbers": [wide_number]}).json()
    assert found["results"][0]["found"] is True


def test_an_optional_code_blank_once_normalized_is_refused_as_a_text(
    api, retailer_a, retailer_b, points, clock
) -> None:
    a = api(retailer_a.token)
    reception_number = a.post("/cancel-forwards", cancel_forward_body(points[0])).json()["reception_number"]

    refused = a.post(f"/cancel-forwards/{reception_number}/correction", {"contract_number": "\u3000"})

    assert refused.status_code == 422
    assert refused.json()["errors"] == {"contract_number": ["1文字以上で指定してください。"]}
