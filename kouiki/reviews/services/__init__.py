"""The review workflow: every change of an application, one function per business act.

    act        from                                      to
    ---------  ----------------------------------------  ----------------------------------
    (create)   -                                         draft
    submit     draft                                     submitted
    hold       submitted, resubmitted                    on_hold
    approve    submitted, resubmitted, on_hold           approved   (final)
    reject     submitted, resubmitted, on_hold           rejected
    resubmit   on_hold, rejected                         resubmitted
    withdraw   draft, submitted, resubmitted, on_hold    withdrawn  (final; the applicant)
    expire     draft, on_hold, rejected                  expired    (final; the system or staff)

Reject is not final: seed 003 (1.1, 5.1) tells the member that after a hold or a rejection it updates
the application according to the reason (保留・却下の場合は理由に応じて申請内容を更新), so a rejected
application is corrected and resubmitted through the same screen, keeping its reception number and
history; the expiry job closes the ones nobody takes up. Approve from on_hold is allowed because the
documents a hold asks for may reach the organization outside the system (seed 003 5.1 step 3).

The applicant may edit an application until it is decided for good (MEM-I3: a request not yet
approved can be edited): in draft, on hold and rejected the edit waits for the (re)submission; while
submitted or resubmitted it is validated at once, and a reviewer whose screen showed the older version
is refused (`expected_version`).

Every act locks the application row, checks the actor and then the state on the locked row (of two
concurrent decisions only one wins), and writes the Transition, the audit event and the applicant's
mail in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import catalog
from kouiki.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.identity.access import is_participant, is_staff, require_function, require_staff
from kouiki.reviews.models import PENDING_STATES, Application, ReceptionCounter, State, Transition
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import User


@dataclass(frozen=True)
class Guest:
    """An applicant without an account (a company applying to join), known by its e-mail address.

    The caller lets a guest in only after `selectors.application_by_reception` matched the reception
    number and the e-mail address (seed 003 1.4: 加入申請受付番号 + 管理者①メールアドレス).
    """

    email: str


# act -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[State], State]] = {
    "submit": (frozenset({State.DRAFT}), State.SUBMITTED),
    "resubmit": (frozenset({State.ON_HOLD, State.REJECTED}), State.RESUBMITTED),
    "hold": (frozenset({State.SUBMITTED, State.RESUBMITTED}), State.ON_HOLD),
    "reject": (frozenset({State.SUBMITTED, State.RESUBMITTED, State.ON_HOLD}), State.REJECTED),
    "approve": (frozenset({State.SUBMITTED, State.RESUBMITTED, State.ON_HOLD}), State.APPROVED),
    "withdraw": (
        frozenset({State.DRAFT, State.SUBMITTED, State.RESUBMITTED, State.ON_HOLD}),
        State.WITHDRAWN,
    ),
    "expire": (frozenset({State.DRAFT, State.ON_HOLD, State.REJECTED}), State.EXPIRED),
}
# The applicant may change the requested values in these states.
EDITABLE_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.RESUBMITTED, State.ON_HOLD, State.REJECTED})

# Groups of states, for the other apps to ask instead of restating states (see also `may`).
# Waiting for the reviewer: the queue's default; an edit is validated at once (`update_payload`).
PENDING = frozenset(PENDING_STATES)
# Filed and not decided yet: waiting for the reviewer, or held until the applicant answers.
UNDECIDED = PENDING | {State.ON_HOLD}
# Open: an application that blocks another one on the same object (an organization's member
# information, an operator, a power source): one at a time. A draft is open, as it is about to be
# filed. A rejected application is not: the applicant may file afresh, and resubmitting it checks
# again that no other one is open. These are the states the applicant may still withdraw from.
OPEN = UNDECIDED | {State.DRAFT}
# Decided for good: no act is left (approved, withdrawn, expired).
FINAL = frozenset({State.APPROVED, State.WITHDRAWN, State.EXPIRED})
# The acts that file an application for review, from draft and after a hold or a rejection.
FILING_ACTS = ("submit", "resubmit")
# The reviewer's acts, in the order the decision form offers them.
DECISIONS = ("approve", "hold", "reject")

ACT_NAMES = {
    "create": "作成",
    "submit": "申請",
    "update": "変更",
    "resubmit": "再申請",
    "hold": "保留",
    "reject": "却下",
    "approve": "承認",
    "withdraw": "取下げ",
    "expire": "失効",
}
# The audit event each act records.
_AUDIT_ACTIONS = {
    "create": Action.REVIEW_CREATE,
    "submit": Action.REVIEW_SUBMIT,
    "update": Action.REVIEW_UPDATE,
    "resubmit": Action.REVIEW_RESUBMIT,
    "hold": Action.REVIEW_HOLD,
    "reject": Action.REVIEW_REJECT,
    "approve": Action.REVIEW_APPROVE,
    "withdraw": Action.REVIEW_WITHDRAW,
    "expire": Action.REVIEW_EXPIRE,
}
REASON_MAX_LENGTH = 2000


def allowed_acts(state: str) -> frozenset[str]:
    """The acts an application in `state` allows (TRANSITIONS, and "update" while editable): what
    the services accept and what a screen offers as buttons."""
    current = State(state)
    acts = {act for act, (sources, _target) in TRANSITIONS.items() if current in sources}
    if current in EDITABLE_STATES:
        acts.add("update")
    return frozenset(acts)


def may(act: str, state: str) -> bool:
    """Whether an application in `state` allows `act` (a key of TRANSITIONS, or "update")."""
    return act in allowed_acts(state)


def filing_act(state: str) -> str | None:
    """The act that files an application in `state` for review: "submit" a draft, "resubmit" after
    a hold or a rejection; None when it cannot be filed."""
    return next((act for act in FILING_ACTS if may(act, state)), None)


# --- checks -------------------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return (
        actor is not None and not isinstance(actor, Guest) and bool(getattr(actor, "is_authenticated", False))
    )


def _require_function(actor: User, application_type: registry.ApplicationType) -> None:
    if application_type.function_id is not None:
        require_function(actor, application_type.function_id)


def _require_applicant(
    actor: Any, application: Application, application_type: registry.ApplicationType
) -> None:
    """The applicant side: the guest who filed it, the user who filed it or a user of its organization.

    Anyone else's application is NotFound, never a 403 that confirms it exists.
    """
    if isinstance(actor, Guest):
        if (
            application.organization_id is None
            and application.applicant_id is None
            and application.applicant_email.casefold() == actor.email.strip().casefold()
        ):
            return
        raise NotFound()
    if not is_participant(actor):
        raise Forbidden("申請者のみ操作できます。")
    own = application.applicant_id == actor.pk or (
        application.organization_id is not None and application.organization_id == actor.organization_id
    )
    if not own:
        raise NotFound()
    _require_function(actor, application_type)


def require_act(act: str, state: str) -> None:
    """InvalidTransition, with the services' message, unless `state` allows `act`; for a caller that
    refuses early, before its own validation (the act checks again on the locked row)."""
    if not may(act, state):
        raise InvalidTransition(f"状態が「{State(state).label}」の申請は{ACT_NAMES[act]}できません。")


def _require_state(application: Application, act: str) -> State:
    require_act(act, application.state)
    return TRANSITIONS[act][1]


def _require_version(application: Application, expected_version: int | None) -> None:
    if expected_version is not None and application.version != expected_version:
        raise Conflict(
            "この申請は表示後に更新されています。画面を開き直して最新の内容を確認してください。",
            code="stale_version",
        )


def _clean_reason(reason: str, *, required_for: str | None) -> str:
    reason = (reason or "").strip()
    if required_for and not reason:
        raise ValidationFailed(f"{ACT_NAMES[required_for]}の理由を入力してください。", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(f"理由は{REASON_MAX_LENGTH}文字以内で入力してください。", field="reason")
    return reason


def _validated(application_type: registry.ApplicationType, payload: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        raise ValidationFailed("申請内容の形式が正しくありません。")
    return dict(application_type.validate(dict(payload)))


def _summary(application_type: registry.ApplicationType, payload: Mapping[str, Any]) -> str:
    return application_type.summary(dict(payload))[:200] if application_type.summary else ""


def _lock(application: Application) -> Application:
    """The application's row, locked until the transaction ends, with its current values."""
    try:
        return Application.objects.select_for_update().get(pk=application.pk)
    except Application.DoesNotExist:
        raise NotFound() from None


