"""A high-voltage switch walked through the 高圧 tab's screens of both retailers (issue 13): 新電力B
registers a cancel-forward for the demo's high-voltage point of 新電力A (SW-H04), 新電力A decides OK
(SW-H08) and files its abolish (SW-H09), 新電力B files its start (SW-H06); the pair is matched, and
the status screen (SW-H11) and the switch's screen say so, under the 高圧 tab."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from kouiki.core.calendar import JST
from kouiki.switching import demo
from kouiki.switching.models import Application, Kind, Switch, SwitchState
from kouiki.tso import demo as tso_demo
from tests.e2e.helpers import field, screenshot
from tests.e2e.test_switching import confirm_and_send, log_in, log_out, settle

pytestmark = pytest.mark.e2e

POINT = "0300000000000000000030"  # 高圧 250 kW, supplied by 新電力A (docs/demo.md)
# Monday 2026-11-02 10:00 in Japan (11-03 is a holiday).
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def from_menu(page: Page, heading: str, name: str) -> None:
    """Open a function from the menu, under the heading of its 業務 (the lines' functions share
    their names)."""
    page.get_by_role("region", name=heading).get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("link", name="高圧", exact=True)).to_have_attribute("aria-current", "page")


def high_tab(page: Page) -> None:
    settle(page)
    page.get_by_role("navigation", name="電圧区分").get_by_role("link", name="高圧", exact=True).click()
    expect(page.get_by_role("heading", name="高圧500kW未満の機能")).to_be_visible()
    settle(page)


def test_a_high_voltage_switch_through_the_screens_of_both_retailers(
    page: Page, browser_problems: list[str], clock: time_machine.Coordinates, settings: object
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0  # type: ignore[attr-defined]
    demo.load()
    tso_demo.load()

    # SW-H04: 新電力B, the new retailer, registers the cancel-forward on the 高圧 tab.
    log_in(page, "9102")
    from_menu(page, "高圧500kW未満 スイッチング（新小売）", "廃止取次登録")
    field(page, "供給地点特定番号").fill(POINT)
    field(page, "需要者氏名").fill("株式会社関東商事")
    field(page, "需要場所住所").fill("東京都千代田区大手町一丁目3番1号")
    field(page, "現小売の契約番号").fill("A-0030")
    confirm_and_send(page)
    expect(page.get_by_text(re.compile("廃止取次を受付番号 [0-9]{16} で登録しました"))).to_be_visible()
    switch_number = page.get_by_role("link", name=re.compile(r"^HT[0-9]{14}$")).inner_text()
    log_out(page)

    # SW-H07 / SW-H08 / SW-H09: 新電力A, the current retailer, decides OK and files its abolish.
    log_in(page, "9101")
    from_menu(page, "高圧500kW未満 スイッチング（現小売）", "廃止取次照会")
    page.get_by_role("link", name=switch_number).click()
    expect(page.get_by_role("heading", name=f"スイッチング案件 {switch_number}")).to_be_visible()
    page.get_by_role("link", name="取次判断を行う").click()
    page.get_by_label("OK（取次可）").check()
    confirm_and_send(page)
    expect(page.get_by_text(f"廃止取次番号 {switch_number} の取次判断を登録しました")).to_be_visible()
    settle(page)
    page.get_by_role("link", name="スイッチング廃止申請を行う").click()
    confirm_and_send(page)
    expect(
        page.get_by_text(re.compile("スイッチング廃止申請を受付番号 [0-9]{16} で受け付けました"))
    ).to_be_visible()
    log_out(page)

    # SW-H05 / SW-H06: 新電力B sees the OK and files its start: the pair is matched.
    log_in(page, "9102")
    from_menu(page, "高圧500kW未満 スイッチング（新小売）", "廃止取次結果照会")
    row = page.get_by_role("row", name=re.compile(switch_number))
    expect(row.get_by_text("取次OK")).to_be_visible()
    row.get_by_role("link", name=switch_number).click()
    page.get_by_role("link", name="スイッチング開始申請を行う").click()
    field(page, "新しい小売供給契約番号").fill("B-9030")
    confirm_and_send(page)
    expect(page.get_by_text("一般送配電事業者回答待ち")).to_be_visible()
    start = Application.objects.get(kind=Kind.SWITCH_START)
    assert start.application_type == "05"
    assert Switch.objects.get(number=switch_number).state == SwitchState.MATCHED

    # SW-H11: the status screen of the 高圧 tab finds the start; its switch shows matched.
    high_tab(page)
    page.get_by_role("link", name="業務処理状況確認", exact=True).click()
    field(page, "受付番号").fill(start.reception_number)
    page.get_by_role("button", name="照会").click()
    expect(page.get_by_role("heading", name=re.compile("業務処理状況$"))).to_be_visible()
    expect(page.get_by_text("05 スイッチング開始")).to_be_visible()
    expect(page.get_by_role("link", name="高圧", exact=True)).to_have_attribute("aria-current", "page")
    settle(page)
    page.get_by_role("link", name=switch_number).click()
    expect(page.get_by_text("突合済（一般送配電事業者処理中）")).to_be_visible()
    screenshot(page, "switching-high-matched")
    settle(page)
    assert browser_problems == []
