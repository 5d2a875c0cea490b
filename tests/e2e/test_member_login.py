"""A member administrator logs in, changes the password, logs out and logs in with the new one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kouiki.core.systems import Role
from tests.e2e.helpers import field, screenshot
from tests.factories import PASSWORD, OrganizationFactory, participant

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Brand-new-pass2"
LOGIN_FAILED = "ユーザIDもしくはパスワードが不正です"


def log_in(page: Page, *, organization_code: str, user_id: str, password: str) -> None:
    page.goto("/member/login/")
    field(page, "事業者コード").fill(organization_code)
    field(page, "ユーザID").fill(user_id)
    field(page, "パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()


def test_member_logs_in_changes_password_and_logs_in_again(page: Page, browser_problems: list[str]) -> None:
    organization = OrganizationFactory(code="9001", name="広域電力株式会社")
    participant(organization=organization, role=Role.ADMIN, login_id="adm001")

    log_in(page, organization_code="9001", user_id="adm001", password=PASSWORD)
    expect(page).to_have_url(re.compile(r"/member/$"))
    header = page.get_by_role("banner")
    expect(header.get_by_text("広域電力株式会社")).to_be_visible()
    screenshot(page, "member-menu")

    header.get_by_role("link", name="ユーザ情報変更").click()
    expect(page).to_have_url(re.compile(r"/member/profile/$"))
    page.get_by_role("link", name="パスワード変更").click()
    expect(page).to_have_url(re.compile(r"/member/password/change/$"))

    field(page, "現在のパスワード").fill(PASSWORD)
    field(page, "新しいパスワード").fill(NEW_PASSWORD)
    field(page, "新しいパスワード（確認）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="変更", exact=True).click()
    expect(page.get_by_text("パスワードを変更しました")).to_be_visible()

    logout = page.get_by_role("button", name="ログアウト").or_(page.get_by_role("link", name="ログアウト"))
    logout.first.click()
    expect(page.get_by_role("banner").get_by_text("広域電力株式会社")).to_have_count(0)

    log_in(page, organization_code="9001", user_id="adm001", password=PASSWORD)
    expect(page.get_by_text(LOGIN_FAILED)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/member/login/"))

    log_in(page, organization_code="9001", user_id="adm001", password=NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/member/$"))
    expect(page.get_by_role("banner").get_by_text("広域電力株式会社")).to_be_visible()
    assert browser_problems == []