# --- records: history, audit, mail ----------------------------------------------------------------


def _actor_label(actor: Any) -> str:
    if isinstance(actor, Guest):
        return f"申請者 {actor.email}"
    if not _is_user(actor):
        return "システム"
    name = actor.display_name or actor.login_id
    return f"本機関 {name}" if is_staff(actor) else f"{name}（{actor.login_id}）"


def _save_and_record(
    application: Application,
    actor: Any,
    act: str,
    application_type: registry.ApplicationType,
    from_state: str,
    at: Any,
    reason: str = "",
) -> None:
    """Save the application an act moved, then its history row, audit event and mail."""
    application.save()
    _record(
        actor=actor,
        act=act,
        application=application,
        application_type=application_type,
        from_state=from_state,
        reason=reason,
        at=at,
    )


def _record(
    *,
    actor: Any,
    act: str,
    application: Application,
    application_type: registry.ApplicationType,
    from_state: str,
    reason: str = "",
    at: Any = None,
) -> None:
    """The history row, the audit event and (for the acts that mail) the applicant's mail."""
    user = actor if _is_user(actor) else None
    label = _actor_label(actor)
    Transition.objects.create(
        application=application,
        action=act,
        from_state=from_state,
        to_state=application.state,
        actor_id=user.pk if user is not None else None,
        actor_label=label[:200],
        reason=reason,
        at=at or timezone.now(),
    )
    detail: dict[str, Any] = {
        "kind": application.kind,
        "reception_number": application.reception_number,
        "from": from_state,
        "to": application.state,
        "version": application.version,
    }
    if reason:
        detail["reason"] = reason
    system = catalog.get(application_type.function_id).system if application_type.function_id else ""
    record(
        actor=user,
        action=_AUDIT_ACTIONS[act],
        obj=application,
        organization=application.organization,
        system=system,
        detail=detail,
        actor_label="" if user is not None else label,
    )
    if act not in registry.MAIL_EVENTS:
        return
    template = application_type.mail_template(act)
    recipients = application_type.mail_recipients(application)
    if template and recipients:
        queue_mail(
            to=recipients,
            template=template,
            context={
                "application": application,
                "kind_name": application_type.name,
                "reception_number": application.reception_number,
                "state_label": State(application.state).label,
                "reason": reason,
                "site_url": settings.SITE_URL,
            },
        )


