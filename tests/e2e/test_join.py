"""A company joins through Chromium: link → provisional application → 事業者コード issued → main
application → approval → the administrator logs in with the mailed password and changes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kouiki.membership.services import join
from kouiki.reviews import services as reviews
from kouiki.reviews.models import Application, State
from kouiki.terms.models import TermsDocument
from kouiki.terms.services.documents import load_shipped
from tests.e2e.helpers import field, screenshot
from tests.factories import StaffFactory
from tests.membership.join_helpers import ADMIN1, COMPANY, LINK_EMAIL, last_mail, link_token, mailed_password

pytestmark = [pytest.mark.e2e]

NEW_PASSWORD = "Joined-member1"


def fill_by_id(page: Page, values: dict[str, str], prefix: str = "") -> None:
    for name, value in values.items():
        page.locator(f"#id_{prefix}{name}").fill(value)


def test_a_company_joins_and_its_administrator_logs_in(page: Page, browser_problems: list[str]) -> None:
    # A flush of an earlier transactional test may have emptied the documents the migration loaded.
    load_shipped(TermsDocument)
    staff = StaffFactory(login_id="reviewer")

    # MEM-J1
    page.goto("/member/join/")
    field(page, "メールアドレス").fill(LINK_EMAIL)
    field(page, "氏名").fill("広域 太郎")
    page.get_by_role("button", name="リンク確認").click()
    expect(page.get_by_role("heading", name="メールを送信しました")).to_be_visible()

    # MEM-J2
    page.goto(f"/member/join/provisional/{link_token(last_mail('membership/mail/join_link'))}/")
    expect(page.locator("#id_admin1-email")).to_have_value(LINK_EMAIL)
    fill_by_id(page, {k: v for k, v in COMPANY.items() if k != "business_types"})
    page.get_by_label("小売電気", exact=True).check()
    fill_by_id(page, {**ADMIN1, "email_confirm": ADMIN1["email"]}, prefix="admin1-")
    page.get_by_label("定款に同意する").check()
    page.get_by_label("本利用規約に同意する").check()
    page.get_by_label("総会招集通知の電磁的方法利用許諾に同意する").check()
    screenshot(page, "join-provisional")
    page.get_by_role("button", name="仮申請").click()

    # MEM-J3
    expect(page.get_by_role("heading", name="加入（仮）申請を受け付けました")).to_be_visible()
    application = Application.objects.get(kind="membership.join")
    expect(page.get_by_text(application.reception_number)).to_be_visible()
    screenshot(page, "join-received")

    # 事業者マスタ登録 by the organization
    join.assign_code(actor=staff, application=application, code="5678")

    # MEM-J4
    page.goto("/member/join/main/")
    field(page, "加入申請受付番号").fill(application.reception_number)
    field(page, "管理者①メールアドレス").fill(ADMIN1["email"])
    page.get_by_role("button", name="再表示").click()
    expect(page.get_by_text("仮申請時のデータを引用しました。")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("広域電力株式会社")
    field(page, "事業者コード").fill("5678")
    page.locator("#id_representative_title").fill("代表取締役社長")
    page.get_by_role("button", name="本申請").click()
    expect(page.get_by_role("heading", name="加入（本）申請を受け付けました")).to_be_visible()
    application.refresh_from_db()
    assert application.state == State.SUBMITTED

    # Approval by the organization
    reviews.approve(actor=staff, application=application)

    # The administrator logs in with the mailed password and must change it.
    page.goto("/member/login/")
    field(page, "事業者コード").fill("5678")
    field(page, "ユーザID").fill(ADMIN1["user_id"])
    field(page, "パスワード").fill(mailed_password(ADMIN1["email"]))
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page).to_have_url(re.compile(r"/member/password/change/$"))
    field(page, "現在のパスワード").fill(mailed_password(ADMIN1["email"]))
    field(page, "新しいパスワード").fill(NEW_PASSWORD)
    field(page, "新しいパスワード（確認）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="変更", exact=True).click()
    expect(page.get_by_text("パスワードを変更しました")).to_be_visible()
    expect(page.get_by_role("banner").get_by_text("広域電力株式会社")).to_be_visible()
    screenshot(page, "join-member-menu")
    assert browser_problems == []
