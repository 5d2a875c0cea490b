"""Leak incidents (漏えい等事案, SW-P3; seed 001 §4.6, docs/decisions/0037).

A participant's administrator (or the organization's staff for it) records a leak, loss or damage of
customers' personal data obtained through the hub: what, which customers (supply points the
participant is or was involved with), when it happened and was found, the cause. The workflow then
tracks, per customer, the notification (連絡済み, or 連絡がつかない after trying), and either the
publication of the facts and the prevention measures or one of the four exceptions of §4.6 with its
justification. An incident closes only when no customer is left unnotified and the publication or
an exception is recorded (exception ① only when every customer was reached). Every act is audited;
the switching desk is told of each new incident by mail (and the participant's administrators of
one the staff recorded for it); staff keep notes on it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import Conflict, InvalidTransition, ValidationFailed
from kouiki.core.japanese import normalize_supply_point_number
from kouiki.core.outbox import queue_mail
from kouiki.identity.access import function, is_staff, require_staff
from kouiki.identity.selectors import administrator_emails, organization_by_code
from kouiki.switching.models import (
    Application,
    IncidentKind,
    IncidentNote,
    IncidentPoint,
    IncidentState,
    LeakIncident,
    NotificationMethod,
    NotificationOutcome,
    PersonalDataAccess,
    PublicationException,
    SupplyPoint,
    SupplyPointVersion,
)
from kouiki.switching.selectors.incidents import incident_of, participant_id
from kouiki.switching.services.filing import SYSTEM
from kouiki.switching.services.points import number_refusal

if TYPE_CHECKING:
    from kouiki.identity.models import User

FUNCTION = "SW-P3"
# The supply points one submission may name (a larger incident adds them in several).
MAX_POINTS = 1000


def _open(actor: User, incident_id: int) -> LeakIncident:
    incident = incident_of(actor, incident_id, lock=True)
    if not incident.is_open:
        raise InvalidTransition("完了した漏えい等事案は変更できません。", code="incident_closed")
    return incident


# --- the customers -------------------------------------------------------------------------------


def involved_points(organization_id: int, numbers: list[str], *, field: str) -> list[SupplyPoint]:
    """The points numbered ``numbers``, each of which must exist and be one the participant is or
    was involved with: its retailer at any time, named in one of its applications, or read through
    its personal-data ledger. Every number refused is named at once."""
    if len(set(numbers)) > MAX_POINTS:
        raise ValidationFailed(
            f"供給地点は一度に{MAX_POINTS}件まで入力できます（{len(set(numbers))}件）。残りは登録後に追加してください。",
            code="incident_points_too_many",
            field=field,
        )
    errors: list[str] = []
    wanted: list[str] = []
    for typed in numbers:
        refusal = number_refusal(typed, field=field)
        if refusal is not None:
            errors.append(f"{typed}: {refusal.message}")
        else:
            wanted.append(normalize_supply_point_number(typed))
    points = {point.number: point for point in SupplyPoint.objects.filter(number__in=wanted)}
    ids = [point.pk for point in points.values()]
    involved = {
        point_id
        for rows in (
            SupplyPointVersion.objects.filter(supply_point_id__in=ids, retailer_id=organization_id),
            Application.objects.filter(supply_point_id__in=ids, organization_id=organization_id),
            PersonalDataAccess.objects.filter(supply_point_id__in=ids, organization_id=organization_id),
        )
        for point_id in rows.order_by().values_list("supply_point_id", flat=True).distinct()
    }
    found: list[SupplyPoint] = []
    for number in dict.fromkeys(wanted):
        point = points.get(number)
        if point is None or point.pk not in involved:
            # Never say whether a point the participant has nothing to do with exists.
            errors.append(f"{number}: 貴社が関与した（関与している）供給地点ではありません。")
        else:
            found.append(point)
    if errors:
        raise ValidationFailed(errors[0], code="incident_point_refused", errors={field: errors})
    if not found:
        raise ValidationFailed(
            "対象となった需要者の供給地点特定番号を入力してください。",
            code="incident_points_required",
            field=field,
        )
    return found


DATE_LABELS = {
    "occurred_on": "発生日",
    "found_on": "発覚日",
    "notified_on": "連絡日",
    "published_on": "公表日",
}


def _check_dates(*, not_before: tuple[str, date] | None = None, **dates: date | None) -> None:
    """No date of an incident lies in the future, nor (``not_before``: the name and day of the
    earlier one) before the day it follows; every date refused is named at once."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name, value in dates.items():
        if value is None:
            continue
        if value > today:
            errors[name] = [f"{DATE_LABELS[name]}に未来の日付は入力できません。"]
        elif not_before is not None and value < not_before[1]:
            earlier = DATE_LABELS[not_before[0]]
            errors[name] = [f"{DATE_LABELS[name]}は{earlier}以降の日付を入力してください。"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="incident_date", errors=errors)


# --- the acts ------------------------------------------------------------------------------------


