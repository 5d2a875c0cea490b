"""The switch's identity check through the API (issue 13, ADR 27): a 廃止取次 whose identification
differs from the registry is registered (201); the current retailer's 廃止取次照会 shows it beside the
registry per item (`identification_check`, a recorded read), the new retailer's 結果照会 never does;
the NG reasons, several together, come back by name (`ng_reasons`), in the events and the CSV; the
new items (カナ, 建物名, contacts) are taken and checked — on every line that switches."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from kouiki.core.schemas import KANA_PATTERN, PHONE_PATTERN, Kana, Phone
from kouiki.switching.models import NgReason, PersonalDataAccess, PointClass
from tests.api.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, cancel_forward_body, make_point

pytestmark = pytest.mark.usefixtures("clock")

PURPOSE = {"purpose": "cancel_forward"}
LINES = [(PointClass.LOW, ""), (PointClass.HIGH, "/high-voltage"), (PointClass.FIT_GRADUATED, "/fit")]
NAMES = {reason.value: reason.label for reason in NgReason}


@pytest.mark.parametrize(("point_class", "prefix"), LINES)
def test_a_mismatch_is_registered_compared_for_the_current_retailer_and_judged_ng_with_reasons(
    api, retailer_a, retailer_b, point_class: str, prefix: str
) -> None:
    a, b = api(retailer_a.token), api(retailer_b.token)
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    registered = a.post(
        f"{prefix}/cancel-forwards",
        cancel_forward_body(
            point,
            customer_name="広域 次郎",
            customer_name_kana="ｺｳｲｷ ｼﾞﾛｳ",
            building_name="丸の内ビル",
            new_contact_name="山田",
            new_contact_phone="03-1111-2222",
        ),
        key="r1",
    )
    assert registered.status_code == 201, registered.content
    number = registered.json()["switch_number"]

    received = b.get(f"{prefix}/received-cancel-forwards/{number}", data=PURPOSE).json()
    check = {
        item["item"]: (item["sent"], item["registered"], item["matches"])
        for item in received["identification_check"]
    }
    assert check == {
        "customer_name": ("広域 次郎", CUSTOMER_NAME, False),
        "customer_address": (CUSTOMER_ADDRESS, CUSTOMER_ADDRESS, True),
        "contract_number": ("B-0001", "B-0001", True),
    }
    assert (received["customer_name_kana"], received["building_name"]) == (
        "コウイキ\u3000ジロウ",
        "丸の内ビル",
    )
    assert (received["new_contact_name"], received["new_contact_phone"]) == ("山田", "03-1111-2222")
    assert (
        PersonalDataAccess.objects.filter(organization=retailer_b.organization, reference=number).count() == 1
    )

    decided = b.post(
        f"{prefix}/received-cancel-forwards/{number}/decision",
        {
            "decision": "ng",
            "ng_reasons": ["07", "01"],
            "ng_text": "名義が異なります",
            "current_contact_name": "佐藤",
            "current_contact_phone": "０６－１２３４－５６７８",
        },
    )
    assert decided.status_code == 200, decided.content
    expected = [{"code": "01", "name": NAMES["01"]}, {"code": "07", "name": NAMES["07"]}]
    assert decided.json()["ng_reasons"] == expected and decided.json()["ng_reason"] == "01"

    # The new retailer: the reasons by name, both contacts, never the registry's side.
    result = a.get(f"{prefix}/cancel-forward-results/{number}", data=PURPOSE).json()
    assert result["ng_reasons"] == expected and result["ng_text"] == "名義が異なります"
    assert result["identification_check"] is None
    assert (result["current_contact_name"], result["current_contact_phone"]) == ("佐藤", "06-1234-5678")
    listed = a.get(f"{prefix}/cancel-forward-results").json()["switches"]
    assert listed[0]["ng_reasons"] == expected
    # The event feed and the CSV say them too.
    events = a.get("/events", data={"limit": 1000}).json()["events"]
    assert [e for e in events if e["topic"] == "switch.updated"][-1]["payload"]["ng_reasons"] == expected
    header, row = list(
        csv.reader(io.StringIO(a.get(f"{prefix}/applications.csv").content.decode("utf-8-sig")))
    )
    assert row[header.index("NG理由")] == f"01 {NAMES['01']}／07 {NAMES['07']}"


def test_ng_needs_a_reason_and_text_and_only_known_reasons(api, retailer_a, retailer_b, points) -> None:
    number = (
        api(retailer_a.token).post("/cancel-forwards", cancel_forward_body(points[0])).json()["switch_number"]
    )
    b = api(retailer_b.token)
    url = f"/received-cancel-forwards/{number}/decision"
    missing = b.post(url, {"decision": "ng", "ng_reasons": [], "ng_text": ""})
    assert missing.status_code == 422 and set(missing.json()["errors"]) == {"ng_reasons", "ng_text"}
    unknown = b.post(url, {"decision": "ng", "ng_reasons": ["01", "10"], "ng_text": "理由"})
    assert unknown.status_code == 422 and "ng_reasons.1" in unknown.json()["errors"]
    too_many = b.post(url, {"decision": "ng", "ng_reasons": ["01"] * 10, "ng_text": "理由"})
    assert too_many.status_code == 422 and "9件以内" in too_many.json()["errors"]["ng_reasons"][0]
    # One reason as clients before `ng_reasons` sent it still works, joined with the list.
    decided = b.post(url, {"decision": "ng", "ng_reason": "02", "ng_reasons": ["99"], "ng_text": "理由"})
    assert decided.status_code == 200
    assert [r["code"] for r in decided.json()["ng_reasons"]] == ["02", "99"]


def test_the_new_items_are_checked_with_japanese_messages(api, retailer_a, retailer_b, points) -> None:
    a = api(retailer_a.token)
    refused = a.post(
        "/cancel-forwards",
        cancel_forward_body(points[0], customer_name_kana="こういき", new_contact_phone="03-1234"),
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert "カタカナ" in errors["customer_name_kana"][0] and "電話番号" in errors["new_contact_phone"][0]

    registered = a.post("/cancel-forwards", cancel_forward_body(points[0])).json()
    corrected = a.post(
        f"/cancel-forwards/{registered['reception_number']}/correction",
        {"customer_name": "別人 花子", "customer_name_kana": "ﾍﾞﾂｼﾞﾝ", "new_contact_phone": "090-1234-5678"},
    )
    assert corrected.status_code == 200, corrected.content
    received = (
        api(retailer_b.token)
        .get(f"/received-cancel-forwards/{registered['switch_number']}", data=PURPOSE)
        .json()
    )
    assert received["customer_name_kana"] == "ベツジン" and received["new_contact_phone"] == "090-1234-5678"
    assert [item["matches"] for item in received["identification_check"]] == [False, True, True]
    wrong = api(retailer_b.token).post(
        f"/received-cancel-forwards/{registered['switch_number']}/decision",
        {"decision": "ok", "current_contact_phone": "12345"},
    )
    assert wrong.status_code == 422 and list(wrong.json()["errors"]) == ["current_contact_phone"]


@settings(max_examples=300, deadline=None)
@given(phone=st.from_regex(PHONE_PATTERN), kana=st.from_regex(KANA_PATTERN))
def test_what_the_declared_patterns_allow_is_accepted(phone: str, kana: str) -> None:
    # The OpenAPI document declares the stored form; a client generated from it is never refused.
    assert TypeAdapter(Phone).validate_python(phone).count("-") == 2
    TypeAdapter(Kana).validate_python(kana)
