"""Helpers for end-to-end tests: screenshots for people, labelled fields of our forms."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page

RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-results/<name>.png and return its path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def field(page: Page, label: str) -> Locator:
    """The input whose label is exactly `label`, allowing the 必須 marker that
    templates/includes/field.html puts inside the <label> ("新しいパスワード" does not match
    "新しいパスワード(確認)")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*(必須)?\s*$"))