def _next_reception_number(prefix: str) -> str:
    """The next number of `prefix` this year, gapless: the counter row stays locked until commit."""
    year = timezone.localdate().year
    counters = ReceptionCounter.objects.filter(prefix=prefix, year=year)
    if not counters.update(last=F("last") + 1):
        # The first number of the year: a concurrent first insert loses on the unique constraint
        # and takes the next number instead.
        _counter, created = ReceptionCounter.objects.get_or_create(
            prefix=prefix, year=year, defaults={"last": 1}
        )
        if not created:
            counters.update(last=F("last") + 1)
    last = counters.values_list("last", flat=True).get()
    return f"{prefix}{year}-{last:06d}"


# --- the applicant's acts ---------------------------------------------------------------------------


def create_draft(
    *,
    actor: User | Guest,
    kind: str,
    payload: Mapping[str, Any],
    applicant_email: str = "",
    current: Mapping[str, Any] | None = None,
) -> Application:
    """Start an application in draft and give it its reception number (受付番号).

    A user files for its organization (mails go to `applicant_email`, by default the user's); a
    guest (a company applying to join) files without one, its e-mail address being the applicant's.
    `current` is what is registered now, kept for the reviewer's current/requested comparison. A draft
    is not validated (a provisional application may be partial); `submit` validates. To file and
    submit in one step, call both inside one `transaction.atomic()`.
    """
    application_type = registry.get(kind)
    if not isinstance(payload, Mapping):
        raise ValidationFailed("申請内容の形式が正しくありません。")
    if isinstance(actor, Guest):
        organization_id, applicant_id = None, None
        email = actor.email
    else:
        if not is_participant(actor):
            raise Forbidden("申請者のみ操作できます。")
        _require_function(actor, application_type)
        organization_id, applicant_id = actor.organization_id, actor.pk
        email = applicant_email or actor.email
    if not email:
        raise ValidationFailed("申請者のメールアドレスを入力してください。", field="applicant_email")
    now = timezone.now()
    with transaction.atomic():
        application = Application.objects.create(
            kind=kind,
            reception_number=_next_reception_number(application_type.prefix),
            organization_id=organization_id,
            applicant_id=applicant_id,
            applicant_email=email.strip(),
            subject=_summary(application_type, payload),
            payload=dict(payload),
            current=dict(current) if current is not None else None,
            state=State.DRAFT,
            created_at=now,
            updated_at=now,
        )
        _record(
            actor=actor,
            act="create",
            application=application,
            application_type=application_type,
            from_state="",
            at=now,
        )
    return application


