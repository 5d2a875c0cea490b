"""受託者 (X-I2, ADR 32): a participant's switching administrator lets a registered contractor company
act for it, for chosen functions, from a day, until a day or until revoked; and revokes.

The grant is read by the access layer (`access.act_for`): while a contractor's user acts for the
principal, what it does is the principal's act. Saving a grant bumps the access generation (the
signal in apps.py), so a revoked grant refuses the next request in every process — API tokens
cached per process included (ADR 20).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import catalog
from kouiki.core.catalog import implements
from kouiki.core.errors import InvalidTransition, NotFound, ValidationFailed
from kouiki.core.systems import System
from kouiki.identity.access import is_contractor, require_administrator
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.models import ContractorGrant, Organization, User
from kouiki.identity.selectors import organization_participant_kind
from kouiki.identity.services.switching_users import by_heading, grantable_functions, organization_kind

__all__ = ["organization_kind"]

SYSTEM = System.SWITCHING


def delegable_functions(kind: str) -> list[catalog.Function]:
    """What a principal of `kind` may let a contractor do: the switching functions its kind may use
    (R, or D for a DR contractor), never the administrator's (SW-U*, API tokens) nor the system's."""
    return grantable_functions(kind)


def function_groups(kind: str) -> list[tuple[str, list[catalog.Function]]]:
    """The delegable functions by 業務 (their menu heading), in the catalog's order: the matrix."""
    return by_heading(delegable_functions(kind))


def _principal(actor: User) -> tuple[Organization, str]:
    """The administrator's organization and its kind: a retailer or a DR contractor (a contractor
    acts for others and has nothing of its own to delegate)."""
    require_administrator(actor, SYSTEM)
    if is_contractor(actor, SYSTEM):
        raise ValidationFailed("受託者は業務を委託できません。")
    organization = actor.organization
    assert organization is not None  # an administrator belongs to its organization
    kind = organization_participant_kind(organization_id=organization.pk, system=SYSTEM)
    return organization, kind or ParticipantKind.RETAILER


def contractor_by_code(code: str) -> Organization:
    """A registered company enrolled in switching as a contractor (受託者), by its 事業者コード;
    refused by name otherwise."""
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("受託者の事業者コードを入力してください。", field="contractor_code")
    organization = Organization.objects.filter(code=code).first()
    if organization is None:
        raise ValidationFailed(f"事業者コード {code} の事業者は登録されていません。", field="contractor_code")
    kind = organization_participant_kind(organization_id=organization.pk, system=SYSTEM)
    if kind != ParticipantKind.CONTRACTOR:
        raise ValidationFailed(
            f"事業者コード {code}（{organization.name}）は受託者としてスイッチング支援システムに"
            "登録されていません。",
            field="contractor_code",
        )
    if not organization.is_active:
        raise ValidationFailed(
            f"事業者コード {code}（{organization.name}）は利用停止中です。", field="contractor_code"
        )
    return organization


def _checked(kind: str, functions: Iterable[str]) -> list[str]:
    allowed = {f.id for f in delegable_functions(kind)}
    chosen = sorted(set(functions))
    if not chosen:
        raise ValidationFailed("委託する機能を1つ以上選択してください。", field="functions")
    refused = [function_id for function_id in chosen if function_id not in allowed]
    if refused:
        names = "、".join(
            f"{f.id} {f.title}" if (f := catalog.FUNCTIONS.get(function_id)) else function_id
            for function_id in refused
        )
        raise ValidationFailed(f"次の機能は委託できません: {names}", field="functions")
    return chosen


@implements("X-I2")
def grant(
    *,
    actor: User,
    contractor_code: str,
    functions: Iterable[str],
    valid_from: date,
    valid_until: date | None = None,
) -> ContractorGrant:
    """The administrator lets a contractor act for its organization (one open grant per contractor:
    to change one, revoke it and grant again)."""
    principal, kind = _principal(actor)
    contractor = contractor_by_code(contractor_code)
    if contractor.pk == principal.pk:
        raise ValidationFailed("自社を受託者にすることはできません。", field="contractor_code")
    chosen = _checked(kind, functions)
    if valid_from < timezone.localdate():
        raise ValidationFailed("開始日には本日以降の日付を入力してください。", field="valid_from")
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed("終了日には開始日以降の日付を入力してください。", field="valid_until")
    with transaction.atomic():
        if ContractorGrant.objects.filter(
            principal=principal, contractor=contractor, system=SYSTEM, revoked_at__isnull=True
        ).exists():
            raise ValidationFailed(
                f"{contractor.name}への業務委託はすでに登録されています。変更するときは、取り消してから"
                "登録し直してください。",
                field="contractor_code",
            )
        created = ContractorGrant.objects.create(
            principal=principal,
            contractor=contractor,
            system=SYSTEM,
            functions=chosen,
            valid_from=valid_from,
            valid_until=valid_until,
            granted_by=actor,
        )
        record(
            actor=actor,
            action=Action.CONTRACTOR_GRANT,
            obj=created,
            system=SYSTEM,
            detail={
                "contractor": contractor.code,
                "functions": chosen,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat() if valid_until else "",
            },
        )
    return created


def grant_for(*, actor: User, pk: int) -> ContractorGrant:
    """One grant of the administrator's organization; another's is NotFound."""
    principal, _kind = _principal(actor)
    found = (
        ContractorGrant.objects.select_related("principal", "contractor", "granted_by", "revoked_by")
        .filter(pk=pk, principal=principal, system=SYSTEM)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@implements("X-I2")
def revoke(*, actor: User, grant: ContractorGrant) -> ContractorGrant:
    """The administrator ends a grant now: the contractor's next request for it is refused (web, API
    tokens, bulk files in flight)."""
    principal, _kind = _principal(actor)
    if grant.principal_id != principal.pk:
        raise NotFound()
    with transaction.atomic():
        locked = ContractorGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.revoked_at is not None:
            raise InvalidTransition("この業務委託は取消済みです。")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])  # the signal bumps the access generation
        record(
            actor=actor,
            action=Action.CONTRACTOR_REVOKE,
            obj=locked,
            system=SYSTEM,
            detail={"contractor": grant.contractor.code, "functions": list(locked.functions)},
        )
    return locked
