"""The simulated operators' rules, through the gateway: submit, deliver, read the feed.

The hub's registry is FakeRegistry (conftest); what the hub receives is FakeHub's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from kouiki.core.calendar import JST
from kouiki.tso import services
from kouiki.tso.models import OperatorMessage, SimulatorJob, UsagePassword
from kouiki.tso.services import delivery, simulator
from kouiki.tso.services.gateway import Answer, Operation, Outcome, OutgoingMessage
from kouiki.tso.services.usage import add_months
from tests.tso.conftest import (
    KANSAI_POINT,
    TOKYO_ABOLISHED,
    TOKYO_OLD_METER,
    TOKYO_SMART,
    TOKYO_STOPPED,
    FakeHub,
    FakeRegistry,
    point_items,
)

pytestmark = pytest.mark.usefixtures("db", "clock")


def send(operation: str, number: str = TOKYO_SMART, *, area: str | None = None, **payload: Any) -> str:
    """Submit a message, deliver it at once and read its area's answers (where an application a
    retailer may still correct is taken: the simulator's tick); its id."""
    message_id = services.submit(
        area=area or number[:2],
        operation=operation,
        reference="A0000001",
        payload={"supply_point_number": number, **payload},
    )
    delivery.deliver(OperatorMessage.objects.get(message_id=message_id).pk)
    delivery.poll_answers(areas=[area or number[:2]])
    return message_id


def final(hub: FakeHub, message_id: str) -> Answer:
    return hub.final(message_id)


def test_sw_l01_facility_inquiry_answers_the_supply_point_items(hub: FakeHub) -> None:
    answer = final(hub, send(Operation.FACILITY_INQUIRY))

    assert answer.outcome == Outcome.COMPLETED
    facility = answer.data["facility"]
    assert facility["supply_point_number"] == TOKYO_SMART
    assert facility["area"] == "03"
    for item in ("isolated_island", "contract_capacity", "current_limit_a", "service_menu", "power_factor",
                 "supply_method", "contract_decision_method", "meter", "pole_number", "grid_connection",
                 "contract_changed_on", "reading_day", "contract_state", "abolition_method"):  # fmt: skip
        assert item in facility
    assert "customer_name" not in facility  # basic info is not facility information
    assert answer.data.get("registry") is None


def test_an_unknown_point_is_rejected_with_a_reason(hub: FakeHub) -> None:
    answer = final(hub, send(Operation.FACILITY_INQUIRY, "0300000000000000009999"))

    assert (answer.outcome, answer.error_code) == (Outcome.REJECTED, "supply_point_unknown")
    assert "東京エリアに登録されていません" in answer.error_detail


def test_a_point_of_another_area_is_rejected(hub: FakeHub) -> None:
    answer = final(hub, send(Operation.FACILITY_INQUIRY, KANSAI_POINT, area="03"))

    assert answer.error_code == "supply_point_other_area"
    assert "関西エリアの供給地点" in answer.error_detail


# SW-L02 / SW-L03: the usage-inquiry password and 13 months of usage.


def password_from_answer(hub: FakeHub, number: str = TOKYO_SMART, **payload: Any) -> str:
    """Apply for a password for the point; the one the operator answered."""
    answer = final(hub, send(Operation.USAGE_PASSWORD, number, **payload))
    assert answer.outcome == Outcome.COMPLETED, answer.error_detail
    return str(answer.data["password"])


def test_sw_l02_the_password_comes_back_to_the_applying_retailer(hub: FakeHub) -> None:
    answer = final(hub, send(Operation.USAGE_PASSWORD))

    assert answer.outcome == Outcome.COMPLETED
    password = answer.data["password"]
    assert len(password) == 10
    [issued] = UsagePassword.objects.all()
    assert password not in issued.password_hash
    # Valid through one month from the application when no validity is chosen.
    assert answer.data["valid_until"] == "2026-12-02"
    assert issued.valid_until == datetime(2026, 12, 3, 0, 0, tzinfo=JST)
    assert datetime.fromisoformat(answer.data["expires_at"]) == issued.valid_until