class Filing(TypedDict, total=False):
    """What a submission or a resubmission may carry besides the application."""

    # The edited payload (the application's own when not given).
    payload: Mapping[str, Any] | None
    # The version the applicant saw: a later change is a conflict.
    expected_version: int | None


def _file(
    *,
    act: str,
    actor: User | Guest,
    application: Application,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Application:
    """Submit or resubmit: validate the (possibly edited) payload and put it in the queue."""
    application_type = registry.get(application.kind)
    with transaction.atomic():
        locked = _lock(application)
        _require_applicant(actor, locked, application_type)
        _require_version(locked, expected_version)
        target = _require_state(locked, act)
        cleaned = _validated(application_type, locked.payload if payload is None else payload)
        now = timezone.now()
        from_state = locked.state
        locked.payload = cleaned
        locked.subject = _summary(application_type, cleaned)
        locked.state = target
        locked.submitted_at = now
        locked.updated_at = now
        # A resubmission is reviewed afresh: the previous decision stays in the history only.
        locked.decided_at = None
        locked.decided_by = None
        locked.decision_reason = ""
        locked.version += 1
        _save_and_record(locked, actor, act, application_type, from_state, now)
    return locked


def submit(*, actor: User | Guest, application: Application, **filing: Unpack[Filing]) -> Application:
    """File a draft for review (draft → submitted), with the edited `payload` if given."""
    return _file(act="submit", actor=actor, application=application, **filing)


def resubmit(*, actor: User | Guest, application: Application, **filing: Unpack[Filing]) -> Application:
    """File again after a hold or a rejection (on_hold / rejected → resubmitted), corrected by `payload`."""
    return _file(act="resubmit", actor=actor, application=application, **filing)


def update_payload(
    *,
    actor: User | Guest,
    application: Application,
    payload: Mapping[str, Any],
    expected_version: int | None = None,
) -> Application:
    """Change the requested values of an application not yet decided for good (MEM-I3).

    While it waits for review (submitted, resubmitted) the new values are validated at once and the
    state stays; in draft, on hold or rejected they are validated when (re)submitted.
    """
    application_type = registry.get(application.kind)
    with transaction.atomic():
        locked = _lock(application)
        _require_applicant(actor, locked, application_type)
        _require_version(locked, expected_version)
        state = State(locked.state)
        if not may("update", state):
            raise InvalidTransition(f"状態が「{state.label}」の申請は変更できません。")
        if state in PENDING:
            cleaned = _validated(application_type, payload)
        elif isinstance(payload, Mapping):
            cleaned = dict(payload)
        else:
            raise ValidationFailed("申請内容の形式が正しくありません。")
        now = timezone.now()
        locked.payload = cleaned
        locked.subject = _summary(application_type, cleaned)
        locked.updated_at = now
        locked.version += 1
        locked.save()
        _record(
            actor=actor,
            act="update",
            application=locked,
            application_type=application_type,
            from_state=state,
            at=now,
        )
    return locked


def withdraw(
    *,
    actor: User | Guest,
    application: Application,
    reason: str = "",
    expected_version: int | None = None,
) -> Application:
    """The applicant takes back an application not yet decided (→ withdrawn, final)."""
    application_type = registry.get(application.kind)
    reason = _clean_reason(reason, required_for=None)
    with transaction.atomic():
        locked = _lock(application)
        _require_applicant(actor, locked, application_type)
        _require_version(locked, expected_version)
        return _move(
            actor=actor, act="withdraw", application=locked, application_type=application_type, reason=reason
        )


# --- the organization's acts ------------------------------------------------------------------------


def _move(
    *,
    actor: Any,
    act: str,
    application: Application,
    application_type: registry.ApplicationType,
    reason: str,
) -> Application:
    """Move a locked application by `act`, if its state allows it, and record the transition."""
    target = _require_state(application, act)
    now = timezone.now()
    from_state = application.state
    application.state = target
    application.updated_at = now
    application.version += 1
    _save_and_record(application, actor, act, application_type, from_state, now, reason=reason)
    return application


def _decide(
    *,
    act: str,
    actor: User,
    application: Application,
    reason: str,
    expected_version: int | None,
) -> Application:
    require_staff(actor, "審査は本機関の職員のみ行えます。")
    application_type = registry.get(application.kind)
    reason = _clean_reason(reason, required_for=act if act in ("hold", "reject") else None)
    with transaction.atomic():
        locked = _lock(application)
        _require_version(locked, expected_version)
        target = _require_state(locked, act)
        now = timezone.now()
        from_state = locked.state
        locked.state = target
        locked.decided_at = now
        locked.decided_by = actor
        locked.decision_reason = reason
        locked.updated_at = now
        locked.version += 1
        if act == "approve":
            # Inside the transaction: if applying fails, the approval never happened.
            application_type.apply(locked, actor)
        _save_and_record(locked, actor, act, application_type, from_state, now, reason=reason)
    return locked


def hold(
    *, actor: User, application: Application, reason: str, expected_version: int | None = None
) -> Application:
    """Put an application on hold (保留) with the reason the applicant is mailed; staff only."""
    return _decide(
        act="hold", actor=actor, application=application, reason=reason, expected_version=expected_version
    )


def reject(
    *, actor: User, application: Application, reason: str, expected_version: int | None = None
) -> Application:
    """Reject (却下) with the reason the applicant is mailed; staff only. The applicant may resubmit."""
    return _decide(
        act="reject", actor=actor, application=application, reason=reason, expected_version=expected_version
    )


def approve(
    *, actor: User, application: Application, reason: str = "", expected_version: int | None = None
) -> Application:
    """Approve (承認): the type's `apply` hook runs in the same transaction; staff only."""
    return _decide(
        act="approve", actor=actor, application=application, reason=reason, expected_version=expected_version
    )


def expire(*, actor: User | None = None, application: Application, reason: str = "") -> Application:
    """End an application left with the applicant too long (MEM-J5); the system (None) or staff."""
    if actor is not None:
        require_staff(actor, "審査は本機関の職員のみ行えます。")
    application_type = registry.get(application.kind)
    reason = _clean_reason(reason, required_for=None)
    with transaction.atomic():
        locked = _lock(application)
        return _move(
            actor=actor, act="expire", application=locked, application_type=application_type, reason=reason
        )
