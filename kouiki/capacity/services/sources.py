"""Power source information (電源等情報, CAP-P1 / CAP-P2; seed 002 2.2).

Every registration, change and deletion is an application the organization reviews; the power
source exists (with its 電源等識別番号) from the approval of its registration, and each approved
change or deletion is a new version whose predecessors stay. A CSV file registers many at once:
every bad row is reported with its line and reason, and nothing is filed while one row is bad.

A receiving or supply point belongs to one registered power source at most: it is checked when an
application is filed (against the registered sources and the other rows of the file) and again
when it is approved, under the database's own unique index for single sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.capacity import selectors
from kouiki.capacity.choices import SourceStatus
from kouiki.capacity.models import (
    IdentifierCounter,
    Operator,
    PowerSource,
    PowerSourceMember,
    PowerSourceVersion,
)
from kouiki.capacity.selectors import SOURCE_CHANGE, SOURCE_DELETION, SOURCE_REGISTRATION
from kouiki.capacity.services import sources_csv
from kouiki.capacity.services.payloads import (
    SOURCE_FIELDS,
    SOURCE_LABELS,
    differences,
    member_key,
    validate_source,
    validate_source_deletion,
)
from kouiki.core import csvio
from kouiki.core.csvio import RowError
from kouiki.core.errors import ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import System
from kouiki.identity.access import function, participant_organization
from kouiki.reviews import services as reviews

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

SYSTEM = System.CAPACITY
FUNCTION = "CAP-P1"
SOURCE_SERIES = "P"
MAX_CSV_BYTES = csvio.UPLOAD_MAX_BYTES
MAX_CSV_SOURCES = 1000
NOTHING_CHANGED = "変更内容がありません。変更する項目を入力してください。"


class SourceImportFailed(ValidationFailed):
    """The CSV has bad rows: `row_errors` lists each with its line, column and reason."""

    code = "source_import_failed"
    default_message = (
        "電源等情報に誤りがあるため、1件も申請しませんでした。すべての誤りを直して再度取り込んでください。"
    )

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = row_errors
        super().__init__()


@dataclass
class SourceImport:
    """What a CSV files (`dry_run`: would file): the checked sources and, once filed, the applications."""

    planned: list[dict[str, Any]]
    encoding: str
    applications: list[Application] = field(default_factory=list)


def _locked_operator(actor: User) -> Operator:
    """The actor's operator row, locked: filings that check the points against each other queue up,
    and queue behind an operator deletion (operators.file_deletion locks the same row)."""
    participant_organization(actor, FUNCTION)
    operator = selectors.operator_of(actor=actor)
    locked = Operator.objects.select_for_update().get(pk=operator.pk)
    if not locked.is_active:
        raise ValidationFailed("容量市場システムの利用は終了しています。")
    # The operator is leaving: a source filed now would hold the deletion's approval back, and once
    # the operator has ended it could never be approved.
    leaving = selectors.open_operator_deletion(actor=actor)
    if leaving is not None:
        raise ValidationFailed(
            f"事業者情報削除申請（受付番号 {leaving.reception_number}）の審査中は、電源等情報の申請を"
            "受け付けません。電源等情報を申請する場合は、先に事業者情報削除申請を取り下げてください。",
            code="operator_leaving",
        )
    return locked


def _point_keys(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(error key, number) of every point a checked payload claims."""
    found = []
    if payload.get("receiving_point_number"):
        found.append(("receiving_point_number", str(payload["receiving_point_number"])))
    for index, member in enumerate(payload.get("members") or []):
        found.append((member_key(index, "point_number"), str(member["point_number"])))
    return found


def _registered_conflicts(
    payload: Mapping[str, Any], *, exclude_pk: int | None = None
) -> dict[str, list[str]]:
    keys = _point_keys(payload)
    holders = selectors.registered_points([number for _key, number in keys], exclude_pk=exclude_pk)
    return {
        key: [
            f"地点 {number} は登録済みの電源等（{holders[number]}）に含まれています。"
            "同じ地点は重ねて登録できません。"
        ]
        for key, number in keys
        if number in holders
    }


