"""How the API writes JSON (issue 17 point 17): Japanese as UTF-8, not `\\u`-escaped, and every time
in Japan time with `+09:00`, in every field (the database's UTC once came out as `Z` in some fields
and `+00:00` in the event payloads); the roots of the APIs answer a JSON index, not a 404."""

from __future__ import annotations

import re

from django.test import Client

from tests.api.conftest import API, cancel_forward_body

TIME = re.compile(r'"(\d{4}-\d\d-\d\dT[^"]+)"')


def test_times_are_japan_time_and_japanese_is_utf_8_in_every_answer(
    api, retailer_a, retailer_b, points, clock
) -> None:
    a, b = api(retailer_a.token), api(retailer_b.token)
    registered = a.post("/cancel-forwards", cancel_forward_body(points[0]), key="r1").json()
    number = registered["switch_number"]
    b.post(f"/received-cancel-forwards/{number}/decision", {"decision": "ok"}, key="d1")
    bodies = [
        a.get(f"/applications/{registered['reception_number']}").content,
        a.get(f"/cancel-forward-results/{number}", data={"purpose": "cancel_forward"}).content,
        a.get("/cancel-forward-results").content,
        b.get("/received-cancel-forwards").content,
        a.get("/events").content,
        a.get("/applications").content,
        a.get("/operators").content,
    ]
    times = [time for body in bodies for time in TIME.findall(body.decode())]
    assert len(times) > 10
    assert [time for time in times if not time.endswith("+09:00")] == []
    assert all(b"\\u" not in body for body in bodies)
    assert "広域 太郎".encode() in bodies[1]
    assert "新電力A株式会社".encode() in bodies[-1]


def test_the_roots_of_the_apis_answer_an_index_with_their_documents(db) -> None:
    client = Client()
    for root in ("/api/", "/api/switching/"):
        index = client.get(root)
        assert index.status_code == 200
        assert index["Content-Type"] == "application/json; charset=utf-8"
        assert index.json()["apis"][0]["openapi"] == f"{API}/openapi.json"
    own = client.get(f"{API}/")
    assert own.status_code == 200
    assert own.json() == {
        "title": "スイッチング支援システム API",
        "version": "1",
        "url": f"{API}/",
        "openapi": f"{API}/openapi.json",
        "docs": f"{API}/docs",
    }
    assert client.get(own.json()["docs"]).status_code == 200
    unknown = client.get("/api/capacity/")
    assert unknown.status_code == 404
    assert unknown["Content-Type"].startswith("application/problem+json")
