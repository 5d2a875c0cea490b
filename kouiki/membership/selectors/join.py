"""Reading join applications (加入申請) and the 事業者コード issued to them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from kouiki.core.errors import NotFound
from kouiki.membership.models import CodeAssignment
from kouiki.membership.services.review_join import KIND
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as reviews

if TYPE_CHECKING:
    from kouiki.reviews.models import Application

# A provisional application (仮申請) is a draft: the main application (本申請) submits it.
PROVISIONAL = reviews.State.DRAFT

# The back office's list of join applications (事業者マスタ登録).
WAITING = "waiting"  # provisional, no 事業者コード yet
ASSIGNED = "assigned"  # a 事業者コード issued
ALL = "all"
LIST_CHOICES = [
    (WAITING, "事業者コード未発番の仮申請"),
    (ASSIGNED, "事業者コード発番済み"),
    (ALL, "すべての加入申請"),
]


def join_applications(*, actor: Any, status: str = WAITING, query: str = "") -> QuerySet[Application]:
    """Join applications for the staff (any other actor is Forbidden), with their code assignment.

    Waiting ones come oldest first (they wait for the organization), the others newest first.
    """
    found = review_selectors.review_queue(actor=actor, kind=KIND, query=query or None).select_related(
        "code_assignment"
    )
    if status == WAITING:
        return found.filter(state=PROVISIONAL, code_assignment__isnull=True).order_by("created_at", "id")
    if status == ASSIGNED:
        found = found.filter(code_assignment__isnull=False)
    return found.order_by("-created_at", "-id")


def join_application(*, actor: Any, pk: int) -> Application:
    """One join application for the staff; another kind is NotFound."""
    application = review_selectors.application_for(actor=actor, pk=pk)
    if application.kind != KIND:
        raise NotFound()
    return application


def is_provisional(application: Application) -> bool:
    """Whether the application is still provisional: only then is a 事業者コード issued to it."""
    return application.state == PROVISIONAL


# What a provisional application is to the back office: the workflow keeps it as a draft until the
# main application submits it, but the applicant has filed it, and it waits for the organization.
PROVISIONAL_WAITING = "仮申請受付済（事業者コード発番待ち）"
PROVISIONAL_ASSIGNED = "事業者コード発番済（本申請待ち）"


def join_state(application: Application, *, assigned: bool) -> tuple[str, str]:
    """The state of a join application as the back office shows it, with its badge tone: a
    provisional one waits for its 事業者コード, then for the applicant's main application."""
    if is_provisional(application):
        return (PROVISIONAL_ASSIGNED, "draft") if assigned else (PROVISIONAL_WAITING, "pending")
    return review_selectors.state_label(application.state), application.state_tone


def code_for(application: Application) -> str | None:
    """The 事業者コード issued to a join application, or None before 事業者マスタ登録."""
    return CodeAssignment.objects.filter(application=application).values_list("code", flat=True).first()


def code_in_use(code: str) -> str | None:
    """The reception number of the join application a code was issued to, if any."""
    return (
        CodeAssignment.objects.filter(code=code)
        .values_list("application__reception_number", flat=True)
        .first()
    )
