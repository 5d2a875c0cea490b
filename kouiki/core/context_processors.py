"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kouiki.core.availability import announcements
from kouiki.core.systems import SITES, site_name

ORGANIZATION = "電力広域的運営推進機関"


def kouiki(request: HttpRequest) -> dict[str, Any]:
    system = getattr(request, "kouiki_system", None)
    return {
        "kouiki_system": system,
        "kouiki_system_name": site_name(system or "", ORGANIZATION),
        "kouiki_sites": {site.key: site for site in SITES},
        # Stops ahead of the page's participant system (X-S1): a banner above every page of it. A
        # callable, read only when a template shows it — the error pages don't (they must not
        # depend on the database or the shared cache that may be what failed).
        "kouiki_stops_ahead": lambda: announcements(request.path_info),
    }
