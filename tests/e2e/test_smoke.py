"""Smoke test of the e2e infrastructure itself: browser, live server, static files, Japanese text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_admin_login_page_renders_for_anonymous_user(page: Page, browser_problems: list[str]) -> None:
    static_statuses: dict[str, int] = {}
    page.on("response", lambda r: static_statuses.update({r.url: r.status}) if "/static/" in r.url else None)
    page.goto("/admin/login/")
    # The admin has no door of its own (ADR 17): its login is the back office's.
    expect(page).to_have_title("職員ログイン｜業務管理（本機関）")
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    assert static_statuses, "the admin page loaded no static file"
    assert set(static_statuses.values()) == {200}, static_statuses
    assert browser_problems == []