def _receipt(actor: User, applications: list[Application]) -> None:
    """One mail for what was filed at once (a registration, or every row of a CSV)."""
    if actor.email and applications:
        queue_mail(
            to=actor.email,
            template="capacity/mail/sources_received",
            context={
                "user": actor,
                "applications": applications,
                "count": len(applications),
                "site_url": settings.SITE_URL,
            },
        )


def _file(
    *, actor: User, kind: str, payload: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> Application:
    application = reviews.create_draft(actor=actor, kind=kind, payload=payload, current=current)
    return reviews.submit(actor=actor, application=application)


# --- registration -----------------------------------------------------------------------------------


@function(FUNCTION)
def file_registration(*, actor: User, payload: Mapping[str, Any]) -> Application:
    """電源等情報登録申請: one power source, checked, filed for review; a receipt is mailed."""
    cleaned = validate_source({key: value for key, value in payload.items() if key != "source_id"})
    with transaction.atomic():
        _locked_operator(actor)
        conflicts = _registered_conflicts(cleaned)
        if conflicts:
            raise ValidationFailed(errors=conflicts)
        application = _file(actor=actor, kind=SOURCE_REGISTRATION, payload=cleaned)
        _receipt(actor, [application])
    return application


@function(FUNCTION)
def import_sources(*, actor: User, data: bytes, dry_run: bool = False) -> SourceImport:
    """Register the power sources a CSV lists (sources_csv.COLUMNS), one application each.

    Raises SourceImportFailed with every bad row (a cell, a rule of the category, a point used twice
    in the file or already registered); nothing is filed then. A file of more than MAX_CSV_SOURCES
    sources is refused before any row is checked. With `dry_run` the file is only checked.
    """
    selectors.operator_of(actor=actor)
    too_large = csvio.size_error(data, MAX_CSV_BYTES)
    if too_large is not None:
        raise SourceImportFailed([too_large])
    lines = sources_csv.read(data)
    # Counted before any line is checked: a file of junk lines is refused at once, not line by line.
    count = sources_csv.source_count(lines)
    if count > MAX_CSV_SOURCES:
        raise SourceImportFailed(
            [
                RowError(
                    None,
                    None,
                    f"1回に取り込める電源等は{MAX_CSV_SOURCES:,}件までです（このファイルは{count:,}件）。"
                    "ファイルを分けて取り込んでください。",
                    code="csv_too_many",
                )
            ]
        )
    parsed = sources_csv.parse(lines)
    errors = list(parsed.errors)
    planned: list[tuple[sources_csv.SourceRow, dict[str, Any]]] = []
    claimed: dict[str, int] = {}
    for row in parsed.sources:
        try:
            cleaned = validate_source(row.payload)
        except ValidationFailed as error:
            errors += row.errors_for(error)
            continue
        duplicates = {}
        for key, number in _point_keys(cleaned):
            if number in claimed:
                duplicates[key] = [f"{claimed[number]}行目の電源等と同じ地点 {number} です。"]
            else:
                claimed[number] = row.line_of(key)
        if duplicates:
            errors += row.errors_for(ValidationFailed(errors=duplicates))
            continue
        planned.append((row, cleaned))
    if not parsed.sources and not errors:
        errors.append(RowError(None, None, "電源等の行がありません。", code="csv_no_rows"))
    with transaction.atomic():
        _locked_operator(actor)
        for row, cleaned in planned:
            conflicts = _registered_conflicts(cleaned)
            if conflicts:
                errors += row.errors_for(ValidationFailed(errors=conflicts))
        if errors:
            raise SourceImportFailed(sorted(errors, key=lambda error: error.line or 0))
        result = SourceImport(planned=[cleaned for _row, cleaned in planned], encoding=parsed.encoding)
        if dry_run:
            return result
        result.applications = [
            _file(actor=actor, kind=SOURCE_REGISTRATION, payload=cleaned) for _row, cleaned in planned
        ]
        _receipt(actor, result.applications)
        record(
            actor=actor,
            action=Action.CAPACITY_SOURCE_IMPORT,
            system=SYSTEM,
            detail={"count": len(result.applications), "encoding": parsed.encoding},
        )
    return result


# --- change and deletion ----------------------------------------------------------------------------


def _refuse_open(actor: User, source_id: str, exclude_pk: int | None = None) -> None:
    pending = selectors.open_source_application(actor=actor, source_id=source_id, exclude_pk=exclude_pk)
    if pending is not None:
        raise ValidationFailed(
            f"この電源等には審査中の申請（受付番号 {pending.reception_number}）があります。"
            "変更・削除の申請は電源等ごとに1件ずつ受け付けます。",
            code="request_pending",
        )


def _registered(source: PowerSource) -> None:
    if not source.is_registered:
        raise ValidationFailed("削除済みの電源等は変更・削除できません。")


def _checked_change(source: PowerSource, payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    cleaned = validate_source({**payload, "source_id": source.source_id})
    current = selectors.source_snapshot(source)
    if not differences(current, cleaned, SOURCE_LABELS):
        raise ValidationFailed(NOTHING_CHANGED, code="nothing_changed")
    conflicts = _registered_conflicts(cleaned, exclude_pk=source.pk)
    if conflicts:
        raise ValidationFailed(errors=conflicts)
    return cleaned, current


def file_change(*, actor: User, source: PowerSource, payload: Mapping[str, Any]) -> Application:
    """電源等情報変更申請 of a registered power source of the actor's organization."""
    with transaction.atomic():
        _locked_operator(actor)
        source = selectors.source_for(actor=actor, source_id=source.source_id)
        _registered(source)
        _refuse_open(actor, source.source_id)
        cleaned, current = _checked_change(source, payload)
        return _file(actor=actor, kind=SOURCE_CHANGE, payload=cleaned, current=current)


def file_deletion(*, actor: User, source: PowerSource, reason: str) -> Application:
    """電源等情報削除申請: the source is no longer bid with; its data and versions stay."""
    cleaned = validate_source_deletion({"source_id": source.source_id, "name": source.name, "reason": reason})
    with transaction.atomic():
        _locked_operator(actor)
        source = selectors.source_for(actor=actor, source_id=source.source_id)
        _registered(source)
        _refuse_open(actor, source.source_id)
        return _file(
            actor=actor, kind=SOURCE_DELETION, payload=cleaned, current=selectors.source_snapshot(source)
        )


def resubmit(*, actor: User, application: Application, payload: Mapping[str, Any]) -> Application:
    """A power source application corrected after a hold or a rejection, filed again."""
    reviews.require_act("resubmit", application.state)
    with transaction.atomic():
        _locked_operator(actor)
        if application.kind == SOURCE_REGISTRATION:
            cleaned = validate_source({key: value for key, value in payload.items() if key != "source_id"})
            conflicts = _registered_conflicts(cleaned)
            if conflicts:
                raise ValidationFailed(errors=conflicts)
        else:
            source = selectors.source_for(actor=actor, source_id=str(application.payload.get("source_id")))
            _registered(source)
            _refuse_open(actor, source.source_id, exclude_pk=application.pk)
            if application.kind == SOURCE_CHANGE:
                cleaned, _current = _checked_change(source, payload)
            else:
                cleaned = validate_source_deletion(
                    {**application.payload, "reason": payload.get("reason", "")}
                )
        return reviews.resubmit(actor=actor, application=application, payload=cleaned)


# --- approval (the reviews' apply hooks) -------------------------------------------------------------


def next_source_id() -> str:
    """The next 電源等識別番号, gapless: the counter row stays locked until the approval commits."""
    counters = IdentifierCounter.objects.filter(series=SOURCE_SERIES)
    if not counters.update(last=F("last") + 1):
        _counter, created = IdentifierCounter.objects.get_or_create(
            series=SOURCE_SERIES, defaults={"last": 1}
        )
        if not created:
            counters.update(last=F("last") + 1)
    last = counters.values_list("last", flat=True).get()
    return f"{SOURCE_SERIES}{last:07d}"


def _assign(source: PowerSource, payload: Mapping[str, Any]) -> None:
    for name in SOURCE_FIELDS:
        setattr(source, name, payload.get(name))
    source.receiving_point_number = payload.get("receiving_point_number") or ""
    source.grid_connection = payload.get("grid_connection") or ""
    source.owner_name = payload.get("owner_name") or ""
    voltage = payload.get("connection_voltage_kv")
    source.connection_voltage_kv = Decimal(str(voltage)) if voltage not in (None, "") else None
    start = payload.get("operation_start")
    source.operation_start = dt.date.fromisoformat(str(start)) if start else None


def _replace_members(source: PowerSource, members: list[Mapping[str, Any]]) -> None:
    source.members.all().delete()
    PowerSourceMember.objects.bulk_create(
        PowerSourceMember(
            source=source,
            position=position,
            name=member["name"],
            point_number=member["point_number"],
            generation_type=member["generation_type"],
            capacity_kw=member["capacity_kw"],
        )
        for position, member in enumerate(members, start=1)
    )


def _version(*, source: PowerSource, application: Application, actor: User, summary: str) -> None:
    PowerSourceVersion.objects.create(
        source=source,
        version=source.version,
        data=selectors.source_snapshot(source),
        summary=summary,
        reception_number=application.reception_number,
        approved_at=source.updated_at,
        approved_by=actor,
    )


def _operator_for_approval(application: Application) -> Operator:
    operator = None
    if application.organization_id is not None:
        operator = Operator.objects.filter(organization_id=application.organization_id).first()
    if operator is None or not operator.is_active:
        raise ValidationFailed("容量市場システムを利用中の事業者の申請ではないため承認できません。")
    return operator


def _refuse_conflicts(payload: Mapping[str, Any], exclude_pk: int | None = None) -> None:
    conflicts = _registered_conflicts(payload, exclude_pk=exclude_pk)
    if conflicts:
        messages = [message for found in conflicts.values() for message in found]
        raise ValidationFailed("承認できません。" + " ".join(messages))


def _save(source: PowerSource) -> None:
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError as error:
        raise ValidationFailed(
            "受電地点特定番号が他の登録済みの電源等と重複しているため承認できません。"
        ) from error


def apply_registration(application: Application, actor: User) -> None:
    """On approval of a registration: the power source with its 電源等識別番号, version 1."""
    operator = _operator_for_approval(application)
    payload = application.payload
    _refuse_conflicts(payload)
    now = timezone.now()
    source = PowerSource(
        operator=operator,
        source_id=next_source_id(),
        registration_number=application.reception_number,
        registered_at=now,
        updated_at=now,
    )
    _assign(source, payload)
    _save(source)
    _replace_members(source, payload.get("members") or [])
    _version(source=source, application=application, actor=actor, summary="登録")
    # The applicant's later screens and the mail name the identifier.
    application.subject = f"{source.source_id} {source.name}"[:200]
    record(
        actor=actor,
        action=Action.CAPACITY_SOURCE_REGISTER,
        obj=source,
        organization=operator.organization,
        system=SYSTEM,
        detail={"reception_number": application.reception_number, "source_id": source.source_id},
    )


def _source_for_approval(application: Application) -> PowerSource:
    operator = _operator_for_approval(application)
    source = (
        PowerSource.objects.select_for_update()
        .filter(operator=operator, source_id=application.payload.get("source_id"))
        .first()
    )
    if source is None or not source.is_registered:
        raise ValidationFailed("申請の電源等が登録されていないため承認できません。")
    return source


def apply_change(application: Application, actor: User) -> None:
    """On approval of a change: the requested values become the next version."""
    source = _source_for_approval(application)
    payload = application.payload
    _refuse_conflicts(payload, exclude_pk=source.pk)
    _assign(source, payload)
    source.version += 1
    source.updated_at = timezone.now()
    _save(source)
    _replace_members(source, payload.get("members") or [])
    _version(source=source, application=application, actor=actor, summary="変更")
    record(
        actor=actor,
        action=Action.CAPACITY_SOURCE_CHANGE,
        obj=source,
        organization=source.operator.organization,
        system=SYSTEM,
        detail={"reception_number": application.reception_number, "version": source.version},
    )


def apply_deletion(application: Application, actor: User) -> None:
    """On approval of a deletion: the source is marked deleted; its data and versions stay."""
    source = _source_for_approval(application)
    now = timezone.now()
    source.status = SourceStatus.DELETED
    source.deleted_at = now
    source.version += 1
    source.updated_at = now
    source.save()
    _version(source=source, application=application, actor=actor, summary="削除")
    record(
        actor=actor,
        action=Action.CAPACITY_SOURCE_DELETE,
        obj=source,
        organization=source.operator.organization,
        system=SYSTEM,
        detail={"reception_number": application.reception_number, "source_id": source.source_id},
    )
