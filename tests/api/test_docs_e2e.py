"""The API's docs page in a real browser: Swagger UI renders the operations from this site's own
assets, with no CSP violation and no script error. Run with `pytest tests/api -m e2e` (Debian's
Chromium, as tests/e2e)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import API

CHROMIUM = os.environ.get("KOUIKI_E2E_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.e2e


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[tuple[Any, list[str]]]:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(base_url=live_server.url)
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
            yield page, problems
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def test_docs_page_renders_every_operation_under_the_csp(browser_page) -> None:
    page, problems = browser_page
    page.goto(f"{API}/docs")
    page.get_by_text("sw_l06", exact=False).first.wait_for()
    assert page.get_by_text("/api/switching/v1/cancel-forwards").first.is_visible()
    assert page.locator(".opblock").count() >= 30
    assert problems == []
