"""Writing the audit log. Every service that changes something, and every login, calls `record`."""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models

from kouiki.audit.choices import Action
from kouiki.audit.models import SYSTEM_ACTOR, Event
from kouiki.core import request_context

# Action.values builds its list on every read: read once (a bulk file's batch records thousands).
_ACTIONS = frozenset(Action.values)


class _Actor(Protocol):
    pk: Any


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "pk", None):
        return {"actor_id": None, "actor_label": SYSTEM_ACTOR}
    organization = getattr(actor, "organization", None)
    label = getattr(actor, "username", "") or str(actor)
    fields: dict[str, Any] = {"actor_id": actor.pk, "actor_label": label[:120]}
    if organization is not None:
        fields["organization_id"] = organization.pk
        fields["organization_code"] = organization.code
    # A contractor's user acting for a principal (受託者, X-I2): the act is the principal's, done by
    # the contractor's user — the row names both.
    acting = getattr(actor, "acting_for", None)
    if acting is not None:
        fields["organization_id"] = acting.principal.pk
        fields["organization_code"] = acting.principal.code
        fields["contractor_id"] = acting.contractor.pk
        fields["contractor_code"] = acting.contractor.code
    return fields


def record(
    *,
    actor: Any,
    action: Action,
    obj: models.Model | None = None,
    organization: Any = None,
    system: str = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> Event:
    """Append one event. `organization` defaults to the actor's (a contractor's user acting for a
    principal: the principal, and the contractor is kept beside it); `obj` names the object acted on.

    `action` must be one of `Action`: an unknown name raises ValueError, so that every event the
    log holds has a Japanese name in the back office.
    """
    event = _event(
        actor=actor,
        action=action,
        obj=obj,
        organization=organization,
        system=system,
        purpose=purpose,
        detail=detail,
        actor_label=actor_label,
    )
    event.save(force_insert=True)
    return event


def record_many(
    *,
    actor: Any,
    entries: list[tuple[Action, models.Model, dict[str, Any] | None]],
    system: str = "",
) -> list[Event]:
    """`record` for many events of one actor at once (a bulk file's batch): each entry an action,
    the object acted on and its detail; the same rows, in one insert."""
    return Event.objects.bulk_create(
        [
            _event(actor=actor, action=action, obj=obj, system=system, detail=detail)
            for action, obj, detail in entries
        ]
    )


def _event(
    *,
    actor: Any,
    action: Action,
    obj: models.Model | None = None,
    organization: Any = None,
    system: str = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> Event:
    if action not in _ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to kouiki.audit.choices.Action.")
    info = request_context.current()
    fields = _actor_fields(actor)
    if actor_label:
        fields["actor_label"] = actor_label[:120]
    if organization is not None:
        fields["organization_id"] = organization.pk
        fields["organization_code"] = organization.code
    if obj is not None:
        fields["object_type"] = obj._meta.label_lower
        fields["object_id"] = str(obj.pk)
        fields["object_label"] = str(obj)[:200]
    return Event(
        action=Action(action).value,
        system=system,
        ip=info.ip,
        user_agent=info.user_agent,
        purpose=purpose,
        detail=detail or {},
        **fields,
    )
