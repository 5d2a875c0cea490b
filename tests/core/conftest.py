"""Fixtures of the kernel's tests."""

from __future__ import annotations

from typing import Any

import pytest

MAIL_TEMPLATES = {
    "tests/notice.subject.txt": "{{ name }} 様へのお知らせ\n",
    "tests/notice.body.txt": "{{ name }} 様\n\n仮パスワード: {{ secret }}\n",
}


@pytest.fixture
def mail_templates(settings: Any) -> None:
    engine = dict(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = {
        **engine.get("OPTIONS", {}),
        "loaders": [
            ("django.template.loaders.locmem.Loader", MAIL_TEMPLATES),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    settings.TEMPLATES = [engine]
