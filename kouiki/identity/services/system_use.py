"""A participant's use of one system: suspended (利用の中断, X-S2) and ended (契約の終了, X-S3).

- Staff suspend a participant's use of one system or all, with a reason (seed 000/001/002 2.6):
  its users' sessions end at once, and the access layer refuses it in those systems from the next
  request on (screens, API tokens, and with them its client certificate), its contractors acting
  for it too; its bulk files and callbacks wait (`selectors.is_paused`). Lifting the suspension
  resumes them (the systems' `on_lift` hooks re-queue what waited).
- Its administrator asks to end the contract of the switching or capacity system (2.7.1) and may
  withdraw the request; the contract ends when staff complete the termination, and the
  administrators are told by mail. Staff may also end it on one of the grounds the system's terms
  list (2.7.2, `choices.TERMINATION_GROUNDS`). The member system is suspended only: its use ends
  with the membership (withdrawal, succession: kouiki.membership).
- A terminated participant is refused like a suspended one, for good: its joint use of personal
  data ends (SW-P4) while its data and the usage logs stay retained (X-L1, `retention`).
Every step is audited; `SystemUse` holds the latest state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.catalog import implements
from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import Role, System, site
from kouiki.identity.access import require_administrator, require_staff_role, use_message
from kouiki.identity.choices import (
    SUSPENDABLE_SYSTEMS,
    TERMINATION_GROUNDS,
    StaffRole,
    TerminationGround,
    UseState,
)
from kouiki.identity.models import Organization, SystemUse, User
from kouiki.identity.selectors import Use
from kouiki.identity.services.tokens import invalidate_access

if TYPE_CHECKING:
    from django.db.models import QuerySet

# Which staff decide on a system's use: its own area's staff, and the staff administrators.
DECIDERS: dict[str, frozenset[str]] = {
    System.MEMBER: frozenset({StaffRole.REVIEWER, StaffRole.STAFF_ADMIN}),
    System.SWITCHING: frozenset({StaffRole.SWITCHING, StaffRole.STAFF_ADMIN}),
    System.CAPACITY: frozenset({StaffRole.CAPACITY, StaffRole.STAFF_ADMIN}),
}
NOT_A_DECIDER = "この事業者の{system}の利用状態を変更する職員権限がありません。"
REASON_MAX = 1000
# What resumes a suspended participant's waiting work when it is lifted: (organization_id, system).
_ON_LIFT: list[Callable[[int, str], object]] = []


def on_lift(resume: Callable[[int, str], object]) -> None:
    """Register what re-queues a system's waiting work of an organization once its suspension is
    lifted (bulk files, callbacks): called in the lifting transaction; enqueue on commit."""
    if resume not in _ON_LIFT:
        _ON_LIFT.append(resume)


def _decider(actor: User, system: str) -> None:
    require_staff_role(actor, DECIDERS[system], NOT_A_DECIDER.format(system=site(system).name))


def _text(value: str, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"{what}を入力してください。", field=field)
    if len(text) > REASON_MAX:
        raise ValidationFailed(f"{what}は{REASON_MAX}文字以内で入力してください。", field=field)
    return text


def _row(organization: Organization, system: str) -> SystemUse:
    """The organization's row of `system`, locked for this transaction (made when missing)."""
    SystemUse.objects.get_or_create(organization=organization, system=system)
    return SystemUse.objects.select_for_update().get(organization=organization, system=system)


def _save(use: SystemUse) -> None:
    use.save()
    invalidate_access()


