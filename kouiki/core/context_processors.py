"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kouiki.core.systems import System


def kouiki(request: HttpRequest) -> dict[str, Any]:
    system = getattr(request, "kouiki_system", None)
    names = dict(System.choices)
    return {"kouiki_system": system, "kouiki_system_name": names.get(system or "", "電力広域的運営推進機関")}