def test_sw_l02_the_validity_chosen_and_one_beyond_a_month_refused(hub: FakeHub) -> None:
    chosen = final(hub, send(Operation.USAGE_PASSWORD, valid_until="2026-11-15"))
    beyond = final(hub, send(Operation.USAGE_PASSWORD, valid_until="2026-12-03"))
    past = final(hub, send(Operation.USAGE_PASSWORD, valid_until="2026-11-01"))

    assert chosen.data["valid_until"] == "2026-11-15"
    assert beyond.error_code == past.error_code == "usage_password_validity_invalid"
    assert "1か月以内（2026年11月02日〜2026年12月02日）" in beyond.error_detail


def test_sw_l03_usage_of_a_smart_meter_is_13_months_with_half_hourly_values(hub: FakeHub) -> None:
    password = password_from_answer(hub)

    first = final(hub, send(Operation.USAGE_RETRIEVE, password=password)).data["usage"]
    again = final(hub, send(Operation.USAGE_RETRIEVE, password=password.lower())).data["usage"]

    months = [m["month"] for m in first["monthly"]]
    assert (months[0], months[-1]) == ("2025-10", "2026-10")
    assert len(first["monthly"]) == 13
    assert len(first["half_hourly"]) == 396  # 2025-10-01 .. 2026-10-31
    assert all(len(day["kwh"]) == 48 for day in first["half_hourly"])
    october = sum(sum(day["kwh"]) for day in first["half_hourly"] if day["date"].startswith("2026-10"))
    assert first["monthly"][-1]["kwh"] == pytest.approx(october, abs=0.1)
    assert first == again  # deterministic


def test_sw_l03_usage_of_an_old_meter_is_monthly_only(hub: FakeHub) -> None:
    password = password_from_answer(hub, TOKYO_OLD_METER)
    usage = final(hub, send(Operation.USAGE_RETRIEVE, TOKYO_OLD_METER, password=password)).data["usage"]

    assert len(usage["monthly"]) == 13
    assert all(month["kwh"] > 0 for month in usage["monthly"])
    assert "half_hourly" not in usage


def test_sw_l03_a_wrong_password_or_one_of_another_point_is_refused(hub: FakeHub) -> None:
    others = password_from_answer(hub, TOKYO_OLD_METER)

    wrong = final(hub, send(Operation.USAGE_RETRIEVE, password="WRONGPASS1"))
    foreign = final(hub, send(Operation.USAGE_RETRIEVE, password=others))

    assert wrong.error_code == foreign.error_code == "usage_password_invalid"


def test_sw_l03_the_password_expires_after_its_last_day(hub: FakeHub, clock: Any) -> None:
    password = password_from_answer(hub)
    expiry = datetime(2026, 12, 3, 0, 0, tzinfo=JST)

    clock.move_to(expiry - timedelta(minutes=1))
    assert final(hub, send(Operation.USAGE_RETRIEVE, password=password)).outcome == Outcome.COMPLETED

    clock.move_to(expiry)
    expired = final(hub, send(Operation.USAGE_RETRIEVE, password=password))
    assert (expired.outcome, expired.error_code) == (Outcome.REJECTED, "usage_password_expired")
    assert "2026年12月02日まで" in expired.error_detail


def test_sw_l03_the_months_before_a_change_of_holder_are_withheld(hub: FakeHub) -> None:
    password = password_from_answer(hub)
    answer = final(hub, send(Operation.USAGE_RETRIEVE, password=password, holder_since="2026-05-01"))
    usage = answer.data["usage"]

    assert [m["month"] for m in usage["monthly"]] == [f"2026-{m:02d}" for m in range(5, 11)]
    assert usage["half_hourly"][0]["date"] == "2026-05-01"
    assert usage["withheld_before"] == "2026-05-01"
    assert "2026年04月分まで" in usage["notice"]