def _users_of(organization: Organization, systems: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(organization=organization, enrollments__system__in=list(systems)).distinct()


def end_sessions(user_ids: Iterable[int]) -> int:
    """End every session of these users at once (sessions are kept in the database): they are
    signed out on their next request. Returns how many sessions ended."""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") in wanted:
            ended.append(session.session_key)
    return Session.objects.filter(session_key__in=ended).delete()[0]


def _mail_administrators(organization: Organization, system: str, template: str, **context: object) -> None:
    """Mail the organization's administrators of `system` (on commit, through the outbox)."""
    emails = sorted(
        set(
            User.objects.filter(
                organization=organization,
                is_active=True,
                enrollments__system=system,
                enrollments__role=Role.ADMIN,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if emails:
        queue_mail(
            to=emails,
            template=f"identity/mail/{template}",
            context={
                "organization": organization,
                "system_name": site(system).name,
                "contact": settings.KOUIKI_USE_CONTACT,
                "site_url": settings.SITE_URL,
                **context,
            },
        )


def _as_use(row: SystemUse) -> Use:
    return Use(
        state=row.state,
        reason=row.reason,
        ground=row.ground,
        since=row.since,
        terminated_at=row.terminated_at,
    )


# --- 利用の中断 (X-S2) ------------------------------------------------------------------------------


@implements("X-S2")
def suspend(
    *, actor: User, organization: Organization, systems: Iterable[str], reason: str
) -> list[SystemUse]:
    """Suspend the organization's use of `systems` (one or all) on suspicion of a prohibited act, a
    leak or misuse, with a reason: its sessions end, the access layer refuses it, its bulk files
    and callbacks wait. A system already suspended or terminated is refused (nothing changes)."""
    chosen = [system for system in SUSPENDABLE_SYSTEMS if system in set(systems)]
    if not chosen:
        raise ValidationFailed("中断するシステムを選択してください。", field="systems")
    for system in chosen:
        _decider(actor, system)
    reason = _text(reason, "reason", "中断の理由")
    now = timezone.now()
    with transaction.atomic():
        rows = [_row(organization, system) for system in chosen]
        for row in rows:
            if row.state in (UseState.SUSPENDED, UseState.TERMINATED):
                raise InvalidTransition(
                    f"{site(row.system).name}の利用は{UseState(row.state).label}のため、中断できません。",
                    field="systems",
                )
        for row in rows:
            row.state, row.reason, row.since, row.decided_by = UseState.SUSPENDED, reason, now, actor
            _save(row)
            record(
                actor=actor,
                action=Action.USE_SUSPEND,
                obj=row,
                organization=organization,
                system=row.system,
                detail={"reason": reason},
            )
            _mail_administrators(
                organization,
                row.system,
                "use_suspended",
                message=use_message(_as_use(row), row.system, with_reason=True),
            )
        end_sessions(_users_of(organization, chosen).values_list("pk", flat=True))
    return rows


@implements("X-S2")
def lift_suspension(*, actor: User, organization: Organization, system: str) -> SystemUse:
    """Lift the suspension of the organization's use of `system`: it is in use again (a termination
    it had asked for before stays asked for), and what waited goes on."""
    _decider(actor, system)
    with transaction.atomic():
        row = _row(organization, system)
        if row.state != UseState.SUSPENDED:
            raise InvalidTransition(f"{site(system).name}の利用は中断されていません。")
        suspended = row.reason
        row.state = UseState.TERMINATION_REQUESTED if row.requested_at else UseState.ACTIVE
        row.reason, row.since, row.decided_by = "", timezone.now(), actor
        _save(row)
        record(
            actor=actor,
            action=Action.USE_LIFT,
            obj=row,
            organization=organization,
            system=system,
            detail={"suspended_for": suspended},
        )
        for resume in _ON_LIFT:
            resume(organization.pk, system)
        _mail_administrators(organization, system, "use_resumed")
    return row


# --- 契約の終了 (X-S3) ------------------------------------------------------------------------------


def _terminable(system: str) -> None:
    if system not in TERMINATION_GROUNDS:
        raise ValidationFailed(
            "会員情報管理システムの利用は、脱退・承継による会員資格の喪失とともに終了します。",
            field="system",
        )


@implements("X-S3")
def request_termination(*, actor: User, system: str, reason: str) -> SystemUse:
    """The participant's administrator asks to end its contract of `system` (seed 001/002 2.7.1):
    the contract ends when staff complete the termination and notify it."""
    _terminable(system)
    organization_id = require_administrator(actor, system, "利用終了の申請は、貴社の管理者が行います。")
    reason = _text(reason, "reason", "終了を申請する理由")
    with transaction.atomic():
        row = _row(Organization.objects.get(pk=organization_id), system)
        if row.state != UseState.ACTIVE:
            raise InvalidTransition(f"現在の利用状態（{UseState(row.state).label}）では申請できません。")
        row.state, row.reason, row.requested_at, row.requested_by = (
            UseState.TERMINATION_REQUESTED,
            reason,
            timezone.now(),
            actor,
        )
        row.since = row.requested_at
        _save(row)
        record(
            actor=actor,
            action=Action.USE_TERMINATION_REQUEST,
            obj=row,
            system=system,
            detail={"reason": reason},
        )
    return row


@implements("X-S3")
def withdraw_termination(*, actor: User, system: str) -> SystemUse:
    """The administrator withdraws its request before staff complete it."""
    organization_id = require_administrator(
        actor, system, "利用終了の申請の取下げは、貴社の管理者が行います。"
    )
    with transaction.atomic():
        row = _row(Organization.objects.get(pk=organization_id), system)
        if row.state != UseState.TERMINATION_REQUESTED:
            raise InvalidTransition("取り下げる利用終了の申請はありません。")
        row.state, row.reason, row.requested_at, row.requested_by = UseState.ACTIVE, "", None, None
        row.since = timezone.now()
        _save(row)
        record(actor=actor, action=Action.USE_TERMINATION_WITHDRAW, obj=row, system=system)
    return row


@implements("X-S3")
def reject_termination(*, actor: User, organization: Organization, system: str, reason: str) -> SystemUse:
    """Staff send a termination request back (it cannot be completed as asked), with the reason
    mailed to the administrators; the participant stays in use."""
    _decider(actor, system)
    reason = _text(reason, "reason", "差戻しの理由")
    with transaction.atomic():
        row = _row(organization, system)
        if row.state != UseState.TERMINATION_REQUESTED:
            raise InvalidTransition("差し戻す利用終了の申請はありません。")
        row.state, row.reason, row.requested_at, row.requested_by = UseState.ACTIVE, "", None, None
        row.since, row.decided_by = timezone.now(), actor
        _save(row)
        record(
            actor=actor,
            action=Action.USE_TERMINATION_REJECT,
            obj=row,
            organization=organization,
            system=system,
            detail={"reason": reason},
        )
        _mail_administrators(organization, system, "termination_rejected", reason=reason)
    return row


@implements("X-S3")
def complete_termination(*, actor: User, organization: Organization, system: str) -> SystemUse:
    """Staff complete the termination the participant asked for and notify it (2.7.1): the
    contract ends now."""
    _decider(actor, system)
    with transaction.atomic():
        row = _row(organization, system)
        if row.state != UseState.TERMINATION_REQUESTED:
            raise InvalidTransition("完了する利用終了の申請はありません。")
        return _end(actor, organization, row, TerminationGround.REQUEST, row.reason)


@implements("X-S3", "SW-P4")
def terminate(*, actor: User, organization: Organization, system: str, ground: str, text: str) -> SystemUse:
    """Staff end the organization's contract of `system` on one of the grounds its terms list
    (2.7.2), with what happened in words."""
    _terminable(system)
    _decider(actor, system)
    if ground not in TERMINATION_GROUNDS[system]:
        raise ValidationFailed(
            "終了事由を、このシステムの利用規約に定める事由から選択してください。", field="ground"
        )
    text = _text(text, "text", "終了事由の内容")
    with transaction.atomic():
        row = _row(organization, system)
        if row.state == UseState.TERMINATED:
            raise InvalidTransition(f"{site(system).name}の利用契約は終了済みです。")
        return _end(actor, organization, row, TerminationGround(ground), text)


def _end(
    actor: User, organization: Organization, row: SystemUse, ground: TerminationGround, text: str
) -> SystemUse:
    """The contract ends now: refused everywhere from the next request, its sessions ended, its
    administrators told; its data and logs stay (X-L1)."""
    now = timezone.now()
    row.state, row.ground, row.reason = UseState.TERMINATED, ground.value, text
    row.since, row.terminated_at, row.decided_by = now, now, actor
    _save(row)
    record(
        actor=actor,
        action=Action.USE_TERMINATE,
        obj=row,
        organization=organization,
        system=row.system,
        detail={"ground": ground.value, "ground_label": ground.label, "text": text},
    )
    _mail_administrators(
        organization, row.system, "use_terminated", ground=ground.label, terminated_at=timezone.localtime(now)
    )
    end_sessions(_users_of(organization, [row.system]).values_list("pk", flat=True))
    return row


# --- 利用ログ等の保存 (X-L1) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """Until when a terminated participant's data of one kind is kept (settings KOUIKI_RETENTION_*)."""

    kind: str
    label: str
    years: int
    until: date


RETAINED_KINDS = (
    ("user_data", "ユーザデータ", "KOUIKI_RETENTION_USER_DATA_YEARS"),
    ("personal_data", "廃止取次データ（需要者の個人情報を含む）", "KOUIKI_RETENTION_PERSONAL_DATA_YEARS"),
    (
        "usage_logs",
        "本システム利用ログデータ（監査ログ・個人情報閲覧記録）",
        "KOUIKI_RETENTION_USAGE_LOG_YEARS",
    ),
)


@implements("X-L1")
def retention(terminated_at: datetime, system: str) -> list[Retention]:
    """Until when each kind of a terminated participant's data is kept (seed 001 2.7.4): counted
    from the end of its contract. Cancel-forward data exists in the switching system only."""
    day = timezone.localtime(terminated_at).date()
    kept = []
    for kind, label, setting in RETAINED_KINDS:
        if kind == "personal_data" and system != System.SWITCHING:
            continue
        years = int(getattr(settings, setting))
        try:
            until = day.replace(year=day.year + years)
        except ValueError:  # 29 February
            until = day.replace(year=day.year + years, day=28)
        kept.append(Retention(kind=kind, label=label, years=years, until=until))
    return kept
