"""Issue 17 (13, 18) in the browser: a member logs in typing 事業者コード and ID in full width, and a
text pasted past a field's limit is neither cut by the browser nor lost: the server says the limit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kouiki.core.systems import Role
from tests.e2e.helpers import field, screenshot
from tests.factories import PASSWORD, OrganizationFactory, participant

pytestmark = pytest.mark.e2e


def test_a_member_logs_in_in_full_width_and_a_long_paste_is_kept_and_refused(
    page: Page, browser_problems: list[str]
) -> None:
    organization = OrganizationFactory(code="9001", name="広域電力株式会社")
    participant(organization=organization, role=Role.USER, login_id="usr001")

    page.goto("/member/login/")
    field(page, "事業者コード").fill("９００１")
    field(page, "ユーザID").fill("ｕｓｒ００１")
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page).to_have_url(re.compile(r"/member/$"))
    expect(page.get_by_role("banner").get_by_text("広域電力株式会社")).to_be_visible()

    page.goto("/member/profile/")
    department = field(page, "所属・役職")
    assert department.get_attribute("maxlength") is None
    department.fill("総務部" * 40)  # 120 characters where 100 are kept
    page.get_by_role("button", name="変更", exact=True).click()
    expect(page.get_by_text("100文字以内で入力してください（現在 120 文字）。", exact=True)).to_be_visible()
    expect(field(page, "所属・役職")).to_have_value("総務部" * 40)
    screenshot(page, "input-too-long")
    assert browser_problems == []
