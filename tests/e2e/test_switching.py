"""A switch walked through the web screens of both retailers (issue 7): 新電力A registers a
cancel-forward for a point of 新電力B, 新電力B looks at the customer's identification (naming a
purpose) and decides OK, 新電力A files its start, 新電力B its abolish; the operator (the gateway's
simulator) completes the pair on the switching date, and the registry shows 新電力A."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect

from kouiki.core.calendar import JST
from kouiki.switching import demo
from kouiki.switching.models import Application, SupplyPointVersion
from kouiki.tso import demo as tso_demo
from kouiki.tso.models import MessageState, OperatorMessage
from kouiki.tso.services import delivery
from tests.e2e.helpers import field, screenshot

pytestmark = pytest.mark.e2e

POINT = "0300000000000000000005"
# Monday 2026-11-02 10:00 in Japan (11-03 is a holiday); the point is read on the 6th.
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def settle(page: Page) -> None:
    """Let the page finish loading its styles and fonts before leaving it (else they are aborted).
    The load event does not wait for web fonts, which start loading when text first uses them:
    `document.fonts.ready` does."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")


def log_in(page: Page, code: str) -> None:
    page.goto("/switching/login/")
    field(page, "事業者コード").fill(code)
    field(page, "ユーザID").fill("usr001")
    field(page, "パスワード").fill("Demo-pass1")
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", name="メニュー")).to_be_visible()
    settle(page)


def log_out(page: Page) -> None:
    settle(page)
    page.get_by_role("button", name="ログアウト").click()
    settle(page)


def confirm_and_send(page: Page) -> None:
    settle(page)
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_text("次の内容で送信します")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="送信").click()


def operators_work() -> None:
    for pk in OperatorMessage.objects.filter(state=MessageState.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)
    delivery.poll_answers()


def test_a_switch_through_the_screens_of_both_retailers(
    page: Page, browser_problems: list[str], clock: time_machine.Coordinates, settings: object
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0  # type: ignore[attr-defined]
    demo.load()
    tso_demo.load()  # the operators' 検針日程 calendars (load_demo loads both)

    # SW-L06: 新電力A registers the cancel-forward, with a confirmation step.
    log_in(page, "9101")
    page.get_by_role("link", name="スイッチング廃止取次登録").click()
    expect(page.get_by_role("link", name="低圧", exact=True).first).to_have_attribute("aria-current", "page")
    field(page, "供給地点特定番号").fill(POINT)
    field(page, "需要者氏名").fill("広域 太郎")
    field(page, "需要場所住所").fill("東京都千代田区丸の内一丁目1番1号")
    field(page, "現小売の契約番号").fill("B-0005")
    confirm_and_send(page)
    expect(page.get_by_text(re.compile("廃止取次を受付番号 [0-9]{16} で登録しました"))).to_be_visible()
    switch_number = page.get_by_role("link", name=re.compile(r"^HT[0-9]{14}$")).inner_text()
    screenshot(page, "switching-1-registered")
    log_out(page)

    # SW-L09 / SW-L10: 新電力B reads the identification for a purpose and decides OK.
    log_in(page, "9102")
    page.get_by_role("link", name="スイッチング廃止取次照会").click()
    page.get_by_role("link", name=switch_number).click()
    page.get_by_label("②小売供給等契約の廃止取次のため").check()
    page.get_by_role("button", name="需要者情報を表示").click()
    # What the new retailer sent, beside the registry's data: every item matches (ADR 27).
    expect(page.get_by_role("cell", name="東京都千代田区丸の内一丁目1番1号").first).to_be_visible()
    expect(page.get_by_text("すべての項目が供給地点の登録内容と一致します。")).to_be_visible()
    page.get_by_role("link", name="取次判断を行う").click()
    page.get_by_label("OK（取次可）").check()
    confirm_and_send(page)
    expect(page.get_by_text(f"廃止取次番号 {switch_number} の取次判断を登録しました")).to_be_visible()
    log_out(page)

    # SW-L07 / SW-L08: 新電力A sees the OK and files its start.
    log_in(page, "9101")
    page.get_by_role("link", name="スイッチング廃止取次結果照会").click()
    row = page.get_by_role("row", name=re.compile(switch_number))
    expect(row.get_by_text("取次OK")).to_be_visible()
    row.get_by_role("link", name=switch_number).click()
    page.get_by_role("link", name="スイッチング開始申請を行う").click()
    field(page, "新しい小売供給契約番号").fill("A-9005")
    confirm_and_send(page)
    expect(page.get_by_text("突合待ち")).to_be_visible()
    log_out(page)

    # SW-L11: 新電力B files its abolish; the pair is matched and goes to the operator.
    log_in(page, "9102")
    page.goto(f"/switching/low/switching/{switch_number}/")
    page.get_by_role("link", name="スイッチング廃止申請を行う").click()
    confirm_and_send(page)
    expect(page.get_by_text("一般送配電事業者回答待ち")).to_be_visible()
    page.get_by_role("link", name=switch_number).click()
    expect(page.get_by_text("突合済（一般送配電事業者処理中）")).to_be_visible()
    screenshot(page, "switching-2-matched")
    log_out(page)

    # The operator takes both at once and switches on the switching date.
    operators_work()
    start = Application.objects.get(kind="switch_start")
    assert start.state == "processing" and start.switching_date is not None
    clock.move_to(
        datetime.combine(start.switching_date, datetime.min.time(), tzinfo=JST) + timedelta(minutes=5)
    )
    operators_work()
    current = SupplyPointVersion.objects.select_related("retailer").get(
        supply_point__number=POINT, valid_to__isnull=True
    )
    assert current.retailer is not None and current.retailer.code == "9101"

    # 新電力A, now the current retailer, sees the completed switch and the customer's basic info.
    log_in(page, "9101")
    page.goto(f"/switching/low/applications/{start.reception_number}/")
    expect(page.get_by_text("完了").first).to_be_visible()
    settle(page)
    page.goto("/switching/low/customer-info/")
    settle(page)
    field(page, "供給地点特定番号").fill(POINT)
    page.get_by_label("③供給（受電）地点に関する情報の確認のため").check()
    page.get_by_role("button", name="照会").click()
    expect(page.get_by_text("9101 新電力A株式会社")).to_be_visible()
    expect(page.get_by_text("A-9005")).to_be_visible()
    screenshot(page, "switching-3-completed")
    assert browser_problems == []