@function(FUNCTION)
def record_incident(
    *,
    actor: User,
    kind: str,
    summary: str,
    data_items: str,
    occurred_on: date | None,
    found_on: date,
    cause: str,
    supply_point_numbers: list[str],
    organization_code: str = "",
) -> LeakIncident:
    """Record an incident of the actor's participant (staff: of the participant whose 事業者コード
    they give), with the customers it touched; the switching desk is told by mail."""
    owner = participant_id(actor)
    by_staff = owner is None
    if owner is None:  # staff, for the participant they name
        organization = organization_by_code(organization_code) if organization_code else None
        if organization is None:
            raise ValidationFailed(
                "事業者コードの事業者がありません。", code="organization_not_found", field="organization_code"
            )
        owner = organization.pk
    if kind not in IncidentKind.values:
        raise ValidationFailed("事案の種類を選択してください。", code="incident_kind", field="kind")
    _check_dates(found_on=found_on, occurred_on=occurred_on)
    if occurred_on is not None and occurred_on > found_on:
        raise ValidationFailed(
            "発生日は発覚日以前の日付を入力してください。", code="incident_date", field="occurred_on"
        )
    points = involved_points(owner, supply_point_numbers, field="supply_point_numbers")
    with transaction.atomic():
        incident = LeakIncident.objects.create(
            organization_id=owner,
            kind=kind,
            summary=summary,
            data_items=data_items,
            occurred_on=occurred_on,
            found_on=found_on,
            cause=cause,
            created_by=actor,
        )
        IncidentPoint.objects.bulk_create(IncidentPoint(incident=incident, supply_point=p) for p in points)
        incident = LeakIncident.objects.select_related("organization").get(pk=incident.pk)
        _audit(actor, Action.SWITCHING_INCIDENT_RECORD, incident, kind=kind, points=len(points))
        context = {
            "incident": incident,
            "points": len(points),
            "by_staff": by_staff,
            "site_url": settings.SITE_URL,
        }
        queue_mail(
            to=settings.KOUIKI_SWITCHING_DESK_MAIL,
            template="switching/mail/incident_recorded",
            context=context,
        )
        administrators = administrator_emails(organization_id=owner, system=SYSTEM) if by_staff else []
        if administrators:
            # Recorded by the organization for the participant: its administrators are told.
            queue_mail(
                to=administrators, template="switching/mail/incident_recorded_for_you", context=context
            )
    return incident


@function(FUNCTION)
def add_points(*, actor: User, incident_id: int, supply_point_numbers: list[str]) -> int:
    """Add customers found later to an open incident; the number added (those already in: none)."""
    with transaction.atomic():
        incident = _open(actor, incident_id)
        points = involved_points(incident.organization_id, supply_point_numbers, field="supply_point_numbers")
        known = set(incident.points.values_list("supply_point_id", flat=True))
        new = [IncidentPoint(incident=incident, supply_point=p) for p in points if p.pk not in known]
        IncidentPoint.objects.bulk_create(new)
        if new:
            LeakIncident.objects.filter(pk=incident.pk).update(updated_at=timezone.now())
            _audit(actor, Action.SWITCHING_INCIDENT_POINTS_ADD, incident, points=len(new))
    return len(new)


@function(FUNCTION)
def record_notifications(
    *,
    actor: User,
    incident_id: int,
    supply_point_numbers: list[str],
    outcome: str,
    notified_on: date,
    method: str,
    note: str = "",
) -> int:
    """Record the notification of the customers of ``supply_point_numbers`` (each must be one of the
    incident's): reached (連絡済み) or not reachable after trying, on which day, how."""
    if outcome not in (NotificationOutcome.NOTIFIED, NotificationOutcome.UNREACHABLE):
        raise ValidationFailed("連絡の結果を選択してください。", code="notification_outcome", field="outcome")
    if method not in NotificationMethod.values:
        raise ValidationFailed("連絡方法を選択してください。", code="notification_method", field="method")
    with transaction.atomic():
        incident = _open(actor, incident_id)
        _check_dates(notified_on=notified_on, not_before=("found_on", incident.found_on))
        wanted = {normalize_supply_point_number(n) for n in supply_point_numbers if n.strip()}
        rows = list(incident.points.select_related("supply_point").filter(supply_point__number__in=wanted))
        unknown = sorted(wanted - {row.supply_point.number for row in rows})
        if unknown or not wanted:
            message = (
                f"この事案の対象でない供給地点です: {'、'.join(unknown[:10])}"
                if unknown
                else "連絡した需要者の供給地点特定番号を入力してください。"
            )
            raise ValidationFailed(message, code="notification_points", field="supply_point_numbers")
        now = timezone.now()
        for row in rows:
            row.outcome, row.notified_on, row.method, row.note, row.recorded_at = (
                outcome,
                notified_on,
                method,
                note,
                now,
            )
        IncidentPoint.objects.bulk_update(rows, ["outcome", "notified_on", "method", "note", "recorded_at"])
        LeakIncident.objects.filter(pk=incident.pk).update(updated_at=now)
        _audit(
            actor,
            Action.SWITCHING_INCIDENT_NOTIFICATION,
            incident,
            points=sorted(wanted),
            outcome=outcome,
            notified_on=notified_on.isoformat(),
            method=method,
        )
    return len(rows)


