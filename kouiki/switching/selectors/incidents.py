"""Reads of leak incidents (漏えい等事案, SW-P3): a participant's own (another's is "not found"),
every participant's for the organization's staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from kouiki.core.catalog import implements
from kouiki.core.errors import Forbidden, NotFound
from kouiki.core.japanese import normalize_code
from kouiki.identity.access import is_contractor, is_staff, organization_of, require_staff
from kouiki.switching.models import IncidentNote, IncidentPoint, LeakIncident, NotificationOutcome
from kouiki.switching.services.filing import SYSTEM

if TYPE_CHECKING:
    from kouiki.identity.models import User

NOT_FOR_CONTRACTORS = (
    "受託者は漏えい等事案を扱えません。委託者（小売電気事業者・需要抑制契約者）の管理者が登録・対応します。"
)


def participant_id(actor: User) -> int | None:
    """The participant whose incidents the actor handles: its own organization; None for staff,
    who handle every participant's. A contractor (受託者) handles none: its principal does."""
    if is_staff(actor):
        return None
    if is_contractor(actor, SYSTEM):
        raise Forbidden(NOT_FOR_CONTRACTORS)
    return organization_of(actor)


def incident_of(actor: User, incident_id: int, *, lock: bool = False) -> LeakIncident:
    """The incident, when it is the actor's participant's (staff: any); NotFound otherwise."""
    found = LeakIncident.objects.select_related("organization", "created_by", "closed_by")
    owner = participant_id(actor)
    if owner is not None:
        found = found.filter(organization_id=owner)
    if lock:
        found = found.select_for_update(of=("self",))
    incident = found.filter(pk=incident_id).first()
    if incident is None:
        raise NotFound("指定された漏えい等事案はありません。", code="incident_not_found")
    return incident


def _counted(found: QuerySet[LeakIncident]) -> QuerySet[LeakIncident]:
    return (
        found.select_related("organization")
        .annotate(
            point_count=Count("points"),
            pending_count=Count("points", filter=Q(points__outcome=NotificationOutcome.PENDING)),
        )
        .order_by("-created_at", "-id")
    )


@implements("SW-P3")
def incidents(*, actor: User, state: str = "") -> QuerySet[LeakIncident]:
    """The actor's participant's incidents, newest first."""
    owner = participant_id(actor)
    if owner is None:
        raise Forbidden()
    found = LeakIncident.objects.filter(organization_id=owner)
    if state:
        found = found.filter(state=state)
    return _counted(found)


@implements("SW-P3")
def staff_incidents(*, actor: User, organization_code: str = "", state: str = "") -> QuerySet[LeakIncident]:
    """Every participant's incidents, for the organization's staff."""
    require_staff(actor)
    found = LeakIncident.objects.all()
    if organization_code:
        found = found.filter(organization__code=normalize_code(organization_code))
    if state:
        found = found.filter(state=state)
    return _counted(found)


def incident_points(incident: LeakIncident) -> QuerySet[IncidentPoint]:
    return incident.points.select_related("supply_point").order_by("supply_point__number")


def incident_notes(actor: User, incident: LeakIncident) -> QuerySet[IncidentNote]:
    """The staff's notes on the incident (the back office only)."""
    require_staff(actor)
    return incident.notes.select_related("author")
