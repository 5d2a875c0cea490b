"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def kouiki(request: HttpRequest) -> dict[str, Any]:
    return {"kouiki_system": getattr(request, "kouiki_system", None)}
