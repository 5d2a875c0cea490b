"""Stopping a participant system (利用の停止, X-S1): maintenance windows and what they hold back.

Seeds 000/001/002 2.4: the organization may stop a system without notice for maintenance, a
disaster or another operational need. A window stops one system (or all of them) from its start
until its end — or, without an end, until staff end it. During it:

- the system's participant screens and API answer 503 (`kouiki.core.availability`);
- its outbound work waits: the deliveries of `kouiki.core.leases` take a `held` filter this module
  makes (`hold_while_stopped`, `hold_by_system`), the bulk jobs ask `paused`; nothing waiting
  burns an attempt, and the periodic sweeps send it on once the window is over.

The windows that are not over are read on every request: they are cached in each process under a
`Generation` bumped by every write here, so a request pays one shared-cache read and no query.

This module writes the rows and checks the times; who may do it, the audit and the notices that
announce a window are the back office's (kouiki.backoffice.services.availability).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kouiki.core.caching import Generation, LocalCache
from kouiki.core.errors import InvalidTransition, NotFound, ValidationFailed
from kouiki.core.models import ALL_SYSTEMS, Maintenance, MaintenanceKind
from kouiki.core.systems import System

__all__ = [
    "ALL_SYSTEMS",
    "MaintenanceKind",
    "Window",
    "active",
    "ahead",
    "create_window",
    "end_window",
    "forget",
    "hold_by_system",
    "hold_while_stopped",
    "paused",
    "paused_systems",
    "set_notice_ids",
    "system_label",
    "window",
    "windows",
]

GENERATION = Generation("maintenance")
_open_windows: LocalCache = LocalCache(max_entries=4)
# A window may start this much in the past when "now" is typed (the form's clock and ours).
_CLOCK_SLACK = timedelta(minutes=5)


def system_label(system: str) -> str:
    """「全システム」 or the system's name."""
    return "全システム" if system == ALL_SYSTEMS else System(system).label


@dataclass(frozen=True)
class Window:
    """A maintenance window as every reader sees it (the model stays inside core)."""

    pk: int
    system: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    message: str
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    ended_by: str
    notice_ids: tuple[int, ...]

    @property
    def until(self) -> datetime | None:
        """When it is over: its planned end, or when staff ended it if earlier; None: open-ended."""
        ends = [moment for moment in (self.ends_at, self.ended_at) if moment is not None]
        return min(ends) if ends else None

    @property
    def cancelled(self) -> bool:
        """Ended by staff before it started."""
        return self.ended_at is not None and self.ended_at <= self.starts_at

    @property
    def kind_label(self) -> str:
        return MaintenanceKind(self.kind).label

    @property
    def system_label(self) -> str:
        return system_label(self.system)

    def covers(self, system: str) -> bool:
        return self.system in (ALL_SYSTEMS, system)

    def active_at(self, moment: datetime) -> bool:
        until = self.until
        return self.starts_at <= moment and (until is None or moment < until)

    def over_at(self, moment: datetime) -> bool:
        until = self.until
        return until is not None and until <= moment

    def state_at(self, moment: datetime) -> str:
        """予定 / 停止中 / 終了 / 中止, as the back office lists it."""
        if self.cancelled:
            return "中止"
        if self.active_at(moment):
            return "停止中"
        return "終了" if self.over_at(moment) else "予定"


def _window(row: Maintenance) -> Window:
    return Window(
        pk=row.pk,
        system=row.system,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        message=row.message,
        created_by=row.created_by,
        created_at=row.created_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        notice_ids=tuple(row.notice_ids or ()),
    )


def _not_over(now: datetime) -> tuple[Window, ...]:
    """The windows not over at `now` (running or ahead), cached in this process per generation.

    A cached window goes from ahead to running to over by the clock alone; only a write changes
    which windows there are, and every write bumps the generation."""
    generation = GENERATION.current()
    cached = _open_windows.get("open", generation)
    if cached is None:
        rows = Maintenance.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now)).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )
        cached = tuple(_window(row) for row in rows.order_by("starts_at", "pk"))
        _open_windows.put("open", generation, cached)
    return cached  # type: ignore[no-any-return]


def forget() -> None:
    """Drop this process's copy of the windows. The generation lives in the shared cache, which a
    test that empties the database (a transactional test's flush) leaves as it was: the tests call
    this before each test so that none sees another's windows."""
    _open_windows.clear()


def active(system: str, now: datetime | None = None) -> Window | None:
    """The window stopping `system` at `now` (now by default), the one that lasts longest when
    several do (an open-ended one first); None when the system is not stopped."""
    now = now or timezone.now()
    running = [window for window in _not_over(now) if window.covers(system) and window.active_at(now)]
    if not running:
        return None
    return max(running, key=lambda window: (window.until is None, window.until or now))


