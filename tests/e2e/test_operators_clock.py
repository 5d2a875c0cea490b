"""A newcomer watches a switch finish (issue 17 points 9 and 12): from the portal to the back
office's login, 送配電連携 → 模擬時計 → the switching date → 確認 → 実行, and the registry of the
point shows the new retailer at once, weeks before the switching date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kouiki.core.calendar import JST
from kouiki.identity.models import User
from kouiki.switching.models import Application, SupplyPointVersion
from kouiki.switching.services import switch_pairs, switches
from kouiki.tso.models import MessageState, OperatorMessage
from kouiki.tso.services import delivery
from tests.e2e.helpers import field, screenshot

pytestmark = pytest.mark.e2e

POINT = "0300000000000000000007"
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def matched_switch() -> Application:
    """新電力A's switch of a point of 新電力B, matched and taken by the simulated operator."""
    new = User.objects.get(organization__code="9101", login_id="usr001")
    current = User.objects.get(organization__code="9102", login_id="usr001")
    request = switches.register_cancel_forward(
        actor=new,
        supply_point_number=POINT,
        customer_name="広域 太郎",
        customer_address="東京都千代田区丸の内一丁目1番1号",
        contract_number="B-0007",
    )
    number = request.switch.number  # type: ignore[union-attr]
    switches.decide_cancel_forward(actor=current, switch_number=number, decision="ok")
    start = switch_pairs.apply_switching_start(actor=new, switch_number=number, contract_number="A-9007")
    switch_pairs.apply_switching_abolish(actor=current, switch_number=number)
    for pk in OperatorMessage.objects.filter(state=MessageState.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)
    delivery.poll_answers()
    start.refresh_from_db()
    return start


def retailer_of(point: str) -> str:
    version = SupplyPointVersion.objects.select_related("retailer").get(
        supply_point__number=point, valid_to__isnull=True
    )
    return version.retailer.code if version.retailer else ""


def test_staff_move_the_operators_clock_and_the_switch_completes(
    page: Page, browser_problems: list[str], clock: time_machine.Coordinates, settings: object
) -> None:
    settings.KOUIKI_STAFF_OTP_REQUIRED = False  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_ADAPTER = "simulator"  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0  # type: ignore[attr-defined]
    call_command("load_demo")
    start = matched_switch()
    assert start.state == "processing" and retailer_of(POINT) == "9102"
    switching_date = start.switching_date
    assert switching_date is not None and switching_date > START.date()

    # The portal leads to the back office's login.
    page.goto("/")
    expect(page.get_by_role("heading", name="業務管理（本機関）")).to_be_visible()
    screenshot(page, "portal")
    page.get_by_role("link", name="業務管理（本機関）にログイン").click()
    field(page, "職員ID").fill("reviewer")
    field(page, "パスワード").fill("Demo-pass1")
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", name="業務メニュー")).to_be_visible()
    screenshot(page, "backoffice-menu")

    # 送配電連携 → 模擬時計: the switch's start waits for its switching date.
    page.get_by_role("link", name="送配電連携").first.click()
    page.get_by_role("link", name="模擬時計").click()
    expect(page.get_by_role("cell", name=start.reception_number)).to_be_visible()
    field(page, "この日の終わりまで進める").fill(switching_date.isoformat())
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("cell", name=start.reception_number)).to_be_visible()
    screenshot(page, "operators-clock-confirm")
    page.get_by_role("button", name="実行").click()
    expect(page.get_by_text(f"{switching_date:%Y/%m/%d} の終わりまで進めました")).to_be_visible()

    start.refresh_from_db()
    assert start.state == "completed"
    assert retailer_of(POINT) == "9101"
    assert browser_problems == []
