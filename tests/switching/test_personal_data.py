"""Personal data of customers (SW-P1, SW-P2): each read names a purpose and is recorded in the
organization's ledger and the audit log; basic info only for a lawful reader."""

from __future__ import annotations

import pytest

from kouiki.audit.models import Event
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.switching import selectors
from kouiki.switching.models import PersonalDataAccess
from kouiki.switching.services import personal_data, switches
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, Retailer, make_point, make_retailer

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
    view = selectors.cancel_forward_detail(actor=retailer_b.user, switch_number=switch_number)
    assert view.customer_name == CUSTOMER_NAME and view.applications == []
    seen_by_a = selectors.cancel_forward_detail(actor=retailer_a.user, switch_number=switch_number)
    assert [a.kind for a in seen_by_a.applications] == ["20"]

    ledger_b = list(selectors.access_ledger(actor=retailer_b.user))
    assert [(r.function_id, r.purpose, r.reference) for r in ledger_b] == [
        ("SW-L09", "cancel_forward", switch_number),
        ("SW-P2", "billing", ""),
    ]
    assert all(r.user == retailer_b.user and r.supply_point.number == point for r in ledger_b)
    assert [r.function_id for r in selectors.access_ledger(actor=retailer_a.user)] == ["SW-L07"]
    assert not selectors.access_ledger(actor=retailer_a.user, purpose="billing").exists()

    audited = Event.objects.filter(action="switching.personal_data.read").order_by("id")
    assert [(e.actor_id, e.purpose) for e in audited] == [
        (retailer_b.user.pk, "⑤電気料金の精算、請求、収納業務遂行のため"),
        (retailer_b.user.pk, "②小売供給等契約の廃止取次のため"),
        (retailer_a.user.pk, "②小売供給等契約の廃止取次のため"),
    ]
    assert all(e.object_label == point for e in audited)
    assert PersonalDataAccess.objects.count() == 3