def test_a_password_issued_on_the_31st_expires_on_the_last_day_of_the_next_month() -> None:
    assert add_months(datetime(2026, 1, 31, 9, 0, tzinfo=JST), 1) == datetime(2026, 2, 28, 9, 0, tzinfo=JST)
    assert add_months(datetime(2026, 12, 15, 9, 0, tzinfo=JST), 1) == datetime(2027, 1, 15, 9, 0, tzinfo=JST)


# SW-L04, L05, L12, L13: changes of the point, sent back as registry changes.


def test_sw_l04_reconnect_turns_a_stopped_point_back_on(hub: FakeHub) -> None:
    registry = final(hub, send(Operation.RECONNECT, TOKYO_STOPPED)).data["registry"]

    assert registry == {
        "effective_on": "2026-11-02",
        "contract_state": "in_service",
        "contract_changed_on": "2026-11-02",
    }


def test_sw_l04_reconnect_of_a_point_in_service_is_refused(hub: FakeHub) -> None:
    answer = final(hub, send(Operation.RECONNECT, TOKYO_SMART))

    assert answer.error_code == "reconnect_not_stopped"
    assert "送電中" in answer.error_detail


def test_sw_l05_abolish_with_and_without_removal(hub: FakeHub) -> None:
    with_removal = final(hub, send(Operation.ABOLISH, removal=True)).data["registry"]
    without = final(hub, send(Operation.ABOLISH, TOKYO_STOPPED, removal=False)).data["registry"]
    already = final(hub, send(Operation.ABOLISH, TOKYO_ABOLISHED, removal=False))

    assert (with_removal["contract_state"], with_removal["abolition_method"]) == (
        "abolished",
        "meter_removal",
    )
    assert (without["contract_state"], without["abolition_method"]) == ("abolished", "switch_off")
    assert already.error_code == "supply_point_abolished"


def test_a_change_with_a_later_desired_date_is_done_on_that_date(hub: FakeHub, clock: Any) -> None:
    message_id = send(Operation.ABOLISH, removal=False, desired_date="2026-11-10")
    assert hub.of(message_id) == [("accepted", "一般送配電事業者受付")]

    clock.move_to(datetime(2026, 11, 10, 0, 0, tzinfo=JST))
    delivery.poll_answers(areas=["03"])

    assert final(hub, message_id).data["registry"]["effective_on"] == "2026-11-10"


@pytest.mark.parametrize(("area", "label"), [("06", "関西"), ("07", "中国"), ("08", "四国"), ("10", "沖縄")])
def test_sw_l12_ampere_change_is_refused_where_there_are_no_ampere_contracts(
    hub: FakeHub, registry: FakeRegistry, area: str, label: str
) -> None:
    number = f"{area}00000000000000000009"
    registry.points[number] = point_items(number)

    answer = final(hub, send(Operation.AMPERE_CHANGE, number, current_limit_a=40))

    assert (answer.outcome, answer.error_code) == (Outcome.REJECTED, "ampere_change_not_available")
    assert f"{label}エリアでは" in answer.error_detail
    assert "アンペア変更は受け付けていません" in answer.error_detail


def test_sw_l12_ampere_change_in_tokyo_changes_the_current_limit(hub: FakeHub) -> None:
    registry = final(hub, send(Operation.AMPERE_CHANGE, current_limit_a=40)).data["registry"]
    invalid = final(hub, send(Operation.AMPERE_CHANGE, current_limit_a=35))

    assert registry["current_limit_a"] == 40
    assert registry["contract_capacity"] == "4"
    assert invalid.error_code == "current_limit_invalid"


