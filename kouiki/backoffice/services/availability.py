"""Back office: stopping a participant system (利用の停止, X-S1), audited and announced.

The windows themselves are core's (kouiki.core.maintenance: the rows, the cache, what waits);
this module adds what staff acts need: the staff check, the audit, and the notice that announces
a window scheduled ahead on every notices screen it concerns (switching, capacity: the member
system has none), withdrawn when staff end the window (or cancel it before its start).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import maintenance
from kouiki.core.catalog import implements
from kouiki.core.service_hours import format_opening
from kouiki.identity.access import require_staff
from kouiki.notices import selectors as notice_selectors
from kouiki.notices import services as notices

# The notices' category of a stop (notices.models.Category.MAINTENANCE, メンテナンス情報).
MAINTENANCE_CATEGORY = "maintenance"


def _name(actor: Any) -> str:
    return f"{actor.display_name}（{actor.login_id}）" if getattr(actor, "login_id", "") else str(actor)


def _period(window: maintenance.Window) -> str:
    until = window.until
    return f"{format_opening(window.starts_at)}〜{format_opening(until) if until else '（終了時刻未定）'}"


def _announce(actor: Any, window: maintenance.Window) -> list[int]:
    """A notice of the window in each notices system it stops, shown from now until its end."""
    systems = [system for system in notices.NOTICE_SYSTEMS if window.covers(system)]
    ids = []
    for system in systems:
        notice = notices.create_notice(
            actor=actor,
            system=system,
            category=MAINTENANCE_CATEGORY,
            title=f"システムの停止のお知らせ（{_period(window)}）",
            body=(
                f"次の期間、{maintenance.system_label(window.system)}を停止します。"
                "停止中は画面・APIともご利用いただけません。\n\n"
                f"停止期間: {_period(window)}\n事由: {window.kind_label}\n\n{window.message}\n\n"
                "停止中に送信待ちとなった通知・電文は失われず、再開後に順に送信されます。"
            ),
            publish_from=timezone.now(),
            publish_until=window.until,
        )
        ids.append(notice.pk)
    return ids


@implements("X-S1")
def stop(
    *,
    actor: Any,
    system: str,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    message: str,
) -> maintenance.Window:
    """Stop `system` (or all) from `starts_at` (None: now) until `ends_at` (None: until ended); a
    window ahead is announced as a notice at once."""
    require_staff(actor)
    with transaction.atomic():
        window = maintenance.create_window(
            system=system,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            message=message,
            created_by=_name(actor),
        )
        notice_ids = _announce(actor, window) if window.starts_at > timezone.now() else []
        if notice_ids:
            maintenance.set_notice_ids(pk=window.pk, notice_ids=notice_ids)
        record(
            actor=actor,
            action=Action.AVAILABILITY_STOP,
            system="" if system == maintenance.ALL_SYSTEMS else system,
            detail={
                "maintenance": window.pk,
                "system": window.system,
                "kind": window.kind,
                "starts_at": window.starts_at.isoformat(),
                "ends_at": window.ends_at.isoformat() if window.ends_at else None,
                "message": window.message,
                "notices": notice_ids,
            },
        )
    return maintenance.window(window.pk)


@implements("X-S1")
def end(*, actor: Any, pk: int) -> maintenance.Window:
    """End a running window now (what waited goes on), or cancel one ahead; its notices are
    withdrawn either way."""
    require_staff(actor)
    with transaction.atomic():
        window = maintenance.end_window(pk=pk, ended_by=_name(actor))
        withdrawn = []
        if window.notice_ids:
            # The announcement ends with the window (ended early or cancelled).
            for notice_id in window.notice_ids:
                notice = notice_selectors.staff_notice(actor=actor, pk=notice_id)
                if notice.withdrawn_at is None:
                    notices.withdraw_notice(actor=actor, notice=notice)
                    withdrawn.append(notice.pk)
        record(
            actor=actor,
            action=Action.AVAILABILITY_STOP_END,
            system="" if window.system == maintenance.ALL_SYSTEMS else window.system,
            detail={
                "maintenance": window.pk,
                "system": window.system,
                "cancelled": window.cancelled,
                "withdrawn_notices": withdrawn,
            },
        )
    return window
