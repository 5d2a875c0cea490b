"""Information to government agencies (X-G1): record a request, have another member of the staff
approve or reject it, provide exactly its scope once as CSV files, and record every download.

Seeds 000 §4.2 and 002 §4.3: the organization provides what the agency needs for its duties under
law, within that purpose; personal data only where the system's terms allow it (the data sets
say which, `selectors/datasets.py`). Every act is audited; the files are kept byte for byte with
their SHA-256, so that what went to whom can be shown later (docs/decisions/0036).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.catalog import implements
from kouiki.core.csvio import write_csv
from kouiki.core.errors import Forbidden, InvalidTransition, ValidationFailed, refuse_together
from kouiki.core.systems import System
from kouiki.government.choices import AGENCIES, MAX_ORGANIZATIONS, REASON_MAX, ROLES, Agency, RequestState
from kouiki.government.models import InformationRequest, Provision, ProvisionDownload, ProvisionFile
from kouiki.government.selectors import datasets
from kouiki.identity.access import require_staff_role
from kouiki.identity.selectors import organization_by_code

if TYPE_CHECKING:
    from kouiki.identity.models import User

SELF_APPROVAL = "依頼を記録した職員は承認・却下できません。別の職員が確認してください。"


def _check_agency(system: str, agency: str, agency_name: str) -> None:
    allowed = AGENCIES[system]
    if agency not in allowed:
        names = "・".join(choice.label for choice in allowed)
        raise ValidationFailed(f"{System(system).label}の提供先は{names}のいずれかです。", field="agency")
    if agency == Agency.OTHER and not agency_name:
        raise ValidationFailed("その他の国の機関の名称を入力してください。", field="agency_name")
    if agency != Agency.OTHER and agency_name:
        raise ValidationFailed(
            "国の機関の名称は提供先が「その他の国の機関」のときだけ入力してください。", field="agency_name"
        )


def _check_datasets(system: str, keys: list[str]) -> None:
    if not keys:
        raise ValidationFailed("提供するデータを1つ以上選択してください。", field="datasets")
    allowed = {dataset.key for dataset in datasets.of_system(system)}
    if any(key not in allowed for key in keys):
        raise ValidationFailed(f"{System(system).label}のデータを選択してください。", field="datasets")


def _check_period(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValidationFailed("対象期間の終了日は開始日以降の日付を入力してください。", field="period_end")


def _check_received(received_on: dt.date) -> None:
    if received_on > timezone.localdate():
        raise ValidationFailed("依頼の受付日に未来の日付は入力できません。", field="received_on")


def _check_organizations(codes: list[str]) -> None:
    if len(codes) > MAX_ORGANIZATIONS:
        raise ValidationFailed(
            f"対象事業者は{MAX_ORGANIZATIONS}社までです（{len(codes)}社が入力されました）。"
            "すべての事業者が対象のときは空欄にしてください。",
            field="organization_codes",
        )
    unknown = [code for code in codes if organization_by_code(code) is None]
    if unknown:
        raise ValidationFailed(
            f"登録されていない事業者コードがあります：{'、'.join(unknown)}", field="organization_codes"
        )


@implements("X-G1")
def record_request(
    *,
    actor: User,
    system: str,
    agency: str,
    agency_name: str,
    legal_basis: str,
    purpose: str,
    dataset_keys: list[str],
    period_start: dt.date,
    period_end: dt.date,
    organization_codes: list[str],
    received_on: dt.date,
    reference_number: str,
) -> InformationRequest:
    """Record an agency's request as received; it waits for another member of the staff."""
    require_staff_role(actor, ROLES)
    if system not in AGENCIES:
        raise ValidationFailed("システムを選択してください。", field="system")
    codes = list(dict.fromkeys(organization_codes))
    keys = list(dict.fromkeys(dataset_keys))
    refuse_together(
        lambda: _check_agency(system, agency, agency_name),
        lambda: _check_datasets(system, keys),
        lambda: _check_period(period_start, period_end),
        lambda: _check_received(received_on),
        lambda: _check_organizations(codes),
    )
    with transaction.atomic():
        request = InformationRequest.objects.create(
            system=system,
            agency=agency,
            agency_name=agency_name,
            legal_basis=legal_basis,
            purpose=purpose,
            datasets=keys,
            period_start=period_start,
            period_end=period_end,
            organization_codes=codes,
            received_on=received_on,
            reference_number=reference_number,
            recorded_by=actor,
        )
        record(
            actor=actor,
            action=Action.GOVERNMENT_REQUEST_RECORD,
            obj=request,
            system=system,
            detail={
                "agency": request.agency_label,
                "reference_number": reference_number,
                "datasets": keys,
                "period": [period_start.isoformat(), period_end.isoformat()],
                "organization_codes": codes,
            },
        )
    return request


