"""The API of 訂正 / 取消 under the same 受付番号 for what is forwarded to the operator (更新フラグ 2 / 3),
and the operator's coded status in every status answer, list, CSV and event (ADR 28)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kouiki.tso.models import MessageState, OperatorMessage
from kouiki.tso.services import delivery, simulator
from tests.api.conftest import Retailer, make_point, operators_work

pytestmark = pytest.mark.usefixtures("clock")


def _deliver_only() -> None:
    for pk in OperatorMessage.objects.filter(state=MessageState.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)


def test_sw_l12_correct_then_the_status_shows_the_corrected_ampere_and_its_codes(
    api: Any, retailer_b: Retailer
) -> None:
    client = api(retailer_b.token)
    point = make_point(retailer_b.organization, 1)
    filed = client.post("/ampere-changes", {"supply_point_number": point, "current_limit_a": 40}).json()
    number = filed["reception_number"]
    assert (filed["update_flag"], filed["step_code"], filed["operator_messages"]) == ("1", None, [])

    sent = client.post(f"/ampere-changes/{number}/correction", {"current_limit_a": 50})
    assert sent.status_code == 202
    assert (sent.json()["update_flag"], sent.json()["operator_step"]) == ("2", "訂正回答待ち")
    update = OperatorMessage.objects.filter(reference=number).order_by("pk").last()
    assert update is not None and update.payload["update_flag"] == "2"

    operators_work()
    status = client.get(f"/applications/{number}").json()
    assert (status["state"], status["step_code"], status["step_name"]) == ("completed", "06", "完了")
    assert status["revision"] == 1 and status["update_flag"] == "2"
    assert [m["code"] for m in status["operator_messages"]] == ["I201", "I001", "I100"]
    assert "アンペアブレーカー" in status["operator_notes"]
    assert status["planned_change_date"] == status["change_date"] == "2026-11-02"

    # Taken and done: a 訂正 or 取消 now is refused by the hub.
    again = client.post(f"/ampere-changes/{number}/cancellation")
    assert again.status_code == 409 and again.json()["code"] == "application_final"


def test_sw_l04_cancel_before_taken_and_refused_after(api: Any, retailer_b: Retailer) -> None:
    client = api(retailer_b.token)
    stopped = [make_point(retailer_b.organization, serial, contract_state="stopped") for serial in (2, 3)]
    first = client.post("/reconnections", {"supply_point_number": stopped[0], "desired_date": "2026-11-20"})
    second = client.post("/reconnections", {"supply_point_number": stopped[1], "desired_date": "2026-11-20"})
    first_number, second_number = first.json()["reception_number"], second.json()["reception_number"]

    cancelled = client.post(f"/reconnections/{first_number}/cancellation")
    assert cancelled.status_code == 202 and cancelled.json()["update_flag"] == "3"
    operators_work()
    assert client.get(f"/applications/{first_number}").json()["state"] == "cancelled"

    refused = client.post(f"/reconnections/{second_number}/correction", {"desired_date": "2026-11-25"})
    assert refused.status_code == 409 and refused.json()["code"] == "already_taken"
    assert "処理を開始しているため" in refused.json()["detail"]


def test_the_race_is_told_in_the_status_and_the_event(api: Any, retailer_b: Retailer) -> None:
    client = api(retailer_b.token)
    point = make_point(retailer_b.organization, 4)
    number = client.post(
        "/customer-changes", {"supply_point_number": point, "customer_name": "広域 次郎"}
    ).json()["reception_number"]
    _deliver_only()
    simulator.tick()  # the operator took it before our 訂正 reaches it
    sent = client.post(f"/customer-changes/{number}/correction", {"customer_name": "広域 三郎"})
    assert sent.status_code == 202
    operators_work()

    status = client.get(f"/applications/{number}").json()
    assert status["state"] == "completed" and status["revision"] == 0
    assert any(m["code"] == "E301" for m in status["operator_messages"])
    events = client.get("/events?after=0").json()["events"]
    told = [e for e in events if e["reference"] == number and e["payload"]["update_flag"] == "2"]
    assert any(any(m["code"] == "E301" for m in e["payload"]["operator_messages"]) for e in told)


def test_a_kind_is_corrected_only_through_its_own_operation_and_line(api: Any, retailer_b: Retailer) -> None:
    client = api(retailer_b.token)
    point = make_point(retailer_b.organization, 5)
    number = client.post("/abolitions", {"supply_point_number": point}).json()["reception_number"]

    assert client.post(f"/reconnections/{number}/cancellation").status_code == 404
    assert client.post(f"/high-voltage/abolitions/{number}/cancellation").status_code == 422
    corrected = client.post(f"/abolitions/{number}/correction", {"removal": True})
    assert corrected.status_code == 202
    operators_work()
    status = client.get(f"/applications/{number}").json()
    assert (status["business"], status["application_type"]) == ("abolish_with_removal", "02")


def test_sw_f03_fit_abolition_and_sw_h03_high_voltage_have_their_operations(
    api: Any, retailer_b: Retailer
) -> None:
    client = api(retailer_b.token)
    fit = make_point(retailer_b.organization, 6, point_class="fit")
    high = make_point(retailer_b.organization, 7, point_class="high")
    fit_number = client.post("/fit/abolitions", {"supply_point_number": fit}).json()["reception_number"]
    high_number = client.post("/high-voltage/abolitions", {"supply_point_number": high}).json()[
        "reception_number"
    ]

    assert client.post(f"/fit/abolitions/{fit_number}/correction", {"removal": True}).status_code == 202
    refused = client.post(f"/high-voltage/abolitions/{high_number}/correction", {"removal": False})
    assert refused.status_code == 422  # not an item of the high-voltage correction at all
    assert client.post(f"/high-voltage/abolitions/{high_number}/cancellation").status_code == 202
    operators_work()
    assert client.get(f"/fit/applications/{fit_number}").json()["application_type"] == "13"
    assert client.get(f"/high-voltage/applications/{high_number}").json()["state"] == "cancelled"


def test_sw_l02_a_usage_password_application_is_cancelled(
    api: Any, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    client = api(retailer_a.token)
    point = make_point(retailer_b.organization, 8)
    number = client.post(
        "/usage-passwords", {"supply_point_number": point, "purpose": "wheeling_contract"}
    ).json()["reception_number"]
    assert client.post(f"/usage-passwords/{number}/cancellation").status_code == 202
    operators_work()
    assert client.get(f"/applications/{number}").json()["state"] == "cancelled"


def test_the_csv_has_the_step_code_and_the_messages(api: Any, retailer_b: Retailer) -> None:
    client = api(retailer_b.token)
    point = make_point(retailer_b.organization, 9)
    client.post("/ampere-changes", {"supply_point_number": point, "current_limit_a": 40})
    operators_work()
    response = client.get("/applications.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert header[-2:] == ["受付工程コード", "受付メッセージ"]
    assert row[-2] == "06"
    assert row[-1].startswith("I001 アンペア変更（申込種別 06）の申込みを受け付けました。")


def test_a_status_read_with_the_new_fields_is_still_one_statement(api: Any, retailer_b: Retailer) -> None:
    client = api(retailer_b.token)
    point = make_point(retailer_b.organization, 10)
    number = client.post("/ampere-changes", {"supply_point_number": point, "current_limit_a": 40}).json()[
        "reception_number"
    ]
    operators_work()
    client.get(f"/applications/{number}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/applications/{number}")
    assert response.json()["step_code"] == "06"
    reads = [q["sql"] for q in queries if "switching_application" in q["sql"]]
    assert len(reads) == 1
    assert '"switching_application"."payload"' not in reads[0]