def ahead(system: str, *, within: timedelta, now: datetime | None = None) -> list[Window]:
    """The windows that will stop `system` within `within` from now, the soonest first (the
    banner of its pages: the member system has no notices screen to announce them)."""
    now = now or timezone.now()
    return [
        window
        for window in _not_over(now)
        if window.covers(system) and now < window.starts_at <= now + within and not window.cancelled
    ]


def paused_systems(now: datetime | None = None) -> frozenset[str]:
    """The participant systems stopped at `now`; an all-systems window stops every one and adds
    ALL_SYSTEMS (what pauses work that belongs to no one system, the mail)."""
    now = now or timezone.now()
    found: set[str] = set()
    for window in _not_over(now):
        if window.active_at(now):
            found |= {*System.values, ALL_SYSTEMS} if window.system == ALL_SYSTEMS else {window.system}
    return frozenset(found)


def paused(system: str, now: datetime | None = None) -> bool:
    """Whether the outbound work of `system` (or, for ALL_SYSTEMS, work of no one system) waits now."""
    return system in paused_systems(now)


_EVERY_ROW = Q(pk__isnull=False)


def hold_while_stopped(system: str) -> Callable[[], Q | None]:
    """The `held` filter (kouiki.core.leases) of rows that all belong to `system`: every row while
    it is stopped. ALL_SYSTEMS: rows of no one system (the mail), held only while all are stopped."""

    def held() -> Q | None:
        return _EVERY_ROW if paused(system) else None

    return held


def hold_by_system(field: str) -> Callable[[], Q | None]:
    """The `held` filter of rows whose system is the lookup `field` ("endpoint__system"): the rows of
    the systems stopped now."""

    def held() -> Q | None:
        systems = sorted(paused_systems() - {ALL_SYSTEMS})
        return Q(**{f"{field}__in": systems}) if systems else None

    return held


# --- reading and writing the windows (the back office) --------------------------------------------


def windows(*, since: datetime | None = None) -> list[Window]:
    """Every window not over, and those over since `since`, the latest start first."""
    rows = Maintenance.objects.all()
    if since is not None:
        rows = rows.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since)).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gte=since) | Q(starts_at__gte=since)
        )
    return [_window(row) for row in rows.order_by("-starts_at", "-pk")]


def window(pk: int) -> Window:
    row = Maintenance.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound("指定された利用の停止は登録されていません。")
    return _window(row)


def create_window(
    *,
    system: str,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    message: str,
    created_by: str,
) -> Window:
    """Write a window: from `starts_at` (None: now) until `ends_at` (None: until ended).
    ValidationFailed names the field at fault; the caller (a staff service) checks the right and
    audits."""
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if system != ALL_SYSTEMS and system not in System.values:
        errors["system"] = ["対象システムを選択してください。"]
    if kind not in MaintenanceKind.values:
        errors["kind"] = ["事由を選択してください。"]
    message = message.strip()
    if not message:
        errors["message"] = ["利用者への案内を入力してください。"]
    elif len(message) > 1000:
        errors["message"] = ["利用者への案内は1000文字以内で入力してください。"]
    start = starts_at or now
    if starts_at is not None and starts_at < now - _CLOCK_SLACK:
        errors["starts_at"] = ["開始日時には現在以降の日時を入力してください。"]
    if ends_at is not None and ends_at <= max(start, now):
        errors["ends_at"] = ["終了予定日時には開始日時より後の、現在以降の日時を入力してください。"]
    if errors:
        raise ValidationFailed(errors=errors)
    with transaction.atomic():
        row = Maintenance.objects.create(
            system=system,
            kind=kind,
            starts_at=start,
            ends_at=ends_at,
            message=message,
            created_by=created_by[:200],
        )
        GENERATION.bump()
    return _window(row)


def end_window(*, pk: int, ended_by: str) -> Window:
    """End a window now: a running one is over at once (what waited goes on at the next sweep), one
    ahead is cancelled. InvalidTransition when it is over already."""
    now = timezone.now()
    with transaction.atomic():
        row = Maintenance.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise NotFound("指定された利用の停止は登録されていません。")
        if _window(row).over_at(now):
            raise InvalidTransition("この利用の停止は既に終了しています。")
        row.ended_at = now
        row.ended_by = ended_by[:200]
        row.save(update_fields=["ended_at", "ended_by"])
        GENERATION.bump()
    return _window(row)


def set_notice_ids(*, pk: int, notice_ids: list[int]) -> None:
    """Keep the notices that announced the window (written by the notices app)."""
    Maintenance.objects.filter(pk=pk).update(notice_ids=list(notice_ids))
    GENERATION.bump()