def _decidable(actor: User, request: InformationRequest) -> InformationRequest:
    """The request, locked, when the actor may decide on it now."""
    require_staff_role(actor, ROLES)
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.recorded_by_id == actor.pk:
        raise Forbidden(SELF_APPROVAL, code="government_self_approval")
    if locked.state != RequestState.RECORDED:
        raise InvalidTransition("この依頼は承認・却下済みです。")
    return locked


@implements("X-G1")
def approve(*, actor: User, request: InformationRequest) -> InformationRequest:
    """A second member of the staff approves the request as recorded: its scope may be provided."""
    with transaction.atomic():
        locked = _decidable(actor, request)
        locked.state = RequestState.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        record(actor=actor, action=Action.GOVERNMENT_REQUEST_APPROVE, obj=locked, system=locked.system)
    return locked


@implements("X-G1")
def reject(*, actor: User, request: InformationRequest, reason: str) -> InformationRequest:
    """A second member of the staff rejects the request, with the reason: nothing is provided."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("却下の理由を入力してください。", field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"却下の理由は{REASON_MAX}文字以内で入力してください。", field="reason")
    with transaction.atomic():
        locked = _decidable(actor, request)
        locked.state = RequestState.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.rejection_reason = reason
        locked.save(update_fields=["state", "decided_by", "decided_at", "rejection_reason"])
        record(
            actor=actor,
            action=Action.GOVERNMENT_REQUEST_REJECT,
            obj=locked,
            system=locked.system,
            detail={"reason": reason},
        )
    return locked


@implements("X-G1")
def provide(*, actor: User, request: InformationRequest) -> Provision:
    """Export exactly the approved scope, once: one CSV file per data set (UTF-8 with BOM, CRLF),
    kept with its number of rows and SHA-256."""
    require_staff_role(actor, ROLES)
    with transaction.atomic():
        locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state == RequestState.PROVIDED:
            raise InvalidTransition(
                "この依頼の情報は提供済みです。提供済みのファイルをダウンロードしてください。"
            )
        if locked.state != RequestState.APPROVED:
            raise InvalidTransition("承認されていない依頼の情報は提供できません。")
        chosen = [datasets.get(key) for key in locked.datasets]
        provision = Provision.objects.create(
            request=locked, provided_by=actor, personal_data=any(dataset.personal for dataset in chosen)
        )
        files = []
        for dataset in chosen:
            rows = list(
                dataset.read(
                    actor=actor,
                    start=locked.period_start,
                    end=locked.period_end,
                    organization_codes=locked.organization_codes,
                )
            )
            data = write_csv(rows, dataset.header)
            files.append(
                ProvisionFile.objects.create(
                    provision=provision,
                    dataset=dataset.key,
                    name=f"情報提供{locked.pk}_{dataset.label}.csv",
                    rows=len(rows),
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                )
            )
        locked.state = RequestState.PROVIDED
        locked.save(update_fields=["state"])
        record(
            actor=actor,
            action=Action.GOVERNMENT_PROVIDE,
            obj=provision,
            system=locked.system,
            detail={
                "request": locked.pk,
                "agency": locked.agency_label,
                "approved_by": locked.decided_by.username if locked.decided_by else "",
                "personal_data": provision.personal_data,
                "files": [{"dataset": f.dataset, "rows": f.rows, "sha256": f.sha256} for f in files],
            },
        )
    return provision


@implements("X-G1")
def record_download(*, actor: User, file: ProvisionFile) -> ProvisionDownload:
    """Keep one download of a provision's file (the first and every later one), audited."""
    require_staff_role(actor, ROLES)
    with transaction.atomic():
        download = ProvisionDownload.objects.create(file=file, downloaded_by=actor)
        count = ProvisionDownload.objects.filter(file=file).count()
        record(
            actor=actor,
            action=Action.GOVERNMENT_DOWNLOAD,
            obj=file,
            system=file.provision.request.system,
            detail={"dataset": file.dataset, "sha256": file.sha256, "rows": file.rows, "count": count},
        )
    return download
