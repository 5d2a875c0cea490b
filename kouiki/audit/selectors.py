"""Reading the audit log: the organization's staff only, newest first."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from kouiki.audit import choices as actions
from kouiki.audit.models import Event
from kouiki.core.calendar import day_bounds
from kouiki.core.errors import NotFound
from kouiki.identity.access import require_staff


def events(
    *,
    actor: Any,
    action: str | None = None,
    organization_code: str | None = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    query: str | None = None,
) -> QuerySet[Event]:
    """The events matching every given filter, newest first; staff only.

    `action` matches itself and its family ("login" matches "login.success" and "login.failure"),
    and the codes it had before it was renamed (actions.LEGACY);
    `organization_code`, `object_type` and `object_id` match exactly (an organization code finds a
    contractor's acts for its principals too); `actor_label` is a substring;
    `date_from` and `date_to` are days in Japan time, both included; `query` searches the action
    (its code or its Japanese name), actor, organization code and object label as substrings, the
    object id and client address exactly.
    """
    require_staff(actor)
    found = Event.objects.all()
    if action:
        found = found.filter(
            Q(action=action) | Q(action__startswith=f"{action}.") | Q(action__in=actions.legacy_codes(action))
        )
    if organization_code:
        # The organization's own acts, and a contractor's (受託者) acts for its principals.
        found = found.filter(Q(organization_code=organization_code) | Q(contractor_code=organization_code))
    if actor_label:
        found = found.filter(actor_label__icontains=actor_label)
    if object_type:
        found = found.filter(object_type=object_type)
    if object_id:
        found = found.filter(object_id=object_id)
    # Bounds on `at` itself (not `at__date`) so that the index on `at` serves the range.
    start, end = day_bounds(date_from, date_to)
    if start:
        found = found.filter(at__gte=start)
    if end:
        found = found.filter(at__lt=end)
    if query:
        found = found.filter(
            Q(action__icontains=query)
            | Q(action__in=actions.codes_labelled(query))
            | Q(actor_label__icontains=query)
            | Q(organization_code__icontains=query)
            | Q(object_label__icontains=query)
            | Q(object_id=query)
            | Q(ip=query)
        )
    return found.order_by("-at", "-id")


def event(*, actor: Any, pk: int) -> Event:
    """One event by its id; staff only."""
    require_staff(actor)
    found = Event.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
