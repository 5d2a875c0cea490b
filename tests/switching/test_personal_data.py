"""Personal data of customers (SW-P1, SW-P2): each read names a purpose and is recorded in the
organization's ledger and the audit log; basic info only for a lawful reader."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.calendar import JST
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.switching import selectors
from kouiki.switching.models import Application, PersonalDataAccess, Switch, SwitchState
from kouiki.switching.services import applications, personal_data, switch_pairs, switches
from tests.switching.conftest import (
    CUSTOMER_ADDRESS,
    CUSTOMER_NAME,
    Retailer,
    make_point,
    make_retailer,
    operators_work,
)

pytestmark = pytest.mark.usefixtures("clock")


def _register(retailer: Retailer, point: str) -> str:
    application = switches.register_cancel_forward(
        actor=retailer.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number=f"B-{int(point[-4:]):04d}",
    )
    return application.switch.number  # type: ignore[union-attr]


def test_sw_p2_basic_info_for_the_current_retailer_and_a_new_retailer_switching_only(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    third = make_retailer("9103", "新電力C株式会社")

    info = personal_data.read_basic_info(actor=retailer_b.user, supply_point_number=point, purpose="billing")
    assert (info.customer_name, info.contract_number, info.lawful_role) == (
        CUSTOMER_NAME,
        "B-0001",
        "current",
    )

    # Before its switching, the new retailer gets "not found", like any stranger and like an
    # unknown number: nothing tells that the customer exists.
    for actor, number in (
        (retailer_a.user, point),
        (third.user, point),
        (retailer_a.user, "0300000000000000009999"),
    ):
        with pytest.raises(NotFound) as caught:
            personal_data.read_basic_info(actor=actor, supply_point_number=number, purpose="cancel_forward")
        assert caught.value.code == "supply_point_not_found"

    switch_number = _register(retailer_a, point)
    info = personal_data.read_basic_info(
        actor=retailer_a.user, supply_point_number=point, purpose="cancel_forward"
    )
    assert info.lawful_role == "new" and info.switch_number == switch_number and info.customer_phone
    with pytest.raises(NotFound):
        personal_data.read_basic_info(actor=third.user, supply_point_number=point, purpose="cancel_forward")

    with pytest.raises(ValidationFailed):
        personal_data.read_basic_info(actor=retailer_b.user, supply_point_number=point, purpose="")


def test_sw_p1_every_read_is_in_the_readers_ledger_and_the_audit_log(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    switch_number = _register(retailer_a, point)
    personal_data.read_basic_info(actor=retailer_b.user, supply_point_number=point, purpose="billing")
    view = selectors.cancel_forward_detail(
        actor=retailer_b.user, switch_number=switch_number, purpose="cancel_forward"
    )
    assert view.customer_name == CUSTOMER_NAME and view.applications == []
    seen_by_a = selectors.cancel_forward_detail(
        actor=retailer_a.user, switch_number=switch_number, purpose="cancel_forward"
    )
    assert [a.kind for a in seen_by_a.applications] == ["cancel_forward"]

    ledger_b = list(selectors.access_ledger(actor=retailer_b.user))
    assert [(r.function_id, r.purpose, r.reference) for r in ledger_b] == [
        ("SW-L09", "cancel_forward", switch_number),
        ("SW-P2", "billing", ""),
    ]
    assert all(r.user == retailer_b.user and r.supply_point.number == point for r in ledger_b)
    assert [r.function_id for r in selectors.access_ledger(actor=retailer_a.user)] == ["SW-L07"]
    assert not selectors.access_ledger(actor=retailer_a.user, purpose="billing").exists()

    audited = Event.objects.filter(action=Action.SWITCHING_PERSONAL_DATA_READ).order_by("id")
    assert [(e.actor_id, e.purpose) for e in audited] == [
        (retailer_b.user.pk, "⑤電気料金の精算、請求、収納業務遂行のため"),
        (retailer_b.user.pk, "②小売供給等契約の廃止取次のため"),
        (retailer_a.user.pk, "②小売供給等契約の廃止取次のため"),
    ]
    assert all(e.object_label == point for e in audited)
    assert PersonalDataAccess.objects.count() == 3


def test_sw_p2_the_identification_of_a_switch_is_read_only_while_it_is_in_progress(
    retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    ng_point, cancelled_point, done_point = (make_point(retailer_b.organization, n) for n in (1, 2, 3))
    ng = _register(retailer_a, ng_point)
    with pytest.raises(ValidationFailed) as caught:
        selectors.cancel_forward_detail(actor=retailer_a.user, switch_number=ng, purpose="")
    assert caught.value.code == "purpose_required"  # never assumed

    switches.decide_cancel_forward(
        actor=retailer_b.user, switch_number=ng, decision="ng", ng_reason="02", ng_text="継続の申出"
    )
    cancelled = _register(retailer_a, cancelled_point)
    applications.cancel_application(
        actor=retailer_a.user,
        reception_number=Application.objects.get(
            switch__number=cancelled, kind="cancel_forward"
        ).reception_number,
    )
    done = _register(retailer_a, done_point)
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=done, decision="ok")
    switch_pairs.apply_switching_start(actor=retailer_a.user, switch_number=done, contract_number="A-1")
    switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=done)
    operators_work()
    clock.move_to(datetime(2026, 11, 10, 0, 5, tzinfo=JST))
    operators_work()
    assert Switch.objects.get(number=done).state == SwitchState.COMPLETED
    PersonalDataAccess.objects.all().delete()

    # The new retailer of an ended switch reads its result, not the customer's identification —
    # except where it is now the point's retailer (the completed switch).
    for number in (ng, cancelled):
        view = selectors.cancel_forward_detail(
            actor=retailer_a.user, switch_number=number, purpose="cancel_forward"
        )
        assert not view.has_identification and view.customer_address is None and view.contract_number is None
        assert [a.kind for a in view.applications] == ["cancel_forward"]
    assert not PersonalDataAccess.objects.exists()
    view = selectors.cancel_forward_detail(actor=retailer_a.user, switch_number=done, purpose="billing")
    assert view.customer_address == CUSTOMER_ADDRESS
    # The former retailer of the completed switch no longer; the point's retailer still after an NG.
    view = selectors.cancel_forward_detail(
        actor=retailer_b.user, switch_number=done, purpose="cancel_forward"
    )
    assert not view.has_identification
    view = selectors.cancel_forward_detail(actor=retailer_b.user, switch_number=ng, purpose="cancel_forward")
    assert view.customer_address == CUSTOMER_ADDRESS
    assert [
        (r.organization_id, r.reference, r.purpose) for r in PersonalDataAccess.objects.order_by("id")
    ] == [
        (retailer_a.organization.pk, done, "billing"),
        (retailer_b.organization.pk, ng, "cancel_forward"),
    ]
