"""The three lines of the hub — 低圧, 高圧500kW未満, 低圧FIT電源・FIT卒業電源 — served by one service per
業務, the point's class deciding the rules (issue 13; kouiki.switching.services.lines): every
refusal the classes imply, a whole switch of each switchable class, the 申込種別 of each class."""

from __future__ import annotations

from datetime import datetime, time

import pytest
import time_machine

from kouiki.core.calendar import JST
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.switching import selectors
from kouiki.switching.models import Kind, PointClass, State, SwitchState
from kouiki.switching.services import applications, lines, switch_pairs, switches
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

LINE_OF = {PointClass.LOW: "low", PointClass.HIGH: "high", PointClass.FIT_GRADUATED: "fit"}


def register(retailer: Retailer, point: str, line: str):  # type: ignore[no-untyped-def]
    return switches.register_cancel_forward(
        actor=retailer.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number=f"B-{int(point[-4:]):04d}",
        line=line,
    )


@pytest.mark.parametrize("point_class", [PointClass.LOW, PointClass.HIGH, PointClass.FIT_GRADUATED])
def test_a_whole_switch_of_each_class_ends_with_the_registry_changed(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates, point_class: str
) -> None:
    line = LINE_OF[point_class]
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    request = register(retailer_a, point, line)
    switch = request.switch
    assert switch is not None and switch.point_class == point_class
    assert request.application_type == "" and request.point_class == point_class
    assert [s.number for s in selectors.switches_received(actor=retailer_b.user, line=line)] == [
        switch.number
    ]
    switches.decide_cancel_forward(
        actor=retailer_b.user, switch_number=switch.number, decision="ok", line=line
    )
    assert [s.state for s in selectors.switches_filed(actor=retailer_a.user, line=line)] == [
        SwitchState.APPROVED
    ]
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=switch.number, contract_number="A-9001", line=line
    )
    abolish = switch_pairs.apply_switching_abolish(
        actor=retailer_b.user, switch_number=switch.number, line=line
    )
    fit = point_class == PointClass.FIT_GRADUATED
    assert (start.application_type, abolish.application_type) == (("16", "14") if fit else ("05", "03"))
    switch.refresh_from_db()
    assert switch.state == SwitchState.MATCHED and switch.switching_date is not None
    operators_work()
    clock.move_to(datetime.combine(switch.switching_date, time(0, 5), tzinfo=JST))
    operators_work()
    assert reload(start).state == State.COMPLETED and reload(abolish).state == State.COMPLETED
    now = current(point)
    assert now.retailer == retailer_a.organization and now.retail_contract_number == "A-9001"
    # Each line's lists show its own switches only.
    other = next(key for key in ("low", "high", "fit") if key != line)
    assert not selectors.switches_filed(actor=retailer_a.user, line=other).exists()


