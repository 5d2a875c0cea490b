"""The switching API's docs page in a real browser: Swagger UI renders every operation from this
site's own assets, with no CSP violation and no script error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

API = "/api/switching/v1"


def test_docs_page_renders_every_operation_under_the_csp(page: Page, browser_problems: list[str]) -> None:
    page.goto(f"{API}/docs")
    page.get_by_text("sw_l06", exact=False).first.wait_for()
    assert page.get_by_text(f"{API}/cancel-forwards").first.is_visible()
    assert page.locator(".opblock").count() >= 30
    assert browser_problems == []
