"""訂正 and 取消 under the same 受付番号 of what the hub forwards to the operator (更新フラグ 2 / 3), until
the operator has taken it; and the operator's coded status on every answer (受付工程コード,
受付メッセージ, ご連絡事項, 異動予定日 / 異動日). ADR 28, issue 13 "Closer to the real system"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kouiki.core.calendar import JST
from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.events import events_after
from kouiki.switching.models import Application, Kind, State
from kouiki.switching.services import applications, switch_pairs, switches
from kouiki.switching.services.updates import PENDING_KEY
from kouiki.tso.models import MessageState, OperatorMessage
from kouiki.tso.services import delivery, simulator
from tests.switching.conftest import (
    CUSTOMER_ADDRESS,
    CUSTOMER_NAME,
    Retailer,
    current,
    make_point,
    operators_work,
    reload,
)

pytestmark = pytest.mark.usefixtures("clock")
LATER = date(2026, 11, 20)
LATER_STILL = date(2026, 11, 25)


def messages_of(application: Application) -> list[OperatorMessage]:
    return list(OperatorMessage.objects.filter(reference=application.reception_number).order_by("pk"))


def deliver_only() -> None:
    """The gateway sends what is pending; the operator has not taken anything yet (no tick)."""
    for pk in OperatorMessage.objects.filter(state=MessageState.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)


def on_the_day(clock: time_machine.Coordinates, day: date) -> None:
    clock.move_to(datetime(day.year, day.month, day.day, 0, 5, tzinfo=JST))
    operators_work()


# --- each kind corrected before the operator took it: the operator applies it -----------------------


def test_sw_l04_reconnection_corrected_then_done_on_the_corrected_date(
    retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1, contract_state="stopped")
    filed = applications.apply_reconnection(
        actor=retailer_b.user, supply_point_number=point, desired_date=LATER
    )

    sent = applications.correct_application(
        actor=retailer_b.user,
        reception_number=filed.reception_number,
        changes={"desired_date": LATER_STILL.isoformat()},
    )
    assert (sent.update_flag, sent.operator_step, sent.state) == ("2", "訂正回答待ち", State.RECEIVED)
    assert reload(filed).desired_date == LATER  # changed only once the operator applies it
    original, update = messages_of(filed)
    assert original.payload["update_flag"] == "1" and update.payload["update_flag"] == "2"
    assert update.operation == original.operation == "reconnect"
    assert update.payload["desired_date"] == LATER_STILL.isoformat()
    assert update.payload["application_type"] == "04"

    operators_work()
    filed = reload(filed)
    assert (filed.desired_date, filed.revision, filed.state) == (LATER_STILL, 1, State.PROCESSING)
    assert filed.payload[PENDING_KEY]["state"] == "applied"
    assert filed.step_code == "01" and filed.planned_change_date == LATER_STILL
    assert [m["code"] for m in filed.operator_messages] == ["I201", "I001"]
    assert "ブレーカー" in filed.operator_notes

    on_the_day(clock, LATER)
    assert reload(filed).state == State.PROCESSING  # not on the date first asked
    on_the_day(clock, LATER_STILL)
    filed = reload(filed)
    assert (filed.state, filed.step_code, filed.change_date) == (State.COMPLETED, "06", LATER_STILL)
    assert current(point).contract_state == "in_service"
    assert current(point).valid_from == datetime(2026, 11, 25, tzinfo=JST)


def test_sw_l05_abolition_corrected_to_removal_changes_its_application_type(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 2)
    filed = applications.apply_abolition(actor=retailer_b.user, supply_point_number=point)
    assert (filed.kind, filed.application_type) == (Kind.ABOLISH, "01")

    applications.correct_application(
        actor=retailer_b.user, reception_number=filed.reception_number, changes={"removal": True}
    )
    assert messages_of(filed)[1].payload["application_type"] == "02"
    operators_work()

    filed = reload(filed)
    assert (filed.kind, filed.application_type, filed.revision) == (Kind.ABOLISH_WITH_REMOVAL, "02", 1)
    assert filed.state == State.COMPLETED and filed.step_code == "06"
    assert current(point).abolition_method == "meter_removal"
    assert "撤去工事" in filed.operator_notes


def test_sw_l12_ampere_change_corrected_to_another_ampere(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 3)
    filed = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=point, current_limit_a=40
    )
    applications.correct_application(
        actor=retailer_b.user, reception_number=filed.reception_number, changes={"current_limit_a": 50}
    )
    operators_work()

    filed = reload(filed)
    assert filed.payload["current_limit_a"] == 50 and filed.state == State.COMPLETED
    assert current(point).current_limit_a == 50
    assert "アンペアブレーカーの取替工事" in filed.operator_notes
    assert filed.change_date == date(2026, 11, 2)


def test_sw_l13_customer_change_corrected_items_replace_those_filed(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 4)
    filed = applications.apply_customer_change(
        actor=retailer_b.user, supply_point_number=point, customer_phone="03-9999-0000"
    )
    applications.correct_application(
        actor=retailer_b.user,
        reception_number=filed.reception_number,
        changes={"customer_phone": "03-8888-0000", "customer_name": "広域 次郎"},
    )
    update = messages_of(filed)[1]
    assert update.payload["changes"] == {"customer_phone": "03-8888-0000", "customer_name": "広域 次郎"}
    operators_work()

    version = current(point)
    assert (version.customer_phone, version.customer_name) == ("03-8888-0000", "広域 次郎")
    assert reload(filed).payload["changes"]["customer_name"] == "広域 次郎"


def test_sw_f02_fit_graduated_reconnection_carries_its_fit_application_type(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 5, point_class="fit_graduated", contract_state="stopped")
    filed = applications.apply_reconnection(
        actor=retailer_b.user, supply_point_number=point, desired_date=LATER, line="fit"
    )
    applications.correct_application(
        actor=retailer_b.user,
        reception_number=filed.reception_number,
        changes={"desired_date": LATER_STILL.isoformat()},
    )
    assert messages_of(filed)[1].payload["application_type"] == "15"
    operators_work()

    filed = reload(filed)
    assert filed.desired_date == LATER_STILL
    assert any("申込種別 15" in message["text"] for message in filed.operator_messages)


# --- 取消 before the operator took it ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["reconnect", "abolish", "ampere_change", "customer_change", "usage_password"]
)
def test_each_kind_cancelled_before_the_operator_took_it_is_withdrawn(
    kind: str, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(
        retailer_b.organization, 6, contract_state="stopped" if kind == "reconnect" else "in_service"
    )
    before = current(point)
    filed = _file(kind, retailer_a, retailer_b, point)
    actor = retailer_a.user if kind == "usage_password" else retailer_b.user

    sent = applications.cancel_application(actor=actor, reception_number=filed.reception_number)
    assert (sent.update_flag, sent.operator_step) == ("3", "取消回答待ち")
    assert messages_of(filed)[1].payload["update_flag"] == "3"
    operators_work()

    filed = reload(filed)
    assert (filed.state, filed.operator_step) == (State.CANCELLED, "取消")
    assert [m["code"] for m in filed.operator_messages] == ["I202"]
    assert current(point) == before  # the registry never changed
    original = messages_of(filed)[0]
    assert original.state == MessageState.ANSWERED  # the withdrawn original waits for nothing
    assert applications.allowed_acts(filed) == frozenset()


def _file(kind: str, retailer_a: Retailer, retailer_b: Retailer, point: str) -> Application:
    actor = retailer_b.user
    if kind == "reconnect":
        return applications.apply_reconnection(actor=actor, supply_point_number=point)
    if kind == "abolish":
        return applications.apply_abolition(actor=actor, supply_point_number=point)
    if kind == "ampere_change":
        return applications.apply_ampere_change(actor=actor, supply_point_number=point, current_limit_a=40)
    if kind == "customer_change":
        return applications.apply_customer_change(
            actor=actor, supply_point_number=point, customer_name="広域 三郎"
        )
    return applications.apply_usage_password(
        actor=retailer_a.user, supply_point_number=point, purpose="wheeling_contract"
    )


# --- after the operator took it: refused; the race --------------------------------------------------


def test_after_the_operator_took_it_correction_and_cancel_are_refused_by_the_hub(
    retailer_b: Retailer,
) -> None:
    point = make_point(retailer_b.organization, 7, contract_state="stopped")
    filed = applications.apply_reconnection(
        actor=retailer_b.user, supply_point_number=point, desired_date=LATER
    )
    operators_work()
    assert reload(filed).state == State.PROCESSING
    assert applications.allowed_acts(reload(filed)) == frozenset()

    with pytest.raises(InvalidTransition) as refused:
        applications.correct_application(
            actor=retailer_b.user,
            reception_number=filed.reception_number,
            changes={"desired_date": LATER_STILL.isoformat()},
        )
    assert refused.value.code == "already_taken"
    assert "既に受け付けて処理を開始している" in refused.value.message
    with pytest.raises(InvalidTransition) as refused:
        applications.cancel_application(actor=retailer_b.user, reception_number=filed.reception_number)
    assert refused.value.code == "already_taken"
    assert len(messages_of(filed)) == 1  # nothing was sent


def test_the_race_an_update_that_reaches_the_operator_after_it_took_the_original_is_refused(
    retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 8, contract_state="stopped")
    filed = applications.apply_reconnection(
        actor=retailer_b.user, supply_point_number=point, desired_date=LATER
    )
    deliver_only()
    simulator.tick()  # the operator takes it; its "accepted" has not reached the hub yet
    assert reload(filed).state == State.RECEIVED

    applications.correct_application(
        actor=retailer_b.user,
        reception_number=filed.reception_number,
        changes={"desired_date": LATER_STILL.isoformat()},
    )
    deliver_only()  # the operator answers the update at once: refused
    filed = reload(filed)
    assert filed.desired_date == LATER and filed.revision == 0
    assert filed.payload[PENDING_KEY]["state"] == "refused"
    assert filed.payload[PENDING_KEY]["error_code"] == "already_taken"
    assert filed.operator_messages[-1]["code"] == "E301"
    assert "訂正を受け付けられません" in filed.operator_messages[-1]["text"]
    events = events_after(organization_id=retailer_b.organization.pk, system="switching", after=0)
    assert events[-1].payload["operator_messages"][-1]["code"] == "E301"

    operators_work()
    on_the_day(clock, LATER)  # done on the date first asked
    filed = reload(filed)
    assert (filed.state, filed.change_date) == (State.COMPLETED, LATER)


def test_the_race_of_a_cancel_leaves_the_application_going(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 9)
    filed = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=point, current_limit_a=40
    )
    deliver_only()
    simulator.tick()
    applications.cancel_application(actor=retailer_b.user, reception_number=filed.reception_number)
    operators_work()

    filed = reload(filed)
    assert filed.state == State.COMPLETED and current(point).current_limit_a == 40
    assert filed.payload[PENDING_KEY]["state"] == "refused"
    assert any("取消を受け付けられません" in message["text"] for message in filed.operator_messages)


def test_one_update_at_a_time_and_the_rules_of_each_kind(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 10)
    filed = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=point, current_limit_a=40
    )
    number = filed.reception_number

    def refused(changes: dict[str, Any]) -> str:
        with pytest.raises((ValidationFailed, InvalidTransition)) as error:
            applications.check_correction(actor=retailer_b.user, reception_number=number, changes=changes)
        return str(error.value.code)

    assert refused({"current_limit_a": 40}) == "nothing_to_change"
    assert refused({"current_limit_a": 30}) == "ampere_unchanged"  # the registry's ampere
    assert refused({"current_limit_a": 45}) == "ampere_invalid"
    assert refused({"removal": True}) == "not_correctable"
    assert refused({"desired_date": "2020-01-01"}) == "date_in_past"

    applications.correct_application(
        actor=retailer_b.user, reception_number=number, changes={"current_limit_a": 50}
    )
    assert refused({"current_limit_a": 60}) == "update_pending"
    with pytest.raises(InvalidTransition) as pending:
        applications.check_cancellation(actor=retailer_b.user, reception_number=number)
    assert pending.value.code == "update_pending"


def test_sw_h03_high_voltage_abolition_keeps_its_removal(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 11, point_class="high")
    filed = applications.apply_abolition(actor=retailer_b.user, supply_point_number=point, line="high")
    with pytest.raises(ValidationFailed) as refused:
        applications.check_correction(
            actor=retailer_b.user, reception_number=filed.reception_number, changes={"removal": False}
        )
    assert refused.value.code == "removal_fixed"


def test_a_usage_password_application_has_nothing_to_correct(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 12)
    filed = _file("usage_password", retailer_a, retailer_b, point)
    assert applications.allowed_acts(filed) == frozenset({"cancel"})
    with pytest.raises(ValidationFailed) as refused:
        applications.check_correction(
            actor=retailer_a.user, reception_number=filed.reception_number, changes={}
        )
    assert refused.value.code == "nothing_to_correct"


def test_an_inquiry_answered_at_once_is_neither_corrected_nor_cancelled(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 13)
    filed = applications.inquire_facility(
        actor=retailer_a.user, supply_point_number=point, purpose="point_info"
    )
    with pytest.raises(InvalidTransition) as refused:
        applications.cancel_application(actor=retailer_a.user, reception_number=filed.reception_number)
    assert refused.value.code == "already_forwarded"


# --- the coded status of every answer ----------------------------------------------------------------


def test_step_codes_05_at_matching_06_on_completion_and_messages_of_a_switch(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 14)
    request = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0014",
    )
    switch = request.switch
    assert switch is not None
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=switch.number, decision="ok")
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=switch.number, contract_number="A-0014"
    )
    assert reload(start).step_code == ""
    abolish = switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=switch.number)
    assert reload(start).step_code == reload(abolish).step_code == "05"  # set by the hub at matching

    operators_work()
    start = reload(start)
    assert start.step_code == "05" and start.planned_change_date == date(2026, 11, 10)
    clock.move_to(datetime(2026, 11, 10, 0, 5, tzinfo=JST))
    operators_work()
    start = reload(start)
    assert (start.state, start.step_code, start.change_date) == (State.COMPLETED, "06", date(2026, 11, 10))
    assert start.operator_messages[-1] == {
        "code": "I106",
        "text": "スイッチングが完了しました（スイッチング日 2026年11月10日）。",
    }


def test_an_ng_answer_is_step_code_09_with_its_message(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 15)  # in service: a 再点 is refused by the operator
    filed = _reconnect_in_service(retailer_b, point)
    operators_work()
    filed = reload(filed)
    assert (filed.state, filed.step_code, filed.error_code) == (
        State.DEFECTIVE,
        "09",
        "reconnect_not_stopped",
    )
    assert filed.operator_messages[-1]["code"] == "E121"
    assert filed.change_date is None


def _reconnect_in_service(retailer: Retailer, point: str) -> Application:
    """A 再点 the hub forwards (the point stopped when filed) and the operator refuses (in service
    by the time it works on it)."""
    from kouiki.switching.models import SupplyPointVersion

    SupplyPointVersion.objects.filter(supply_point__number=point).update(contract_state="stopped")
    filed = applications.apply_reconnection(actor=retailer.user, supply_point_number=point)
    SupplyPointVersion.objects.filter(supply_point__number=point).update(contract_state="in_service")
    return filed


def test_an_inquiry_is_answered_08(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 16)
    filed = applications.inquire_facility(
        actor=retailer_a.user, supply_point_number=point, purpose="point_info"
    )
    operators_work()
    filed = reload(filed)
    assert (filed.state, filed.step_code) == (State.COMPLETED, "08")
    assert filed.planned_change_date is None and filed.change_date is None
    assert [m["code"] for m in filed.operator_messages] == ["I001", "I108"]


# --- the web: the detail screen shows the status and offers 訂正 / 取消 while allowed ---------------


def test_web_sw_l12_correct_through_the_screen_then_the_status_shows_codes_messages_and_notes(
    client: Client, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 20)
    filed = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=point, current_limit_a=40
    )
    client.force_login(retailer_b.user)
    detail_url = reverse("sw:application_detail", args=[filed.reception_number])
    detail = client.get(detail_url).content.decode()
    assert "訂正" in detail and "取消" in detail

    url = reverse("sw:application_correct", args=[filed.reception_number])
    assert "更新フラグ 2" in client.get(url).content.decode()
    confirm = client.post(url, {"current_limit_a": "50", "desired_date": "", "step": "confirm"})
    assert confirm.status_code == 200 and "50A" in confirm.content.decode()
    done = client.post(url, {"current_limit_a": "50", "desired_date": "", "step": "submit"})
    assert done.status_code == 302
    assert "2 訂正" in client.get(detail_url).content.decode()
    operators_work()

    detail = client.get(detail_url).content.decode()
    for shown in (
        "06",
        "完了",
        "受付メッセージ",
        "I201",
        "I100",
        "ご連絡事項",
        "アンペアブレーカー",
        "異動日",
    ):
        assert shown in detail, shown
    assert reload(filed).payload["current_limit_a"] == 50
    # Done: neither 訂正 nor 取消 is offered any more.
    assert reverse("sw:application_correct", args=[filed.reception_number]) not in detail


def test_web_a_cancel_after_the_operator_took_it_is_refused_with_the_reason(
    client: Client, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 21, contract_state="stopped")
    filed = applications.apply_reconnection(
        actor=retailer_b.user, supply_point_number=point, desired_date=LATER
    )
    client.force_login(retailer_b.user)
    detail_url = reverse("sw:application_detail", args=[filed.reception_number])
    cancel_url = reverse("sw:application_cancel", args=[filed.reception_number])
    assert cancel_url in client.get(detail_url).content.decode()
    assert "更新フラグ 3" in client.get(cancel_url).content.decode()
    operators_work()  # taken
    detail = client.get(detail_url).content.decode()
    assert cancel_url not in detail and "異動予定日" in detail

    response = client.post(cancel_url, follow=True)
    assert "既に受け付けて処理を開始しているため" in response.content.decode()
    assert reload(filed).state == State.PROCESSING


def test_web_the_applications_list_shows_the_step_code(client: Client, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 22)
    applications.apply_ampere_change(actor=retailer_b.user, supply_point_number=point, current_limit_a=40)
    operators_work()
    client.force_login(retailer_b.user)
    page = client.get(reverse("sw:applications")).content.decode()
    assert '<span class="sw-code">06</span>' in page
