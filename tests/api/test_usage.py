"""使用量情報照会 over the API (SW-L02 / SW-L03, SW-H01 / SW-H02; ADR 29): the password in the answer to
the filer's application (`GET /usage-passwords/{reception_number}`, another organization 404), the
validity chosen in the body, identity documents as base64 in the JSON body (checked by content),
a second retailer's retrieval with the first one's password, the months before a change of the
contract holder withheld, and a DR contractor doing it all."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pytest

from kouiki.core.calendar import JST
from kouiki.identity.services.tokens import ensure_demo_token
from kouiki.switching.models import PersonalDataAccess, PointClass, SupplyPoint
from kouiki.switching.services.registry import record_version
from tests.api.conftest import make_point, make_retailer, operators_work
from tests.factories import OrganizationFactory, dr_contractor_user

pytestmark = pytest.mark.usefixtures("clock")
PDF = b"%PDF-1.4\n%identity\n"
GIF = b"GIF87a\x01\x00\x01\x00\x00\x00\x00;"
EXE = b"MZ\x90\x00" + b"\x00" * 60


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _apply(client: Any, point: str, prefix: str = "", **body: Any) -> Any:
    return client.post(
        f"{prefix}/usage-passwords", {"supply_point_number": point, "purpose": "point_info", **body}
    )


@pytest.mark.parametrize(
    ("prefix", "point_class", "function"),
    [("", PointClass.LOW, "SW-L02"), ("/high-voltage", PointClass.EXTRA_HIGH, "SW-H01")],
)
def test_the_password_is_in_the_filers_answer_only(
    api: Any, retailer_a: Any, retailer_b: Any, prefix: str, point_class: str, function: str
) -> None:
    a, b = api(retailer_a.token), api(retailer_b.token)
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    filed = _apply(
        a,
        point,
        prefix,
        valid_until="2026-11-30",
        documents=[{"name": "保険証.gif", "content_base64": b64(GIF)}],
    )
    assert filed.status_code == 202, filed.content
    number = filed.json()["reception_number"]
    # The JSON body without the new fields still works.
    assert _apply(a, point, prefix).status_code == 202

    waiting = a.get(f"{prefix}/usage-passwords/{number}").json()
    assert waiting["result"] == {} and waiting["application"]["state"] == "received"
    operators_work()
    answer = a.get(f"{prefix}/usage-passwords/{number}")
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["result"]["password"]) == 10 and body["result"]["valid_until"] == "2026-11-30"
    assert body["result"]["expires_at"] == "2026-12-01T00:00:00+09:00"
    assert [(d["name"], d["content_type"], d["size"]) for d in body["documents"]] == [
        ("保険証.gif", "image/gif", len(GIF))
    ]
    assert "content_base64" not in answer.content.decode() and "data" not in body["documents"][0]
    assert PersonalDataAccess.objects.get(reference=number).function_id == function

    assert b.get(f"{prefix}/usage-passwords/{number}").status_code == 404
    assert b.get(f"{prefix}/applications/{number}").status_code == 404
    # The status answer itself carries no password.
    assert body["result"]["password"] not in a.get(f"{prefix}/applications/{number}").content.decode()


def test_validity_beyond_one_month_is_refused_in_japanese(api: Any, retailer_a: Any, retailer_b: Any) -> None:
    a = api(retailer_a.token)
    point = make_point(retailer_b.organization, 1)
    refused = _apply(a, point, valid_until="2026-12-03")
    assert refused.status_code == 422
    assert refused.json()["code"] == "usage_validity_too_long"
    assert "1か月以内（2026年12月02日まで）" in refused.json()["detail"]
    assert _apply(a, point, valid_days=31).json()["code"] == "usage_validity_too_long"
    assert _apply(a, point, valid_days=30).status_code == 202


def test_documents_are_checked_by_their_content(api: Any, retailer_a: Any, retailer_b: Any) -> None:
    a = api(retailer_a.token)
    point = make_point(retailer_b.organization, 1)
    renamed = _apply(a, point, documents=[{"name": "免許証.pdf", "content_base64": b64(EXE)}])
    assert renamed.status_code == 422 and renamed.json()["code"] == "usage_document_type"
    assert "「免許証.pdf」" in renamed.json()["detail"]
    too_big = b"%PDF-" + b"0" * (1024 * 1024 + 1 - 5)
    large = _apply(a, point, documents=[{"name": "大.pdf", "content_base64": b64(too_big)}])
    assert large.status_code == 422
    garbled = _apply(a, point, documents=[{"name": "壊.pdf", "content_base64": "%%%"}])
    assert garbled.status_code == 422 and "「壊.pdf」" in garbled.json()["detail"]
    fine = _apply(
        a,
        point,
        documents=[
            {"name": "a.gif", "content_base64": b64(GIF)},
            {"name": "b.pdf", "content_base64": b64(PDF)},
        ],
    )
    assert fine.status_code == 202


def test_a_second_retailer_retrieves_with_the_first_ones_password_until_it_expires(
    api: Any, retailer_a: Any, retailer_b: Any, clock: Any
) -> None:
    a = api(retailer_a.token)
    c_retailer = make_retailer("9103", "新電力C株式会社")
    c = api(c_retailer.token)
    point = make_point(retailer_b.organization, 1, point_class=PointClass.HIGH)
    supply_point = SupplyPoint.objects.get(number=point)
    record_version(
        supply_point=supply_point,
        valid_from=datetime(2026, 8, 20, tzinfo=JST),
        customer_name="豊洲工業株式会社",
    )
    number = _apply(a, point, "/high-voltage", valid_days=5).json()["reception_number"]
    operators_work()
    password = a.get(f"/high-voltage/usage-passwords/{number}").json()["result"]["password"]

    retrieval = c.post(
        "/high-voltage/usage-retrievals",
        {"supply_point_number": point, "password": password, "purpose": "point_info"},
    )
    assert retrieval.status_code == 202, retrieval.content
    operators_work()
    read = c.get(f"/high-voltage/usage-retrievals/{retrieval.json()['reception_number']}").json()
    usage = read["result"]["usage"]
    assert [m["month"] for m in usage["monthly"]] == ["2026-09", "2026-10"]
    assert usage["withheld_before"] == "2026-09-01" and "2026年08月20日" in usage["notice"]
    assert "documents" not in read["result"]

    clock.move_to(datetime(2026, 11, 8, 0, 0, tzinfo=JST))
    late = c.post(
        "/high-voltage/usage-retrievals",
        {"supply_point_number": point, "password": password, "purpose": "point_info"},
    )
    operators_work()
    state = c.get(f"/high-voltage/usage-retrievals/{late.json()['reception_number']}").json()["application"]
    assert (state["state"], state["error_code"]) == ("defective", "usage_password_expired")


def test_a_dr_contractor_applies_with_documents_and_retrieves(api: Any, retailer_b: Any) -> None:
    organization = OrganizationFactory(code="9401", name="デマンドレスポンス株式会社")
    ensure_demo_token(user=dr_contractor_user(organization=organization), raw="test-9401")
    dr = api("test-9401")
    point = make_point(retailer_b.organization, 1, meter={"meter_number": "M1", "smart_meter": False})
    filed = _apply(dr, point, valid_days=3, documents=[{"name": "委任状.pdf", "content_base64": b64(PDF)}])
    assert filed.status_code == 202, filed.content
    operators_work()
    answer = dr.get(f"/usage-passwords/{filed.json()['reception_number']}").json()
    retrieval = dr.post(
        "/usage-retrievals",
        {"supply_point_number": point, "password": answer["result"]["password"], "purpose": "point_info"},
    )
    operators_work()
    usage = dr.get(f"/usage-retrievals/{retrieval.json()['reception_number']}").json()["result"]["usage"]
    assert len(usage["monthly"]) == 13 and "half_hourly" not in usage