def test_the_high_voltage_lead_time_is_longer_than_the_low_voltage_one(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    low = register(retailer_a, make_point(retailer_b.organization, 1), "low").switch
    high = register(
        retailer_a, make_point(retailer_b.organization, 2, point_class=PointClass.HIGH), "high"
    ).switch
    assert low is not None and high is not None
    assert low.switching_date is not None and high.switching_date is not None
    assert high.switching_date > low.switching_date


@pytest.mark.parametrize(
    ("point_class", "line", "right"),
    [
        (PointClass.HIGH, "low", "SW-H04"),
        (PointClass.LOW, "high", "SW-L06"),
        (PointClass.FIT_GRADUATED, "low", "SW-F04"),
        (PointClass.LOW, "fit", "SW-L06"),
        (PointClass.FIT_GRADUATED, "high", "SW-F04"),
    ],
)
def test_a_point_of_another_class_is_refused_naming_the_function_that_serves_it(
    retailer_a: Retailer, retailer_b: Retailer, point_class: str, line: str, right: str
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    with pytest.raises(ValidationFailed) as caught:
        register(retailer_a, point, line)
    assert caught.value.code == "point_class_mismatch" and f"（{right}）" in caught.value.message


def test_a_fit_point_is_never_switched_nor_reconnected(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1, point_class=PointClass.FIT)
    with pytest.raises(ValidationFailed) as caught:
        register(retailer_a, point, "fit")
    assert caught.value.code == "fit_not_graduated"
    assert "FIT卒業電源の受電地点のみ" in caught.value.message
    stopped = make_point(retailer_b.organization, 2, point_class=PointClass.FIT, contract_state="stopped")
    with pytest.raises(ValidationFailed) as caught:
        applications.apply_reconnection(actor=retailer_b.user, supply_point_number=stopped, line="fit")
    assert caught.value.code == "fit_not_graduated"
    # 廃止・撤去 and 発電者情報変更 serve FIT points too (申込種別 12 / 13, 17).
    abolished = applications.apply_abolition(
        actor=retailer_b.user, supply_point_number=point, removal=True, line="fit"
    )
    assert abolished.application_type == "13" and abolished.kind == Kind.ABOLISH_WITH_REMOVAL
    changed = applications.apply_customer_change(
        actor=retailer_b.user, supply_point_number=stopped, customer_name="広域 花子", line="fit"
    )
    assert changed.application_type == "17" and changed.kind_name == "発電者情報変更"


def test_a_fit_graduated_point_is_reconnected_with_the_fit_code(retailer_b: Retailer) -> None:
    point = make_point(
        retailer_b.organization, 1, point_class=PointClass.FIT_GRADUATED, contract_state="stopped"
    )
    application = applications.apply_reconnection(
        actor=retailer_b.user, supply_point_number=point, line="fit"
    )
    assert application.application_type == "15" and application.point_class == PointClass.FIT_GRADUATED


def test_high_voltage_has_no_reconnection_nor_ampere_change_and_abolishes_with_removal(
    retailer_b: Retailer,
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=PointClass.HIGH, contract_state="stopped")
    with pytest.raises(ValidationFailed) as caught:
        applications.apply_reconnection(actor=retailer_b.user, supply_point_number=point)
    assert caught.value.code == "point_class_mismatch"
    assert "高圧（500kW未満）の供給地点には、本システムで再点を申し込めません" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        applications.apply_ampere_change(actor=retailer_b.user, supply_point_number=point, current_limit_a=40)
    assert caught.value.code == "point_class_mismatch"
    running = make_point(retailer_b.organization, 2, point_class=PointClass.HIGH)
    abolition = applications.apply_abolition(
        actor=retailer_b.user, supply_point_number=running, removal=False, line="high"
    )
    assert abolition.application_type == "02" and abolition.kind == Kind.ABOLISH_WITH_REMOVAL


def test_usage_inquiries_of_the_high_line_serve_500_kw_and_extra_high_voltage(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    for serial, point_class in ((1, PointClass.HIGH_LARGE), (2, PointClass.EXTRA_HIGH), (3, PointClass.HIGH)):
        point = make_point(retailer_b.organization, serial, point_class=point_class)
        application = applications.apply_usage_password(
            actor=retailer_a.user, supply_point_number=point, purpose="point_info", line="high"
        )
        assert application.application_type == "08"
    large = make_point(retailer_b.organization, 4, point_class=PointClass.HIGH_LARGE)
    with pytest.raises(ValidationFailed) as caught:
        applications.apply_usage_password(
            actor=retailer_a.user, supply_point_number=large, purpose="point_info", line="low"
        )
    assert "（SW-H01）" in caught.value.message
    # Nothing else serves a point of 500 kW or more.
    with pytest.raises(ValidationFailed) as caught:
        register(retailer_a, large, "high")
    assert caught.value.code == "point_class_mismatch" and "本システムで" in caught.value.message


def test_the_status_of_each_line_reads_its_own_applications(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    high = make_point(retailer_b.organization, 1, point_class=PointClass.HIGH)
    low = make_point(retailer_b.organization, 2)
    high_application = applications.apply_usage_password(
        actor=retailer_a.user, supply_point_number=high, purpose="point_info", line="high"
    )
    low_application = applications.apply_usage_password(
        actor=retailer_a.user, supply_point_number=low, purpose="point_info"
    )
    number = high_application.reception_number
    assert selectors.application_for(actor=retailer_a.user, reception_number=number, line="high").pk == (
        high_application.pk
    )
    with pytest.raises(ValidationFailed) as caught:
        selectors.application_for(actor=retailer_a.user, reception_number=number, line="low")
    assert "（SW-H11）" in caught.value.message
    # Wherever it was filed, a screen showing one application finds it (no line named).
    assert selectors.application_for(actor=retailer_a.user, reception_number=number).pk == high_application.pk
    many = selectors.statuses_for(
        actor=retailer_a.user, reception_numbers=[number, low_application.reception_number], line="high"
    )
    assert [found is not None for _number, found in many] == [True, False]
    assert [a.pk for a in selectors.applications_for(actor=retailer_a.user, line="high")] == [
        high_application.pk
    ]
    with pytest.raises(NotFound):
        selectors.application_for(actor=retailer_b.user, reception_number=number, line="high")


def test_every_function_of_the_line_table_is_a_switching_function_of_the_catalog() -> None:
    from kouiki.core import catalog

    for line in lines.LINES.values():
        for business, function_id in line.functions.items():
            function = catalog.get(function_id)
            assert function.system == "switching"
            assert function.business.startswith(line.label.split("・")[0][:2]), (business, function_id)
    assert lines.LINES["high"].service_id(lines.Business.CANCEL_FORWARD) == "IS_K20110"
    assert lines.LINES["fit"].service_id(lines.Business.SWITCH_START) == "IF_F10610"
    assert lines.LINES["low"].service_id(lines.Business.AMPERE_CHANGE) == "IF_10910"
    assert lines.LINES["high"].service_id(lines.Business.AMPERE_CHANGE) is None
