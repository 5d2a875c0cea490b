"""Rules of the switching API found by the audit: the customer identification of a switch is read
only with a named purpose and while the switch is in progress; desired dates within a year; no
empty 訂正; no invisible names."""

from __future__ import annotations

from datetime import datetime

import pytest

from kouiki.core.calendar import JST
from kouiki.switching.models import PersonalDataAccess, Switch
from kouiki.tso.models import OperatorMessage
from tests.api.conftest import CUSTOMER_ADDRESS, cancel_forward_body

pytestmark = pytest.mark.usefixtures("clock")


def register(api, retailer, number, **changes):
    response = api(retailer.token).post("/cancel-forwards", cancel_forward_body(number, **changes))
    assert response.status_code == 201, response.content
    return response.json()


def test_sw_l07_l09_the_identification_needs_a_named_purpose(api, retailer_a, retailer_b, points) -> None:
    switch_number = register(api, retailer_a, points[0])["switch_number"]
    for token, path in (
        (retailer_a.token, f"/cancel-forward-results/{switch_number}"),
        (retailer_b.token, f"/received-cancel-forwards/{switch_number}"),
    ):
        refused = api(token).get(path)
        assert refused.status_code == 422
        assert refused.json()["errors"]["purpose"] == ["必須項目です。"]
        assert api(token).get(path, data={"purpose": "marketing"}).status_code == 422
    assert not PersonalDataAccess.objects.exists()

    shown = api(retailer_a.token).get(
        f"/cancel-forward-results/{switch_number}", data={"purpose": "cancel_forward"}
    )
    assert shown.status_code == 200 and shown.json()["customer_address"] == CUSTOMER_ADDRESS
    [read] = PersonalDataAccess.objects.all()
    assert (read.function_id, read.purpose, read.reference) == ("SW-L07", "cancel_forward", switch_number)


def test_sw_l07_after_the_ng_the_result_is_read_without_the_identification(
    api, retailer_a, retailer_b, points
) -> None:
    switch_number = register(api, retailer_a, points[0])["switch_number"]
    decided = api(retailer_b.token).post(
        f"/received-cancel-forwards/{switch_number}/decision",
        {"decision": "ng", "ng_reason": "02", "ng_text": "需要者から継続の申出"},
    )
    assert decided.status_code == 200

    result = api(retailer_a.token).get(
        f"/cancel-forward-results/{switch_number}", data={"purpose": "cancel_forward"}
    )
    assert result.status_code == 200
    body = result.json()
    assert (body["state"], body["ng_text"]) == ("rejected", "需要者から継続の申出")
    assert (body["customer_name"], body["customer_address"], body["contract_number"]) == (None, None, None)
    assert not PersonalDataAccess.objects.exists()
    # The point's retailer still reads what was registered against its contract.
    received = api(retailer_b.token).get(
        f"/received-cancel-forwards/{switch_number}", data={"purpose": "cancel_forward"}
    )
    assert received.json()["contract_number"] == "B-0001"
    assert PersonalDataAccess.objects.get().organization == retailer_b.organization


@pytest.mark.parametrize("desired", ["2027-11-03", "9999-12-30", "9999-12-31"])
def test_sw_l06_a_desired_date_beyond_a_year_is_422_on_registration_and_correction(
    api, retailer_a, retailer_b, points, desired
) -> None:
    refused = api(retailer_a.token).post(
        "/cancel-forwards", cancel_forward_body(points[0], desired_date=desired)
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "desired_date_too_far" and "desired_date" in refused.json()["errors"]
    assert not Switch.objects.exists()

    registered = register(api, retailer_a, points[0], desired_date="2027-11-02")
    corrected = api(retailer_a.token).post(
        f"/cancel-forwards/{registered['reception_number']}/correction", {"desired_date": desired}
    )
    assert corrected.status_code == 422 and corrected.json()["code"] == "desired_date_too_far"


def test_sw_l06_an_empty_correction_is_refused_and_does_not_move_the_deadline(
    api, retailer_a, retailer_b, points, clock
) -> None:
    registered = register(api, retailer_a, points[0])
    deadline = Switch.objects.get(number=registered["switch_number"]).deadline
    path = f"/cancel-forwards/{registered['reception_number']}/correction"
    a = api(retailer_a.token)
    for day in (3, 4, 5):
        clock.move_to(datetime(2026, 11, day, 10, 0, tzinfo=JST))
        refused = a.post(path, {})
        assert refused.status_code == 422 and refused.json()["code"] == "nothing_to_change"
        assert "訂正する項目がありません" in refused.json()["detail"]
    same = a.post(path, {"contract_number": "B-0001", "desired_date": None})
    assert same.status_code == 422 and same.json()["code"] == "nothing_to_change"

    changed = a.post(path, {"desired_date": "2026-12-10"})
    assert changed.status_code == 200 and changed.json()["revision"] == 1
    back = a.post(path, {"desired_date": None})
    assert back.status_code == 200 and back.json()["revision"] == 2
    assert Switch.objects.get(number=registered["switch_number"]).deadline == deadline


def test_sw_l13_an_invisible_name_is_422_and_a_visible_one_is_sent_cleaned(api, retailer_b, points) -> None:
    b = api(retailer_b.token)
    for value in ("\u200b", "\u200b\u2060\ufeff"):
        refused = b.post("/customer-changes", {"supply_point_number": points[0], "customer_name": value})
        assert refused.status_code == 422, value
        assert refused.json()["code"] == "not_visible" and "customer_name" in refused.json()["errors"]
    assert not OperatorMessage.objects.exists()

    accepted = b.post(
        "/customer-changes", {"supply_point_number": points[0], "customer_name": "広域\u200b 花子"}
    )
    assert accepted.status_code == 202
    message = OperatorMessage.objects.get()
    assert message.payload["changes"] == {"customer_name": "広域 花子"}


def test_sw_l06_invisible_identification_is_422_naming_the_fields(api, retailer_a, points) -> None:
    refused = api(retailer_a.token).post(
        "/cancel-forwards", cancel_forward_body(points[0], customer_name="\u200b", customer_address="\u2060")
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"customer_name", "customer_address"}
    assert not Switch.objects.exists()
