"""A capacity-market participant registers a power source through Chromium, and the organization's
staff approve it in the back office: the source gets its 電源等識別番号 and the participant sees it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kouiki.capacity.models import PowerSource
from kouiki.core.errors import NotFound
from kouiki.reviews.models import Application, State
from kouiki.terms import selectors as terms_selectors
from kouiki.terms.models import TermsDocument
from kouiki.terms.services.documents import load_shipped
from tests.capacity.helpers import STABLE, capacity_user, registered_operator
from tests.e2e.helpers import field, screenshot
from tests.factories import PASSWORD, StaffFactory

pytestmark = [pytest.mark.e2e]


def capacity_terms() -> TermsDocument:
    # A flush of an earlier transactional test may have emptied the documents the migration loaded.
    load_shipped(TermsDocument)
    try:
        return terms_selectors.current("capacity", "system_terms")
    except NotFound:
        return TermsDocument.objects.create(
            system="capacity",
            kind="system_terms",
            version="Ver. 1.0",
            title="容量市場システム利用規約",
            body="容量市場システム利用規約",
            effective_date=dt.date(2020, 2, 5),
            published_at=timezone.now() - dt.timedelta(days=1),
        )


def test_an_operator_registers_a_power_source_and_staff_approve_it(
    page: Page, browser_problems: list[str], settings: Any
) -> None:
    settings.KOUIKI_STAFF_OTP_REQUIRED = False  # the staff's second factor is tested elsewhere
    staff = StaffFactory(login_id="reviewer")
    operator = registered_operator(staff, capacity_terms())
    user = capacity_user(operator)

    # The participant logs in and opens 電源等情報管理 from the menu.
    page.goto("/capacity/login/")
    field(page, "事業者コード").fill(operator.organization.code)
    field(page, "ユーザID").fill(user.login_id)
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page).to_have_url(re.compile(r"/capacity/$"))
    page.get_by_role("link", name="電源等情報管理", exact=True).click()
    page.get_by_role("link", name="登録申請", exact=True).click()

    # CAP-P1: a stable power source.
    field(page, "電源等の名称").fill(STABLE["name"])
    field(page, "エリア").select_option(label="東京")
    field(page, "所在地").fill(STABLE["location"])
    field(page, "電源等の区分").select_option(label="安定電源")
    field(page, "発電方式等").select_option(label="火力（LNG）")
    field(page, "設備容量（kW）").fill(str(STABLE["installed_capacity_kw"]))
    field(page, "期待容量（kW）").fill(str(STABLE["expected_capacity_kw"]))
    field(page, "受電地点特定番号").fill(STABLE["receiving_point_number"])
    field(page, "系統連系点").fill(STABLE["grid_connection"])
    field(page, "連系電圧（kV）").fill(STABLE["connection_voltage_kv"])
    page.get_by_label("自社保有").check()
    screenshot(page, "capacity-source-form")
    page.get_by_role("button", name="登録申請", exact=True).click()

    # CAP-P2: the application waits for review.
    expect(page.get_by_text("電源等情報登録申請を受け付けました")).to_be_visible()
    application = Application.objects.get(kind="capacity.source")
    expect(page.get_by_text(application.reception_number).first).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("申請中")
    page.get_by_role("button", name="ログアウト").click()

    # The organization's staff approve it in the review queue.
    page.goto("/backoffice/login/")
    field(page, "職員ID").fill("reviewer")
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_role("navigation").get_by_role("link", name="容量市場").click()
    page.get_by_role("link", name="電源等情報登録申請の審査待ち").click()
    page.get_by_role("link", name=application.reception_number).click()
    expect(page.get_by_text("キャパ火力発電所１号機").first).to_be_visible()
    screenshot(page, "capacity-source-review")
    page.get_by_role("button", name="承認", exact=True).click()
    # Approval asks first; nothing is decided until 承認する.
    expect(page.get_by_text("承認してよろしいですか")).to_be_visible()
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    screenshot(page, "capacity-source-approve-confirm")
    page.get_by_role("button", name="承認する", exact=True).click()
    expect(
        page.get_by_text(f"受付番号 {application.reception_number} の申請を承認しました。")
    ).to_be_visible()
    application.refresh_from_db()
    assert application.state == State.APPROVED
    source = PowerSource.objects.get()
    assert source.source_id == "P0000001"
    page.get_by_role("navigation").get_by_role("link", name="容量市場").click()
    page.get_by_role("link", name="電源等情報一覧").click()
    expect(page.get_by_role("link", name="P0000001")).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()

    # The participant sees its registered source with the identifier issued on approval.
    page.goto("/capacity/login/")
    field(page, "事業者コード").fill(operator.organization.code)
    field(page, "ユーザID").fill(user.login_id)
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.goto("/capacity/sources/")
    page.get_by_role("link", name="P0000001").click()
    expect(page.get_by_role("heading", name=re.compile("P0000001"))).to_be_visible()
    expect(page.get_by_text("第1版").first).to_be_visible()
    screenshot(page, "capacity-source-detail")
    assert browser_problems == []
