"""Switching of low-voltage points (SW-L06..L11): the cancel-forward, the current retailer's
decision, the pair of applications, matching by the hub, the operator completing the switch on
its date, and the refusals (issue 7, "The business rules (low voltage)")."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from kouiki.core.calendar import JST
from kouiki.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.events import events_after
from kouiki.core.systems import System
from kouiki.switching import selectors
from kouiki.switching.models import Application, Kind, State, Switch, SwitchState
from kouiki.switching.services import applications, dates, switch_pairs, switches
from kouiki.switching.services.switches import SwitchInProgress
from kouiki.tso.models import OperatorMessage
from tests.factories import participant
from tests.switching.conftest import (
    CUSTOMER_ADDRESS,
    CUSTOMER_NAME,
    Retailer,
    current,
    make_point,
    make_retailer,
    operators_work,
    reload,
)

pytestmark = pytest.mark.usefixtures("clock")


def register(retailer: Retailer, point: str, **changes: object) -> Application:
    values: dict[str, object] = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": f"B-{int(point[-4:]):04d}",
        **changes,
    }
    return switches.register_cancel_forward(actor=retailer.user, **values)  # type: ignore[arg-type]


def test_sw_l06_to_l11_the_whole_switch_ends_with_the_registry_showing_the_new_retailer(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1)

    # SW-L06: 新電力A registers the cancel-forward with the customer's identification.
    request = register(retailer_a, point)
    switch = request.switch
    assert request.kind == Kind.CANCEL_FORWARD and request.state == State.RECEIVED
    assert len(request.reception_number) == 16 and request.reception_number.startswith("20261102")
    assert switch is not None and switch.number.startswith("HT20261102")
    assert switch.state == SwitchState.REQUESTED and switch.current_retailer == retailer_b.organization
    # 1 business day (11-03 is a holiday: 11-04) + 2 days = 11-06; the next reading day, the 10th.
    assert switch.switching_date == date(2026, 11, 10)

    # SW-L09: 新電力B sees it; SW-L10: decides OK.
    assert [s.number for s in selectors.switches_received(actor=retailer_b.user)] == [switch.number]
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=switch.number, decision="ok")
    # SW-L07: 新電力A sees the OK.
    [seen] = selectors.switches_filed(actor=retailer_a.user)
    assert seen.state == SwitchState.APPROVED and seen.decision == "ok"
    assert reload(request).state == State.COMPLETED

    # SW-L08 then SW-L11: the second one matches the pair, both go to the operator.
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=switch.number, contract_number="A-9001"
    )
    assert start.state == State.RECEIVED and start.operator_step == "突合待ち" and not start.message_id
    abolish = switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=switch.number)
    start = reload(start)
    switch.refresh_from_db()
    assert switch.state == SwitchState.MATCHED
    assert start.message_id and abolish.message_id
    assert start.operator_step == abolish.operator_step == "一般送配電事業者回答待ち"
    assert (
        OperatorMessage.objects.filter(
            reference__in=[start.reception_number, abolish.reception_number]
        ).count()
        == 2
    )

    # The operator takes both ("accepted") but switches only on the switching date.
    operators_work()
    assert reload(start).state == State.PROCESSING and reload(start).operator_step == "一般送配電事業者受付"
    assert current(point).retailer == retailer_b.organization

    clock.move_to(datetime(2026, 11, 10, 0, 5, tzinfo=JST))
    operators_work()
    assert reload(start).state == State.COMPLETED and reload(abolish).state == State.COMPLETED
    switch.refresh_from_db()
    assert switch.state == SwitchState.COMPLETED
    now = current(point)
    assert now.retailer == retailer_a.organization
    assert now.retail_contract_number == "A-9001"
    assert now.valid_from == datetime(2026, 11, 10, tzinfo=JST)
    # History: 新電力B until the switching date, 新電力A from it.
    assert (
        selectors.as_of(point, datetime(2026, 11, 9, 23, 59, tzinfo=JST)).retailer_id
        == retailer_b.organization.pk
    )

    # Both retailers were told of every change of the switch (events, ADR 11).
    topics_a = [
        e.topic for e in events_after(organization_id=retailer_a.organization.pk, system="switching", after=0)
    ]
    topics_b = [
        e.topic for e in events_after(organization_id=retailer_b.organization.pk, system="switching", after=0)
    ]
    assert topics_a.count("switch.updated") == topics_b.count("switch.updated") >= 4
    assert "application.updated" in topics_a and "application.updated" in topics_b


def test_sw_l06_identification_that_differs_from_the_registry_is_registered_for_the_current_retailer(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    # The current retailer compares and decides (tests/switching/test_identification.py): the hub
    # checks the form only.
    point = make_point(retailer_b.organization, 1)
    request = register(retailer_a, point, customer_name="広域 次郎", contract_number="B-9999")
    assert request.state == State.RECEIVED
    assert request.switch is not None and request.switch.customer_name == "広域 次郎"


def test_sw_l06_a_point_already_switching_is_refused_with_the_number_in_progress(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    first = register(retailer_a, point)
    third = make_retailer("9103", "新電力C株式会社")
    with pytest.raises(SwitchInProgress) as caught:
        register(third, point)
    assert caught.value.status == 409 and caught.value.code == "switch_in_progress"
    assert caught.value.switch_number == first.switch.number  # type: ignore[union-attr]
    assert first.switch.number in caught.value.message  # type: ignore[union-attr]
    # The same retailer twice is refused the same way.
    with pytest.raises(SwitchInProgress):
        register(retailer_a, point)


@pytest.mark.parametrize(
    ("point_number", "error"),
    [("03000000000000000001", ValidationFailed), ("1100000000000000000001", ValidationFailed)],
)
def test_sw_l06_a_bad_number_is_refused(
    retailer_a: Retailer, retailer_b: Retailer, point_number: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        register(retailer_a, point_number, contract_number="B-0001")
    assert caught.value.field == "supply_point_number"  # type: ignore[attr-defined]


def test_sw_l06_refusals_of_the_point(retailer_a: Retailer, retailer_b: Retailer) -> None:
    with pytest.raises(NotFound):
        register(retailer_a, "0300000000000000009999")
    stopped = make_point(retailer_b.organization, 2, contract_state="stopped")
    with pytest.raises(ValidationFailed) as caught:
        register(retailer_a, stopped)
    assert caught.value.code == "point_not_in_service"
    own = make_point(retailer_a.organization, 3)
    with pytest.raises(ValidationFailed) as caught:
        register(retailer_a, own)
    assert caught.value.code == "already_current_retailer"
    high = make_point(retailer_b.organization, 4, voltage="high")
    with pytest.raises(ValidationFailed) as caught:
        register(retailer_a, high)
    assert caught.value.code == "point_class_mismatch" and "SW-H04" in caught.value.message


def test_sw_l06_a_desired_date_before_the_lead_time_is_refused(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    with pytest.raises(ValidationFailed) as caught:
        register(retailer_a, point, desired_date=date(2026, 11, 5))
    assert caught.value.field == "desired_date" and "2026/11/06" in caught.value.message
    request = register(retailer_a, point, desired_date=date(2026, 11, 20))
    switch = request.switch
    assert switch is not None and switch.switching_date == date(2026, 11, 20)
    # The pair must be in by the end of the last day from which the lead time reaches 11-20:
    # filed on 11-17 (Tue): 1 business day → 11-18, + 2 days → 11-20.
    assert switch.deadline == datetime(2026, 11, 18, tzinfo=JST)


def test_sw_l06_meter_work_takes_the_longer_lead_time(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1, meter={"meter_number": "M1", "smart_meter": False})
    switch = register(retailer_a, point).switch
    # 8 business days after Mon 11-02 (11-03 a holiday) is Fri 11-13, + 2 days = 11-15 → 12-10.
    assert switch is not None and switch.meter_work and switch.switching_date == date(2026, 12, 10)


def test_sw_l10_ng_carries_a_fixed_reason_and_text_and_ends_the_switch(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    request = register(retailer_a, point)
    number = request.switch.number  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed) as caught:
        switches.decide_cancel_forward(actor=retailer_b.user, switch_number=number, decision="ng")
    assert set(caught.value.errors) == {"ng_reasons", "ng_text"}
    switch = switches.decide_cancel_forward(
        actor=retailer_b.user,
        switch_number=number,
        decision="ng",
        ng_reason="02",
        ng_text="需要者から継続の申出あり",
    )
    assert switch.state == SwitchState.REJECTED
    request = reload(request)
    assert request.state == State.DEFECTIVE and request.error_code == "cancel_forward_ng"
    assert "契約継続" in request.error_detail and "継続の申出あり" in request.error_detail
    # Decided once only; a new cancel-forward may be registered afterwards.
    with pytest.raises(InvalidTransition):
        switches.decide_cancel_forward(actor=retailer_b.user, switch_number=number, decision="ok")
    assert register(retailer_a, point).switch.number != number  # type: ignore[union-attr]


def test_only_the_parties_act_on_a_switch_and_others_see_nothing(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    number = register(retailer_a, point).switch.number  # type: ignore[union-attr]
    third = make_retailer("9103", "新電力C株式会社")
    # The new retailer cannot decide its own cancel-forward; a stranger cannot see it at all.
    with pytest.raises(NotFound):
        switches.decide_cancel_forward(actor=retailer_a.user, switch_number=number, decision="ok")
    with pytest.raises(NotFound):
        selectors.switch_for(actor=third.user, switch_number=number)
    with pytest.raises(NotFound):
        switch_pairs.apply_switching_abolish(actor=third.user, switch_number=number)
    # Before the OK, neither application can be filed.
    with pytest.raises(InvalidTransition):
        switch_pairs.apply_switching_start(actor=retailer_a.user, switch_number=number, contract_number="A-1")


def test_a_second_start_for_the_same_switch_is_refused(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    number = register(retailer_a, point).switch.number  # type: ignore[union-attr]
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=number, decision="ok")
    first = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=number, contract_number="A-1"
    )
    with pytest.raises(Conflict) as caught:
        switch_pairs.apply_switching_start(actor=retailer_a.user, switch_number=number, contract_number="A-2")
    assert caught.value.code == "already_filed" and first.reception_number in caught.value.message


def test_correct_and_cancel_until_matching_then_a_clear_refusal(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    request = register(retailer_a, point)
    number = request.switch.number  # type: ignore[union-attr]

    # 訂正 of the cancel-forward before the decision: its items' form re-checked, same 受付番号.
    corrected = applications.correct_application(
        actor=retailer_a.user,
        reception_number=request.reception_number,
        changes={"desired_date": "2026-11-25"},
    )
    assert corrected.reception_number == request.reception_number and corrected.revision == 1
    assert corrected.desired_date == date(2026, 11, 25)
    with pytest.raises(ValidationFailed):
        applications.correct_application(
            actor=retailer_a.user,
            reception_number=request.reception_number,
            changes={"customer_name": "\u200b"},
        )

    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=number, decision="ok")
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=number, contract_number="A-1"
    )
    # 訂正 and 取消 of the 05 before matching.
    start = applications.correct_application(
        actor=retailer_a.user, reception_number=start.reception_number, changes={"contract_number": "A-2"}
    )
    assert start.payload["contract_number"] == "A-2"
    applications.cancel_application(actor=retailer_a.user, reception_number=start.reception_number)
    assert reload(start).state == State.CANCELLED
    # Filed again, then matched by the 03: both are locked.
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=number, contract_number="A-3"
    )
    abolish = switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=number)
    for actor, application in ((retailer_a.user, start), (retailer_b.user, abolish)):
        with pytest.raises(InvalidTransition) as caught:
            applications.cancel_application(actor=actor, reception_number=application.reception_number)
        assert caught.value.code == "locked_after_matching" and "突合" in caught.value.message
    with pytest.raises(InvalidTransition) as caught:
        applications.correct_application(
            actor=retailer_a.user, reception_number=start.reception_number, changes={"contract_number": "A-4"}
        )
    assert caught.value.code == "locked_after_matching"
    with pytest.raises(InvalidTransition):
        applications.cancel_application(actor=retailer_a.user, reception_number=request.reception_number)
    # Another organization's 受付番号 is not found.
    with pytest.raises(NotFound):
        applications.cancel_application(actor=retailer_b.user, reception_number=start.reception_number)


def test_the_acts_offered_next_are_the_acts_the_services_accept(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1)
    request = register(retailer_a, point)
    switch = request.switch
    assert switch is not None

    def switch_acts() -> tuple[frozenset[str], frozenset[str]]:
        """(the new retailer's, the current retailer's)"""
        switch.refresh_from_db()
        return (
            switches.allowed_acts(actor=retailer_a.user, switch=switch),
            switches.allowed_acts(actor=retailer_b.user, switch=switch),
        )

    # Before the decision: the current retailer decides; the new one corrects or cancels its 20.
    assert switch_acts() == (set(), {"decide"})
    assert applications.allowed_acts(reload(request)) == {"correct", "cancel"}
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=switch.number, decision="ok")
    assert switch_acts() == ({"start"}, {"abolish"})
    # Decided: the 20 is only cancelled (the whole switch), and correcting it is refused.
    assert applications.allowed_acts(reload(request)) == {"cancel"}
    with pytest.raises(InvalidTransition) as refused:
        applications.correct_application(
            actor=retailer_a.user, reception_number=request.reception_number, changes={"desired_date": None}
        )
    assert refused.value.code == "already_decided"
    # A 03 has nothing to correct; each side files its application once.
    abolish = switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=switch.number)
    assert applications.allowed_acts(reload(abolish)) == {"cancel"}
    assert switch_acts() == ({"start"}, set())
    with pytest.raises(ValidationFailed) as nothing:
        applications.correct_application(
            actor=retailer_b.user, reception_number=abolish.reception_number, changes={}
        )
    assert nothing.value.code == "nothing_to_correct"
    # Past the deadline (before the job rejects the switch) the pair can no longer be completed.
    clock.move_to(switch.deadline)
    assert switch_acts() == (set(), set())
    with pytest.raises(InvalidTransition):
        switch_pairs.apply_switching_start(
            actor=retailer_a.user, switch_number=switch.number, contract_number="A-1"
        )
    # An application that goes straight to the operator is neither corrected nor cancelled.
    inquiry = applications.inquire_facility(
        actor=retailer_b.user, supply_point_number=point, purpose="point_info"
    )
    assert applications.allowed_acts(inquiry) == set()


def test_cancelling_the_cancel_forward_ends_the_switch_and_its_waiting_applications(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    request = register(retailer_a, point)
    number = request.switch.number  # type: ignore[union-attr]
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=number, decision="ok")
    abolish = switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=number)
    applications.cancel_application(actor=retailer_a.user, reception_number=request.reception_number)
    request.switch.refresh_from_db()  # type: ignore[union-attr]
    assert request.switch.state == SwitchState.CANCELLED  # type: ignore[union-attr]
    assert reload(abolish).state == State.CANCELLED
    # The point is free for a new cancel-forward.
    assert register(retailer_a, point).state == State.RECEIVED


def test_an_unmatched_pair_past_its_deadline_is_rejected_with_the_reason(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1)
    undecided_point = make_point(retailer_b.organization, 2)
    request = register(retailer_a, point)
    undecided = register(retailer_a, undecided_point)
    switch = request.switch
    assert switch is not None and switch.deadline == datetime(2026, 11, 14, tzinfo=JST)  # 8 business days
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=switch.number, decision="ok")
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=switch.number, contract_number="A-1"
    )

    clock.move_to(datetime(2026, 11, 13, 23, 59, tzinfo=JST))
    assert switches.expire_unmatched_switches() == []
    clock.move_to(datetime(2026, 11, 14, 0, 0, tzinfo=JST))
    assert sorted(switches.expire_unmatched_switches()) == sorted([switch.number, undecided.switch.number])  # type: ignore[union-attr]

    switch.refresh_from_db()
    assert switch.state == SwitchState.FAILED and switch.close_code == "pair_deadline_passed"
    start = reload(start)
    assert start.state == State.DEFECTIVE and start.error_code == "pair_deadline_passed"
    assert "揃わなかった" in start.error_detail
    undecided = reload(undecided)
    assert undecided.state == State.DEFECTIVE and "取次判断" in undecided.error_detail
    # Too late for the current retailer's 03 as well.
    with pytest.raises(InvalidTransition):
        switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=switch.number)


def test_operator_rejection_fails_the_switch_and_leaves_the_registry(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates, settings: object
) -> None:
    point = make_point(retailer_b.organization, 1)
    number = register(retailer_a, point).switch.number  # type: ignore[union-attr]
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=number, decision="ok")
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=number, contract_number="A-1"
    )
    switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=number)
    # The messages reach the operator only after the switching date has passed: it rejects them.
    clock.move_to(datetime(2026, 11, 11, 9, 0, tzinfo=JST))
    operators_work()
    start = reload(start)
    assert start.state == State.DEFECTIVE and start.error_code == "switching_date_past"
    assert start.switch.state == SwitchState.FAILED  # type: ignore[union-attr]
    assert current(point).retailer == retailer_b.organization


def test_rights_come_from_the_catalog(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    member_only = participant(organization=retailer_a.organization, system=System.MEMBER, login_id="mem001")
    with pytest.raises(Forbidden):
        register(Retailer(retailer_a.organization, member_only, member_only), point)


def test_the_database_holds_one_open_switch_per_point(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    first = register(retailer_a, point).switch
    assert first is not None
    duplicate = Switch(
        number="HT20261102999999",
        supply_point=first.supply_point,
        voltage="low",
        area="03",
        new_retailer=retailer_a.organization,
        current_retailer=retailer_b.organization,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
        deadline=first.deadline,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # A closed switch next to the open one is fine.
    duplicate.state = SwitchState.CANCELLED
    duplicate.save()


def test_the_deadline_job_is_registered() -> None:
    from kouiki.core import periodic
    from kouiki.switching import tasks

    assert any(job.task is tasks.expire_unmatched_switches for job in periodic.registered())


def test_sw_l06_a_desired_date_more_than_a_year_ahead_is_refused_on_registration_and_correction(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    for far in (date(2027, 11, 3), date(9999, 12, 30), date(9999, 12, 31)):
        with pytest.raises(ValidationFailed) as caught:
            register(retailer_a, point, desired_date=far)
        assert (caught.value.code, caught.value.field) == ("desired_date_too_far", "desired_date")
        assert "2027/11/02" in caught.value.message
    request = register(retailer_a, point, desired_date=date(2027, 11, 2))  # one year: still taken
    assert request.switch is not None and request.switch.desired_date == date(2027, 11, 2)
    with pytest.raises(ValidationFailed) as caught:
        applications.correct_application(
            actor=retailer_a.user,
            reception_number=request.reception_number,
            changes={"desired_date": "9999-12-31"},
        )
    assert caught.value.code == "desired_date_too_far"
    assert reload(request).revision == 0


def test_the_dates_of_a_switch_refuse_a_date_past_the_calendar_instead_of_overflowing() -> None:
    for desired in (date(9999, 12, 30), date(9999, 12, 31)):
        with pytest.raises(dates.DateOutOfRange):
            dates.pair_deadline(
                registered_on=date(2026, 11, 2),
                area="03",
                point_class="low",
                meter_work=True,
                desired_date=desired,
            )
    assert dates.latest_desired_date(date(2028, 2, 29)) == date(2029, 2, 28)


def test_sw_l06_a_correction_that_changes_nothing_is_refused_and_the_deadline_stays_from_registration(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1)
    request = register(retailer_a, point)
    switch = request.switch
    assert switch is not None
    registered_deadline = switch.deadline  # 8 business days from the registration

    for changes in (
        {},
        {"customer_name": CUSTOMER_NAME, "contract_number": " B-0001 "},
        {"customer_address": CUSTOMER_ADDRESS.replace("丸の内", "丸の内\u200b"), "desired_date": None},
    ):
        with pytest.raises(ValidationFailed) as caught:
            applications.correct_application(
                actor=retailer_a.user, reception_number=request.reception_number, changes=changes
            )
        assert caught.value.code == "nothing_to_change", changes
    assert reload(request).revision == 0

    # Corrections days later do not move the deadline counted from the registration.
    clock.move_to(datetime(2026, 11, 5, 10, 0, tzinfo=JST))
    applications.correct_application(
        actor=retailer_a.user,
        reception_number=request.reception_number,
        changes={"desired_date": "2026-12-10"},
    )
    applications.correct_application(
        actor=retailer_a.user,
        reception_number=request.reception_number,
        changes={"customer_name": "広域太郎"},
    )
    corrected = applications.correct_application(
        actor=retailer_a.user, reception_number=request.reception_number, changes={"desired_date": None}
    )
    switch.refresh_from_db()
    assert corrected.revision == 3 and switch.customer_name == "広域太郎"
    assert switch.deadline == registered_deadline

    # A 05 corrected to the number it has is no correction either.
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=switch.number, decision="ok")
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=switch.number, contract_number="A-1"
    )
    with pytest.raises(ValidationFailed) as caught:
        applications.correct_application(
            actor=retailer_a.user, reception_number=start.reception_number, changes={"contract_number": "A-1"}
        )
    assert caught.value.code == "nothing_to_change"


def test_sw_l06_identification_is_cleaned_and_invisible_text_is_refused(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    for invisible in ("\u200b", "\u200b\u2060\ufeff", "\u3164", "\u00ad\u200d"):
        with pytest.raises(ValidationFailed) as caught:
            register(retailer_a, point, customer_name=invisible, contract_number="\u200b")
        assert caught.value.code == "not_visible"
        assert set(caught.value.errors) == {"customer_name", "contract_number"}
        assert "表示されない文字" in caught.value.errors["customer_name"][0]
    # Width, a zero-width space inside and an ideographic space are how people type: kept cleaned.
    request = register(
        retailer_a,
        point,
        customer_name="広域\u200b\u3000太郎",
        customer_address="東京都千代田区丸の内一丁目１番１号\u2060",
        contract_number="Ｂ－０００１",
    )
    switch = request.switch
    assert switch is not None
    assert (switch.customer_name, switch.customer_address, switch.contract_number) == (
        "広域 太郎",
        CUSTOMER_ADDRESS,
        "B-0001",
    )
    assert request.payload["customer_name"] == "広域 太郎"
