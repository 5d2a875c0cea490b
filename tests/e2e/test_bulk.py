"""A bulk file through the browser (issue 14, ADR 30): 新電力A uploads a CP932 廃止取次一括登録 file
(SW-W02) with two good rows and one unknown point, sees the bad row and what will be filed, confirms,
watches the progress bar reach 100 % without reloading (static/switching/bulk.js polls the progress
endpoint while the test runs the task worker) and downloads the result CSV."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from kouiki.bulk import registry
from kouiki.core.calendar import JST
from kouiki.core.csvio import read_csv, write_csv
from kouiki.switching import demo
from kouiki.tso import demo as tso_demo
from tests.e2e.helpers import field, screenshot
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.e2e

# Monday 2026-11-02 10:00 in Japan.
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)
ADDRESS = "東京都千代田区丸の内一丁目1番1号"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def settle(page: Page) -> None:
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")


def cancel_forward_file() -> bytes:
    """Two points of 新電力B (demo 5 and 6) and one point that does not exist, in CP932."""
    header = [column.label for column in registry.get("SW-W02").columns]

    def row(point: str, contract: str) -> list[str]:
        values = {
            "更新フラグ": "1",
            "供給地点特定番号": point,
            "需要者氏名": "広域 太郎",
            "需要者氏名カナ": "コウイキ タロウ",
            "需要場所住所": ADDRESS,
            "現小売の契約番号": contract,
            "新小売担当者": "新電力 花子",
            "新小売担当者電話番号": "03-1234-5678",
        }
        return [values.get(label, "") for label in header]

    rows = [
        row("0300000000000000000005", "B-0005"),
        row("0399999999999999999999", "B-9999"),
        row("0300000000000000000006", "B-0006"),
    ]
    return write_csv(rows, header, encoding="cp932")


def test_a_bulk_file_is_uploaded_confirmed_applied_and_its_result_downloaded(
    page: Page, browser_problems: list[str], clock: time_machine.Coordinates, settings: object
) -> None:
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []  # type: ignore[attr-defined]
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0  # type: ignore[attr-defined]
    demo.load()
    tso_demo.load()

    page.goto("/switching/login/")
    field(page, "事業者コード").fill("9101")
    field(page, "ユーザID").fill("usr001")
    field(page, "パスワード").fill("Demo-pass1")
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", name="メニュー")).to_be_visible()
    settle(page)

    page.goto("/switching/low/bulk/w02/")
    expect(page.get_by_role("link", name="テンプレートをダウンロード")).to_be_visible()
    screenshot(page, "bulk-0-upload")
    page.get_by_label("CSVファイル").set_input_files(
        {"name": "廃止取次.csv", "mimeType": "text/csv", "buffer": cancel_forward_file()}
    )
    settle(page)
    page.get_by_role("button", name="アップロードして検証").click()

    # Every row checked; nothing filed yet; the bad row named by its line and column.
    expect(page.get_by_role("heading", name="エラーのある行（1行）")).to_be_visible()
    expect(page.get_by_role("cell", name="3行目")).to_be_visible()
    expect(page.get_by_text("まだ登録されていません。")).to_be_visible()
    expect(page.get_by_role("cell", name="0300000000000000000005")).to_be_visible()
    screenshot(page, "bulk-1-validated")
    settle(page)
    page.get_by_role("button", name="登録を確定（2件）").click()
    expect(page.get_by_text("登録を確定しました（2件）")).to_be_visible()
    expect(page.locator("#bulk-state")).to_have_text("登録中")
    settle(page)

    # The worker files the rows; the page's script sees it without a reload by the test.
    run_ready_tasks()
    expect(page.locator("#bulk-state")).to_have_text("完了", timeout=15_000)
    bar = page.locator("#bulk-progress-bar")
    expect(bar).to_have_attribute("value", "2")
    expect(bar).to_have_attribute("max", "2")
    expect(page.get_by_text("2 / 2行（100%）")).to_be_visible()
    # Once finished, the script reloads the page: the numbers filed and the result CSV appear.
    expect(page.get_by_role("link", name="結果（CSV）")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"^HT[0-9]{14}$"))).to_have_count(2)
    screenshot(page, "bulk-2-done")
    settle(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="結果（CSV）").click()
    data = download_info.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n")
    rows = {row.data["行"]: row.data for row in read_csv(data).rows}
    assert rows["2"]["結果"] == "登録済" and re.fullmatch(r"HT[0-9]{14}", rows["2"]["番号"])
    assert rows["4"]["結果"] == "登録済" and re.fullmatch(r"HT[0-9]{14}", rows["4"]["番号"])
    assert rows["3"]["結果"] == "エラー" and rows["3"]["列"] == "供給地点特定番号"
    settle(page)
    assert browser_problems == []