def test_sw_l13_customer_change_sends_the_new_basic_info(hub: FakeHub) -> None:
    registry = final(
        hub,
        send(
            Operation.CUSTOMER_CHANGE,
            changes={"customer_name": "広域 花子", "customer_phone": "03-0000-0000"},
        ),
    ).data["registry"]
    empty = final(hub, send(Operation.CUSTOMER_CHANGE, changes={}))

    assert registry == {
        "effective_on": "2026-11-02",
        "customer_name": "広域 花子",
        "customer_phone": "03-0000-0000",
    }
    assert empty.error_code == "customer_change_empty"


# SW-L08 / SW-L11: the switch is completed on the switching date.


def test_sw_l08_l11_a_switch_is_accepted_now_and_completed_on_its_switching_date(
    hub: FakeHub, clock: Any
) -> None:
    common = {"switching_date": "2026-11-09", "new_retailer_code": "9101", "current_retailer_code": "9102",
              "switch_number": "S0000001"}  # fmt: skip
    start = send(Operation.SWITCH_START, retailer_code="9101", contract_number="A-0001", **common)
    abolish = send(Operation.SWITCH_ABOLISH, retailer_code="9102", **common)

    assert hub.of(start) == hub.of(abolish) == [("accepted", "一般送配電事業者受付")]

    clock.move_to(datetime(2026, 11, 8, 23, 59, tzinfo=JST))
    delivery.poll_answers(areas=["03"])
    assert len(hub.answers) == 2  # not yet

    clock.move_to(datetime(2026, 11, 9, 0, 0, tzinfo=JST))
    delivery.poll_answers(areas=["03"])

    started = final(hub, start)
    assert started.data["registry"] == {
        "effective_on": "2026-11-09",
        "retailer_code": "9101",
        "retail_contract_number": "A-0001",
        "contract_changed_on": "2026-11-09",
    }
    assert started.data["pair_reference"] == "S0000001"
    assert final(hub, abolish).outcome == Outcome.COMPLETED
    assert "registry" not in final(hub, abolish).data
    assert not SimulatorJob.objects.filter(done_at__isnull=True).exists()


def test_a_switch_whose_date_has_passed_is_rejected(hub: FakeHub) -> None:
    answer = final(hub, send(Operation.SWITCH_START, switching_date="2026-11-01", new_retailer_code="9101"))

    assert answer.error_code == "switching_date_past"


def test_a_switch_completed_late_after_an_outage_still_takes_effect_on_its_date(
    hub: FakeHub, clock: Any, settings: Any
) -> None:
    start = send(Operation.SWITCH_START, switching_date="2026-11-09", new_retailer_code="9101")
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = ["03"]
    clock.move_to(datetime(2026, 11, 9, 0, 0, tzinfo=JST))
    delivery.poll_answers(areas=["03"])
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []
    clock.move_to(datetime(2026, 11, 10, 8, 0, tzinfo=JST))
    delivery.poll_answers(areas=["03"])

    assert final(hub, start).data["registry"]["effective_on"] == "2026-11-09"


# The simulator's misbehaviour is deterministic.


def test_the_failure_rate_picks_the_same_attempts_every_time(settings: Any) -> None:
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.3
    ids = [f"{n:032x}" for n in range(2000)]

    first = [simulator.failure_roll(message_id, 1) for message_id in ids]
    assert first == [simulator.failure_roll(message_id, 1) for message_id in ids]
    share = sum(fails for fails, _after in first) / len(ids)
    assert 0.25 < share < 0.35


def test_an_operator_that_is_down_refuses_every_message(settings: Any) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = ["09"]
    message = OutgoingMessage(
        message_id="a" * 32,
        area="09",
        operation="reconnect",
        reference="A1",
        payload={"supply_point_number": "09" + "0" * 20},
    )

    with pytest.raises(simulator.OperatorUnavailable, match="九州エリア"):
        simulator.receive(message)
    with pytest.raises(simulator.OperatorUnavailable):
        simulator.answers_after("09", 0)
