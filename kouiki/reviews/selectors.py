"""Reading applications: the staff's review queue, and each participant's own applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from kouiki.core.calendar import on_days
from kouiki.core.errors import Forbidden, NotFound
from kouiki.identity.access import is_staff
from kouiki.reviews.models import PENDING_STATES, Application, State

# The queue's state filter: "pending" (waiting for the organization) or one state; "" for all.
PENDING = "pending"
QUEUE_STATE_CHOICES: list[tuple[str, str]] = [
    (PENDING, "審査待ち（申請中・再申請中）"),
    *State.choices,
]
STATE_CHOICES: list[tuple[str, str]] = list(State.choices)


def state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def review_queue(
    *,
    actor: Any,
    kind: str | None = None,
    state: str | None = None,
    query: str | None = None,
) -> QuerySet[Application]:
    """Applications of every organization, for the staff's review; staff only.

    `state` is one state or "pending" (submitted and resubmitted); waiting applications come oldest
    (re)submission first, any other selection most recently changed first. `query` searches the
    reception number, the subject, the applicant's e-mail and the organization's name as substrings
    and its 事業者コード exactly.
    """
    if not is_staff(actor):
        raise Forbidden()
    found = Application.objects.select_related("organization", "applicant", "decided_by")
    if kind:
        found = found.filter(kind=kind)
    waiting = state == PENDING or state in PENDING_STATES
    if state == PENDING:
        found = found.filter(state__in=PENDING_STATES)
    elif state:
        found = found.filter(state=state)
    if query:
        query = query.strip()
        found = found.filter(
            Q(reception_number__icontains=query)
            | Q(subject__icontains=query)
            | Q(applicant_email__icontains=query)
            | Q(organization__code=query)
            | Q(organization__name__icontains=query)
        )
    if waiting:
        return found.order_by("submitted_at", "id")
    return found.order_by("-updated_at", "-id")


def applications_for(
    *,
    actor: Any,
    kind: str | None = None,
    state: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Application]:
    """The applications of the actor's organization (and its own), newest first (MEM-I3, CAP-R2, CAP-P2).

    `date_from` and `date_to` bound the day the application was made, in Japan time, both included.
    """
    if not getattr(actor, "is_authenticated", False) or is_staff(actor):
        raise Forbidden()
    scope = Q(applicant_id=actor.pk)
    if actor.organization_id is not None:
        scope |= Q(organization_id=actor.organization_id)
    found = Application.objects.filter(scope).select_related("organization", "decided_by")
    if kind:
        found = found.filter(kind=kind)
    if state:
        found = found.filter(state=state)
    return on_days(found, "created_at", date_from, date_to).order_by("-created_at", "-id")


def application_for(*, actor: Any, pk: int) -> Application:
    """One application with its history: any for staff, the actor's organization's for a participant.

    Another organization's application is NotFound, never a 403 that confirms it exists.
    """
    if is_staff(actor):
        found = Application.objects.select_related("organization", "applicant", "decided_by")
    else:
        found = applications_for(actor=actor)
    application = found.prefetch_related("transitions").filter(pk=pk).first()
    if application is None:
        raise NotFound()
    return application


def application_by_reception(*, reception_number: str, email: str) -> Application:
    """A guest applicant's application, found by its reception number and the applicant's e-mail.

    Seed 003 1.4: the joining applicant redisplays its provisional application with the 加入申請受付番号
    and the 管理者①メールアドレス. Only applications without an organization or a user answer; either
    value wrong is NotFound, without saying which.
    """
    application = (
        Application.objects.filter(
            reception_number=reception_number.strip().upper(),
            applicant_email__iexact=email.strip(),
            organization__isnull=True,
            applicant__isnull=True,
        )
        .prefetch_related("transitions")
        .first()
    )
    if application is None:
        raise NotFound("受付番号またはメールアドレスが正しくありません。")
    return application


def stale_applications(
    *,
    kind: str,
    states: tuple[str, ...] = (State.DRAFT,),
    created_before: datetime | None = None,
    updated_before: datetime | None = None,
) -> QuerySet[Application]:
    """Applications of `kind` in `states` older than the given bounds, for the expiry job (MEM-J5)."""
    found = Application.objects.filter(kind=kind, state__in=states)
    if created_before is not None:
        found = found.filter(created_at__lt=created_before)
    if updated_before is not None:
        found = found.filter(updated_at__lt=updated_before)
    return found.order_by("id")
