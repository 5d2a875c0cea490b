"""The sandbox's 模擬時計 (issue 17 point 12): a matched switch waits for its switching date at the
simulated operator, weeks ahead; staff move the simulated operators' clock forward in the back
office (a day, 確認, 実行) and the registry shows the new retailer at once. Only where the operators
are the simulator; staff only; audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from kouiki.audit.models import Event
from kouiki.core.errors import Conflict, Forbidden, ValidationFailed
from kouiki.identity.models import User
from kouiki.switching.models import State, Switch, SwitchState
from kouiki.switching.services import switch_pairs, switches
from kouiki.tso.models import SimulatorJob
from kouiki.tso.services import sandbox
from tests.access import sent_to_login
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

CLOCK = "/backoffice/tso/clock/"
SWITCHING_DATE = date(2026, 11, 10)  # registered on 2026-11-02: the next reading day after the lead time


def matched_switch(retailer_a: Retailer, retailer_b: Retailer) -> tuple[str, Any, Any]:
    """A switch of a point of 新電力B to 新電力A, matched and taken by the operator."""
    point = make_point(retailer_b.organization, 1)
    request = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    number = request.switch.number  # type: ignore[union-attr]
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=number, decision="ok")
    start = switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=number, contract_number="A-9001"
    )
    abolish = switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=number)
    operators_work()
    assert reload(start).state == State.PROCESSING
    assert current(point).retailer == retailer_b.organization
    return point, start, abolish


def test_staff_move_the_operators_clock_and_watch_the_registry_move(
    staff_client: Client, staff: User, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point, start, abolish = matched_switch(retailer_a, retailer_b)

    page = staff_client.get(CLOCK).content.decode()
    assert start.reception_number in page and "スイッチング開始" in page

    # 確認: the day before the switching date does nothing yet; the switching date does both.
    before = staff_client.post(CLOCK, {"day": "2026-11-09"}).content.decode()
    assert "この日までに予定されている処理はありません。" in before
    confirm = staff_client.post(CLOCK, {"day": "2026-11-10"}).content.decode()
    assert start.reception_number in confirm and abolish.reception_number in confirm
    assert ">実行</button>" in confirm
    assert current(point).retailer == retailer_b.organization  # 確認 changes nothing

    # 実行.
    done = staff_client.post(CLOCK, {"day": "2026-11-10", "confirmed": "1"}, follow=True)
    assert "2026/11/10 の終わりまで進めました" in done.content.decode()
    assert reload(start).state == State.COMPLETED and reload(abolish).state == State.COMPLETED
    assert Switch.objects.get(pk=start.switch_id).state == SwitchState.COMPLETED
    now = current(point)
    assert now.retailer == retailer_a.organization
    assert now.retail_contract_number == "A-9001"
    assert not SimulatorJob.objects.filter(done_at__isnull=True).exists()
    event = Event.objects.get(action="tso.operators_clock_advance")
    assert event.actor_id == staff.pk and event.detail["day"] == "2026-11-10"
    assert event.detail["given"] == 2


def test_the_day_is_checked_and_a_refusal_changes_nothing(staff_client: Client) -> None:
    past = staff_client.post(CLOCK, {"day": "2026-11-01", "confirmed": "1"})
    assert "今日（2026/11/02）以降の日付を指定してください。" in past.content.decode()
    far = staff_client.post(CLOCK, {"day": "2028-01-01", "confirmed": "1"})
    assert "1年以内の日付を指定してください。" in far.content.decode()
    empty = staff_client.post(CLOCK, {"day": ""})
    assert "日付を入力してください。" in empty.content.decode()
    assert not Event.objects.filter(action="tso.operators_clock_advance").exists()


def test_only_where_the_operators_are_the_simulator(
    staff_client: Client, staff: User, settings: Any, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point, start, _abolish = matched_switch(retailer_a, retailer_b)
    settings.KOUIKI_TSO_ADAPTER = "http"

    with pytest.raises(Conflict, match="模擬（シミュレーター）を使う環境"):
        sandbox.advance_operators_clock(actor=staff, day=SWITCHING_DATE)
    page = staff_client.post(CLOCK, {"day": "2026-11-10", "confirmed": "1"}, follow=True).content.decode()
    assert "実際の一般送配電事業者と接続している" in page
    assert reload(start).state == State.PROCESSING
    assert current(point).retailer == retailer_b.organization
    assert not Event.objects.filter(action="tso.operators_clock_advance").exists()


def test_staff_only(client: Client, retailer_a: Retailer) -> None:
    with pytest.raises(Forbidden):
        sandbox.advance_operators_clock(actor=retailer_a.user, day=SWITCHING_DATE)
    client.force_login(retailer_a.user)
    assert sent_to_login(client.post(CLOCK, {"day": "2026-11-10", "confirmed": "1"}), "backoffice")


def test_the_day_rule_is_the_service_s(staff: User) -> None:
    with pytest.raises(ValidationFailed) as refused:
        sandbox.advance_operators_clock(actor=staff, day=date(2026, 11, 1))
    assert refused.value.code == "day_in_past"
