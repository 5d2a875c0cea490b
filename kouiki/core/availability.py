"""Is a participant system open now? The one answer for the hours and the stops (CAP-H1, X-S1).

A participant system is closed to its participants when staff stopped it (a maintenance window,
kouiki.core.maintenance, X-S1) or, for the capacity market system, outside its service hours
(kouiki.core.service_hours, CAP-H1). `closure(system)` says which, and `AvailabilityMiddleware`
answers every path of a closed system with it:

- the system's screens (`/member/…`, `/switching/…`, `/capacity/…`, their login pages included:
  a user sees why rather than logging in to nothing): a Japanese page, 503 with `Retry-After`;
- its API (`/api/switching/…`, `/api/capacity/…`): 503 problem+json with a stable code
  (`maintenance`, `outside_service_hours`) and `Retry-After`;
- the portal, the back office (`/backoffice/`: staff keep working), the API index, static files
  and everything else: always open.

The check runs on every request: the windows are cached in the process (one shared-cache read),
the hours are arithmetic (a closing day is a query only on a business day inside the hours).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from kouiki.core import calendar, maintenance, service_hours
from kouiki.core.api import problem_response
from kouiki.core.catalog import implements
from kouiki.core.systems import System

# The participant paths of each system: its screens, then its API.
SCREEN_PREFIXES: dict[str, tuple[str, ...]] = {system: (f"/{system}/",) for system in System.values}
API_PREFIXES: dict[str, tuple[str, ...]] = {
    System.SWITCHING.value: ("/api/switching/",),
    System.CAPACITY.value: ("/api/capacity/",),
}


@dataclass(frozen=True)
class Closure:
    """Why a system is closed now and until when, as the page and the API tell it."""

    system: str
    code: str  # the API's stable problem code
    title: str
    detail: str
    retry_after: int  # seconds
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def system_of(path: str) -> tuple[str, bool] | None:
    """The participant system a path belongs to and whether it is its API; None for any other path."""
    for system in System.values:
        for prefix in API_PREFIXES.get(system, ()):
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                return system, True
        for prefix in SCREEN_PREFIXES[system]:
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                return system, False
    return None


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _maintenance_closure(window: maintenance.Window, system: str, now: datetime) -> Closure:
    until = window.until
    name = System(system).label
    if until is None:
        when = "再開の時期は決まり次第お知らせします。"
        retry_after = int(settings.KOUIKI_MAINTENANCE_RETRY_AFTER_SECONDS)
    else:
        when = f"再開予定は{service_hours.format_opening(until)}です。"
        retry_after = _seconds_until(until, now)
    return Closure(
        system=system,
        code="maintenance",
        title="システムを停止しています",
        detail=f"{name}は現在ご利用いただけません（{window.kind_label}）。{window.message} {when}",
        retry_after=retry_after,
        template="core/maintenance.html",
        context={
            "system_name": name,
            "window": window,
            "until": service_hours.format_opening(until) if until else "",
            "until_iso": until.isoformat() if until else "",
        },
        extensions={
            "starts_at": window.starts_at.astimezone(calendar.JST).isoformat(),
            "ends_at": until.astimezone(calendar.JST).isoformat() if until else None,
        },
    )


def _hours_closure(now: datetime) -> Closure:
    opening = service_hours.next_opening(now)
    return Closure(
        system=System.CAPACITY,
        code="outside_service_hours",
        title="サービス提供時間外です",
        detail=(
            f"容量市場システムのサービス提供時間外です。提供時間は{service_hours.HOURS_TEXT}です。"
            f"次回の提供開始は{service_hours.format_opening(opening)}です。"
        ),
        retry_after=_seconds_until(opening, now),
        template="core/service_hours_closed.html",
        context={
            "hours_text": service_hours.HOURS_TEXT,
            "opening": service_hours.format_opening(opening),
            "opening_iso": opening.isoformat(),
        },
        extensions={"next_opening": opening.isoformat()},
    )


def closure(system: str, now: datetime | None = None) -> Closure | None:
    """Why `system` is closed to its participants at `now` (now by default), None when it is open.
    A stop comes before the hours: it is the one that tells when the system comes back."""
    now = (now or calendar.now_jst()).astimezone(calendar.JST)
    window = maintenance.active(system, now)
    if window is not None:
        return _maintenance_closure(window, system, now)
    if system == System.CAPACITY and not service_hours.always_open() and not service_hours.is_open(now):
        return _hours_closure(now)
    return None


# How far ahead a participant system's pages announce a stop (a banner above every page).
ANNOUNCE_AHEAD = timedelta(days=14)


def announcements(path: str, now: datetime | None = None) -> list[str]:
    """The stops ahead of the participant system of `path`, one Japanese line each, for the banner
    of its pages (nothing for the back office and other paths)."""
    found = system_of(path)
    if found is None:
        return []
    lines = []
    for window in maintenance.ahead(found[0], within=ANNOUNCE_AHEAD, now=now):
        until = window.until
        period = (
            f"{service_hours.format_opening(window.starts_at)}〜"
            f"{service_hours.format_opening(until) if until else '（終了時刻未定）'}"
        )
        lines.append(f"{window.system_label}を停止します（{period}、{window.kind_label}）。{window.message}")
    return lines


def is_open(system: str, now: datetime | None = None) -> bool:
    """Whether `system` is open to its participants at `now`."""
    return closure(system, now) is None


def closed_response(request: HttpRequest, closed: Closure, *, api: bool) -> HttpResponse:
    """The 503 a closed system answers: problem+json on its API, a Japanese page on its screens."""
    headers = {"Retry-After": str(closed.retry_after), "Cache-Control": "no-store"}
    if api:
        return problem_response(
            request,
            status=503,
            code=closed.code,
            title=closed.title,
            detail=closed.detail,
            headers=headers,
            extensions=closed.extensions,
        )
    html = render_to_string(closed.template, {"title": closed.title, **closed.context}, request=request)
    response = HttpResponse(html, status=503)
    for name, value in headers.items():
        response[name] = value
    return response


@implements("X-S1", "CAP-H1")
class AvailabilityMiddleware:
    """Closes a participant system's screens and API while it is stopped or outside its hours."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = system_of(request.path_info)
        if found is None:
            return self.get_response(request)
        system, api = found
        closed = closure(system)
        if closed is None:
            return self.get_response(request)
        return closed_response(request, closed, api=api)