@function(FUNCTION)
def record_publication(
    *, actor: User, incident_id: int, published_on: date, publication_place: str, prevention: str
) -> LeakIncident:
    """Record the publication of the facts and the prevention measures (seed 001 §4.6)."""
    with transaction.atomic():
        incident = _open(actor, incident_id)
        _check_dates(published_on=published_on, not_before=("found_on", incident.found_on))
        incident.published_on = published_on
        incident.publication_place = publication_place
        incident.prevention = prevention
        incident.save(update_fields=["published_on", "publication_place", "prevention", "updated_at"])
        _audit(
            actor,
            Action.SWITCHING_INCIDENT_PUBLICATION,
            incident,
            published_on=published_on.isoformat(),
            place=publication_place,
        )
    return incident


@function(FUNCTION)
def record_exception(*, actor: User, incident_id: int, exception: str, justification: str) -> LeakIncident:
    """Record which of the four exceptions of §4.6 spares the publication, and why it applies."""
    if exception not in PublicationException.values:
        raise ValidationFailed(
            "該当する例外を選択してください。", code="incident_exception", field="exception"
        )
    if not justification.strip():
        raise ValidationFailed(
            "例外に該当する根拠を入力してください。", code="incident_justification", field="justification"
        )
    with transaction.atomic():
        incident = _open(actor, incident_id)
        if exception == PublicationException.ALL_NOTIFIED and _not_reached(incident):
            raise ValidationFailed(
                "連絡がついていない需要者がいるため、例外①には該当しません。",
                code="incident_not_all_notified",
                field="exception",
            )
        incident.exception = exception
        incident.exception_justification = justification
        incident.save(update_fields=["exception", "exception_justification", "updated_at"])
        _audit(actor, Action.SWITCHING_INCIDENT_EXCEPTION, incident, exception=exception)
    return incident


@function(FUNCTION)
def close_incident(*, actor: User, incident_id: int) -> LeakIncident:
    """Close the incident: every customer notified or found unreachable, and the publication or an
    exception recorded (exception ①: every customer reached)."""
    with transaction.atomic():
        incident = _open(actor, incident_id)
        missing = closing_refusals(incident)
        if missing:
            raise Conflict("完了できません。" + " ".join(missing), code="incident_not_ready")
        incident.state = IncidentState.CLOSED
        incident.closed_at = timezone.now()
        incident.closed_by = actor
        incident.save(update_fields=["state", "closed_at", "closed_by", "updated_at"])
        _audit(actor, Action.SWITCHING_INCIDENT_CLOSE, incident)
    return incident


def closing_refusals(incident: LeakIncident) -> list[str]:
    """What still stands between the incident and its closing (nothing: it may close)."""
    missing = []
    pending = incident.points.filter(outcome=NotificationOutcome.PENDING).count()
    if pending:
        missing.append(f"本人への連絡が記録されていない需要者が{pending}件あります。")
    if incident.exception == PublicationException.ALL_NOTIFIED and _not_reached(incident):
        missing.append("連絡がついていない需要者がいるため、例外①には該当しません。公表を記録してください。")
    elif not incident.is_published and not incident.exception:
        missing.append(
            "事実関係及び再発防止策の公表、又は公表しない例外（①〜④）とその根拠を記録してください。"
        )
    return missing


def _not_reached(incident: LeakIncident) -> bool:
    return incident.points.filter(~Q(outcome=NotificationOutcome.NOTIFIED)).exists()


@function(FUNCTION)
def add_note(*, actor: User, incident_id: int, body: str) -> IncidentNote:
    """A note of the organization's staff on an incident (closed ones too)."""
    require_staff(actor)
    if not body.strip():
        raise ValidationFailed("メモを入力してください。", code="note_required", field="body")
    with transaction.atomic():
        incident = incident_of(actor, incident_id)
        note = IncidentNote.objects.create(incident=incident, author=actor, body=body)
        _audit(actor, Action.SWITCHING_INCIDENT_NOTE, incident, note=note.pk)
    return note


@function(FUNCTION)
def read_incident(*, actor: User, incident_id: int) -> LeakIncident:
    """The incident for its page; a read by the organization's staff (the customers' supply points
    of a participant) is recorded."""
    incident = incident_of(actor, incident_id)
    if is_staff(actor):
        _audit(actor, Action.SWITCHING_INCIDENT_READ, incident)
    return incident


def _audit(actor: User, action: Action, incident: LeakIncident, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        obj=incident,
        organization=incident.organization,
        system=SYSTEM,
        detail={"number": incident.number, **detail},
    )
