"""End-to-end fixtures: Playwright's sync API driving Debian's Chromium against `live_server`.

Run with `make test-e2e` (= `pytest tests/e2e -m e2e`); the default addopts skip `e2e` tests.
Never `playwright install`: the browser is Debian's `/usr/bin/chromium` (`apt-get install chromium`).

- `browser` (session): one headless Chromium for the whole run.
- `page` (test): a fresh context (own cookies) whose `base_url` is the live server, so
  `page.goto("/member/login/")` works. Data made in the test is committed (`live_server` implies
  `transactional_db`), so the server thread sees it.
- While Playwright runs, DJANGO_ALLOW_ASYNC_UNSAFE is set (see `playwright_instance`).
- On a failed test, a full-page screenshot and the page's HTML go to `test-results/`.
- `browser_problems` (test): script errors, CSP violations and failed CSS/JS/font/image loads seen
  by `page`; a test asserts it is empty.
- helpers.py: `screenshot(page, "name")` saves `test-results/name.png` for a person to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, Response, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.e2e.helpers import RESULTS_DIR, screenshot

CHROMIUM = os.environ.get("KOUIKI_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
DEFAULT_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the item so that `page` can tell, at teardown, that the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`)")
    # Playwright's sync API keeps an asyncio loop running in the test thread for as long as it is
    # started, so Django's async-safety check would refuse every ORM call made in that thread
    # (factories, assertions, the flush of `transactional_db`). Nothing here shares a connection
    # with a coroutine: allow it for exactly that time. The fixture exists only under tests/e2e,
    # so the main suite (`-m 'not e2e'`) keeps the check.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as p:
            yield p
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_problems() -> list[str]:
    """What went wrong in the browser during the test: script errors, CSP violations, subresources
    (CSS, JS, fonts, images) that failed or answered >= 400. Assert it is empty at the end."""
    return []


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, browser_problems: list[str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = browser_problems
    answered_badly: set[str] = set()

    def on_console(message: ConsoleMessage) -> None:
        # A failed load is reported below with its URL; a page answering 4xx on purpose
        # (a rejected form) is no problem.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            answered_badly.add(response.url)
            problems.append(f"{response.status} {response.request.resource_type} {response.url}")

    def on_request_failed(req: Request) -> None:
        # The test server sends the fonts (several MB each) without cache headers, so every page
        # fetches them again; a test that moves on before they arrive makes the browser abort them.
        # That is the navigation, not a broken page: only an aborted font or image is passed over.
        if req.failure == "net::ERR_ABORTED" and req.resource_type in ("font", "image"):
            return
        if req.resource_type != "document" and req.url not in answered_badly:
            problems.append(f"failed {req.resource_type} {req.url}: {req.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    try:
        yield page
    finally:
        reports = [getattr(request.node, f"rep_{when}", None) for when in ("setup", "call")]
        failed = any(report is not None and report.failed for report in reports)
        if failed and not page.is_closed():
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
            try:
                path = screenshot(page, f"failed-{name}")
                (RESULTS_DIR / f"failed-{name}.html").write_text(page.content(), encoding="utf-8")
                print(f"\nscreenshot of the failed page: {path} (url {page.url})")
                for line in problems:
                    print(line)
            except Exception as exc:  # the screenshot must never hide the test's own failure
                print(f"\ncould not save a screenshot: {exc}")
        context.close()
