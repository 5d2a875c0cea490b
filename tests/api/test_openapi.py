"""The OpenAPI tells the truth: operation ids from the catalog, tags by 業務, declared errors as
problem details, the Idempotency-Key on every POST; and its docs page works under the CSP."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kouiki.core import catalog
from tests.api.conftest import API


def schema() -> dict:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_openapi_is_3_1_and_served_without_a_token(db) -> None:
    assert schema()["openapi"].startswith("3.1")


def test_operation_ids_are_function_ids_and_tags_their_business(db) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(schema())]
    assert len(ids) == len(set(ids))
    for path, _method, operation in operations(schema()):
        match = re.fullmatch(r"(sw_[lhfcw]\d\d)(_[a-z_]+)?", operation["operationId"])
        assert match, operation["operationId"]
        function = catalog.get(match.group(1).upper().replace("_", "-"))
        assert function.api_operation == match.group(1)
        assert operation["tags"] == [function.business], path


def test_every_operation_is_described_in_japanese_under_its_own_title(db) -> None:
    # Issue 17 point 16: two SW-L15 operations were both titled 業務処理状況確認(複数件), and their
    # descriptions were the engineers' English docstrings.
    summaries = [operation["summary"] for _, _, operation in operations(schema())]
    assert len(summaries) == len(set(summaries)), sorted(summaries)
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    english_words = re.compile(r"\b(the|of|and|is|are|with|from|when|each)\b", re.IGNORECASE)
    for path, _method, operation in operations(schema()):
        for text in (operation["summary"], operation["description"]):
            assert japanese.search(text), (path, text)
            assert not english_words.search(text), (path, text)


def test_no_english_text_is_left_for_the_reader(db) -> None:
    # Success answers were "OK" / "Accepted", schemas carried the engineers' English docstrings and
    # fields the titles pydantic makes from their names ("Supply Point Number").
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    english: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if (
                    key in ("description", "summary")
                    and isinstance(value, str)
                    and not japanese.search(value)
                ):
                    english.append(f"{where}/{key}: {value}")
                if key == "title" and "/properties/" in where:
                    english.append(f"{where}/{key}: {value}")
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(schema(), "")
    assert english == []


def test_the_document_is_utf_8_as_is(db) -> None:
    body = Client().get(f"{API}/openapi.json").content
    assert "スイッチング支援システム API".encode() in body
    assert b"\\u" not in body


def test_a_second_operation_of_a_function_must_name_itself() -> None:
    from ninja import Router

    from kouiki.switching.api.common import operation

    with pytest.raises(ValueError, match="its own summary"):
        operation(Router(), "get", "/x", "SW-L15", suffix="x", description="説明")


def test_every_operation_declares_its_errors_as_problem_details(db) -> None:
    for path, method, operation in operations(schema()):
        responses = operation["responses"]
        assert {"401", "429"} <= set(responses), (method, path)
        if method == "post":
            assert {"400", "422"} <= set(responses), (method, path)
            headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
            assert "Idempotency-Key" in headers
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (method, path, status)
                assert response["content"]["application/problem+json"]["schema"]["$ref"].endswith(
                    "/ProblemDetails"
                )
        assert operation["security"] == [{"BearerToken": []}]
    assert set(schema()["components"]["schemas"]["ProblemDetails"]["required"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "code",
    }


def test_cancel_forward_takes_and_answers_the_agreed_names(db) -> None:
    document = schema()
    operation = document["paths"][f"{API}/cancel-forwards"]["post"]
    assert operation["operationId"] == "sw_l06"
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    fields = set(document["components"]["schemas"][ref]["properties"])
    assert {
        "supply_point_number",
        "customer_name",
        "customer_address",
        "contract_number",
        "desired_date",
    } <= fields
    answer = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "reception_number" in document["components"]["schemas"][answer]["properties"]


def test_docs_page_loads_its_assets_from_this_site_under_the_csp(db) -> None:
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "<script>" not in html  # no inline script: the CSP would block it
