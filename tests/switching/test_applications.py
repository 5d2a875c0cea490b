"""Low-voltage applications forwarded to the operator (SW-L01..L05, L12, L13), the status of one
or many 受付番号 (SW-L14, L15) and the list of operators (SW-C01). The operator is the gateway's
simulator, driven by `operators_work`; the registry changes only through its answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine

from kouiki.core.calendar import JST
from kouiki.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.systems import System
from kouiki.switching import selectors
from kouiki.switching.models import Application, Kind, PersonalDataAccess, State
from kouiki.switching.services import applications
from tests.factories import OrganizationFactory, participant
from tests.switching.conftest import Retailer, current, make_point, operators_work, reload

pytestmark = pytest.mark.usefixtures("clock")
PURPOSE = "point_info"


def test_sw_l01_facility_inquiry_answers_the_point_items_and_its_read_is_recorded(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    application = applications.inquire_facility(
        actor=retailer_a.user, supply_point_number=point, purpose=PURPOSE
    )
    assert application.kind == Kind.FACILITY_INQUIRY and application.state == State.RECEIVED
    # Until the operator answers, the status says so.
    assert application.operator_step == "一般送配電事業者回答待ち"
    operators_work()
    application = reload(application)
    assert application.state == State.COMPLETED

    result = selectors.application_result(actor=retailer_a.user, application=application)
    facility = result["facility"]
    assert facility["supply_point_number"] == point and facility["current_limit_a"] == 30
    assert "customer_name" not in facility  # no lawful role: no basic info
    [access] = PersonalDataAccess.objects.all()
    assert (access.organization, access.purpose, access.function_id) == (
        retailer_a.organization,
        PURPOSE,
        "SW-L01",
    )
    assert access.supply_point.number == point and access.items == ["point"]


def test_a_personal_data_read_names_one_of_the_five_purposes(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    for purpose in ("", "marketing"):
        with pytest.raises(ValidationFailed) as caught:
            applications.inquire_facility(actor=retailer_a.user, supply_point_number=point, purpose=purpose)
        assert caught.value.field == "purpose"


def test_sw_l02_l03_usage_with_the_password_of_the_answer_and_its_expiry(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1)
    issued = applications.apply_usage_password(
        actor=retailer_a.user, supply_point_number=point, purpose=PURPOSE
    )
    assert issued.kind == Kind.USAGE_PASSWORD
    operators_work()
    assert reload(issued).state == State.COMPLETED
    # The operator answers the password to the applying retailer (tests/switching/test_usage.py).
    password = selectors.application_result(actor=retailer_a.user, application=reload(issued))["password"]

    usage = applications.retrieve_usage(
        actor=retailer_a.user, supply_point_number=point, password=password, purpose=PURPOSE
    )
    assert "password" not in usage.payload  # the secret is not kept with the application
    operators_work()
    usage = reload(usage)
    assert usage.state == State.COMPLETED
    result = selectors.application_result(actor=retailer_a.user, application=usage)
    assert len(result["usage"]["monthly"]) == 13

    # After its last day (one month from the application) the password has expired: 不備 with the
    # operator's code.
    clock.move_to(datetime(2026, 12, 3, 0, 0, tzinfo=JST))
    late = applications.retrieve_usage(
        actor=retailer_a.user, supply_point_number=point, password=password, purpose=PURPOSE
    )
    operators_work()
    late = reload(late)
    assert late.state == State.DEFECTIVE and late.error_code == "usage_password_expired"
    assert "有効期限" in late.error_detail


def test_sw_l04_reconnection_only_of_a_stopped_point_by_its_current_retailer(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    stopped = make_point(retailer_b.organization, 1, contract_state="stopped")
    running = make_point(retailer_b.organization, 2)
    with pytest.raises(Forbidden) as caught:
        applications.apply_reconnection(actor=retailer_a.user, supply_point_number=stopped)
    assert caught.value.code == "not_current_retailer"
    with pytest.raises(ValidationFailed) as caught_state:
        applications.apply_reconnection(actor=retailer_b.user, supply_point_number=running)
    assert caught_state.value.code == "point_not_stopped"

    application = applications.apply_reconnection(actor=retailer_b.user, supply_point_number=stopped)
    assert current(stopped).contract_state == "stopped"  # only the operator's answer changes it
    operators_work()
    assert reload(application).state == State.COMPLETED
    assert current(stopped).contract_state == "in_service"
    # Once with the operator, neither 訂正 nor 取消.
    with pytest.raises(InvalidTransition):
        applications.cancel_application(actor=retailer_b.user, reception_number=application.reception_number)


@pytest.mark.parametrize(
    ("removal", "kind", "method"), [(False, "01", "switch_off"), (True, "02", "meter_removal")]
)
def test_sw_l05_abolition_with_and_without_removal(
    retailer_b: Retailer, removal: bool, kind: str, method: str
) -> None:
    point = make_point(retailer_b.organization, 1)
    application = applications.apply_abolition(
        actor=retailer_b.user, supply_point_number=point, removal=removal
    )
    assert application.application_type == kind
    operators_work()
    assert reload(application).state == State.COMPLETED
    version = current(point)
    assert version.contract_state == "abolished" and version.abolition_method == method
    with pytest.raises(ValidationFailed):
        applications.apply_abolition(actor=retailer_b.user, supply_point_number=point, removal=False)


@pytest.mark.parametrize("area", ["06", "07", "08", "10"])
def test_sw_l12_ampere_change_is_refused_where_there_are_no_ampere_breakers(
    retailer_b: Retailer, area: str
) -> None:
    point = make_point(retailer_b.organization, 1, area=area)
    with pytest.raises(ValidationFailed) as caught:
        applications.apply_ampere_change(actor=retailer_b.user, supply_point_number=point, current_limit_a=40)
    assert caught.value.code == "ampere_change_not_in_area"
    assert (
        "アンペアブレーカー" in caught.value.message
        and "アンペア変更は申し込めません" in caught.value.message
    )


def test_sw_l12_ampere_change_by_the_current_retailer(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    with pytest.raises(Forbidden):
        applications.apply_ampere_change(actor=retailer_a.user, supply_point_number=point, current_limit_a=40)
    with pytest.raises(ValidationFailed) as caught:
        applications.apply_ampere_change(actor=retailer_b.user, supply_point_number=point, current_limit_a=35)
    assert caught.value.field == "current_limit_a"
    application = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=point, current_limit_a=40
    )
    operators_work()
    assert reload(application).state == State.COMPLETED
    assert current(point).current_limit_a == 40


def test_sw_l13_customer_change_by_the_current_retailer(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    with pytest.raises(Forbidden):
        applications.apply_customer_change(
            actor=retailer_a.user, supply_point_number=point, customer_name="別人"
        )
    with pytest.raises(ValidationFailed) as caught:
        applications.apply_customer_change(
            actor=retailer_b.user, supply_point_number=point, customer_name="広域 太郎"
        )
    assert caught.value.code == "nothing_to_change"
    application = applications.apply_customer_change(
        actor=retailer_b.user, supply_point_number=point, customer_address="東京都港区芝公園四丁目2番8号"
    )
    operators_work()
    assert reload(application).state == State.COMPLETED
    assert current(point).customer_address == "東京都港区芝公園四丁目2番8号"


def test_an_operator_down_delays_an_application_and_loses_nothing(
    retailer_b: Retailer, settings: Any, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1, contract_state="stopped")
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = ["03"]
    application = applications.apply_reconnection(actor=retailer_b.user, supply_point_number=point)
    operators_work()
    application = reload(application)
    assert application.state == State.RECEIVED and application.operator_step == "一般送配電事業者回答待ち"
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []
    clock.move_to(datetime(2026, 11, 2, 11, 0, tzinfo=JST))
    operators_work()
    assert reload(application).state == State.COMPLETED


def test_sw_l14_l15_status_of_own_applications_only(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    mine = applications.inquire_facility(actor=retailer_a.user, supply_point_number=point, purpose=PURPOSE)
    theirs = applications.inquire_facility(actor=retailer_b.user, supply_point_number=point, purpose=PURPOSE)
    assert selectors.application_for(actor=retailer_a.user, reception_number=mine.reception_number) == mine
    with pytest.raises(NotFound):
        selectors.application_for(actor=retailer_a.user, reception_number=theirs.reception_number)

    found = selectors.statuses_for(
        actor=retailer_a.user,
        reception_numbers=[mine.reception_number, theirs.reception_number, "2099010100000001"],
    )
    assert [(number, application) for number, application in found] == [
        (mine.reception_number, mine),
        (theirs.reception_number, None),
        ("2099010100000001", None),
    ]
    with pytest.raises(ValidationFailed) as caught:
        selectors.statuses_for(actor=retailer_a.user, reception_numbers=[str(n) for n in range(1001)])
    assert caught.value.code == "too_many_numbers"
    assert len(selectors.statuses_for(actor=retailer_a.user, reception_numbers=["x"] * 1000)) == 1000


def test_sw_c01_operators_are_the_active_organizations_enrolled_in_switching(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    member_only = OrganizationFactory(code="9001")
    participant(organization=member_only, system=System.MEMBER, login_id="adm001")
    suspended = OrganizationFactory(code="9105", status="suspended")
    participant(organization=suspended, system=System.SWITCHING, login_id="adm001")
    assert [(o.code, o.name) for o in selectors.operators(actor=retailer_a.user)] == [
        ("9101", "新電力A株式会社"),
        ("9102", "新電力B株式会社"),
    ]


def test_application_lists_filter_and_csv(retailer_a: Retailer, retailer_b: Retailer) -> None:
    from kouiki.switching.selectors.exports import applications_csv

    point = make_point(retailer_b.organization, 1)
    other = make_point(retailer_b.organization, 2)
    applications.inquire_facility(actor=retailer_b.user, supply_point_number=point, purpose=PURPOSE)
    applications.apply_ampere_change(actor=retailer_b.user, supply_point_number=other, current_limit_a=40)
    assert selectors.applications_for(actor=retailer_b.user).count() == 2
    assert (
        selectors.applications_for(actor=retailer_b.user, kind="ampere_change").get().supply_point.number
        == other
    )
    found = selectors.applications_for(actor=retailer_b.user, supply_point_number=point).get()
    assert found.kind == "facility_inquiry"
    assert not selectors.applications_for(actor=retailer_a.user).exists()
    data = applications_csv(selectors.applications_for(actor=retailer_b.user))
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("受付番号,申込種別,申請種別")
    assert "アンペア変更" in text and "廃止取次番号" in text.splitlines()[0]


def test_sw_l13_invisible_text_is_refused_and_what_is_typed_is_kept_cleaned(
    retailer_b: Retailer,
) -> None:
    point = make_point(retailer_b.organization, 1)
    for name, value in (
        ("customer_name", "\u200b"),
        ("customer_name", "\ufeff\u2060\u200e"),
        ("customer_address", "\u3164\u3164"),
        ("contract_number", "\u200b\u200b"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            applications.apply_customer_change(
                actor=retailer_b.user, supply_point_number=point, **{name: value}
            )
        assert (caught.value.code, caught.value.field) == ("not_visible", name)
    assert not Application.objects.exists()

    application = applications.apply_customer_change(
        actor=retailer_b.user,
        supply_point_number=point,
        customer_name="広域\u200b\u3000花子",
        customer_phone="０９０－１１１１－２２２２",
    )
    assert application.payload["changes"] == {"customer_name": "広域 花子", "customer_phone": "090-1111-2222"}
    operators_work()
    assert current(point).customer_name == "広域 花子"
