"""承継 (MEM-I5) and 脱退 (MEM-I6), seed 003 chapters 6 and 7: applications the organization reviews;
their approval ends the membership (identity's `end_membership`: the organization's users can no
longer log in, its data stays, the audit log records it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from kouiki.core import japanese
from kouiki.core.errors import ValidationFailed
from kouiki.identity import services as identity_services
from kouiki.identity.access import function
from kouiki.identity.choices import OrganizationStatus
from kouiki.membership.selectors import SUCCESSION, WITHDRAWAL
from kouiki.membership.services.changes import check_successor, lock_profile, refuse_if_open
from kouiki.reviews import services as reviews

if TYPE_CHECKING:
    from kouiki.identity.models import Organization, User
    from kouiki.reviews.models import Application


def validate_succession(payload: Mapping[str, Any]) -> dict[str, Any]:
    """承継事業者コード (4 half-width digits) and 承継事業者名 (full-width), seed 003 6.2."""
    code = japanese.normalize_organization_code(str(payload.get("successor_code") or ""))
    name = japanese.to_full_width(str(payload.get("successor_name") or "").strip())
    errors: dict[str, list[str]] = {}
    if not code:
        errors["successor_code"] = ["承継事業者コードを入力してください。"]
    else:
        try:
            japanese.validate_organization_code(code)
        except DjangoValidationError as error:
            errors["successor_code"] = list(error.messages)
    if not name:
        errors["successor_name"] = ["承継事業者名を入力してください。"]
    elif len(name) > 200:
        errors["successor_name"] = ["承継事業者名は200文字以内で入力してください。"]
    else:
        try:
            japanese.validate_full_width(name)
        except DjangoValidationError as error:
            errors["successor_name"] = list(error.messages)
    if errors:
        raise ValidationFailed(errors=errors)
    return {"successor_code": code, "successor_name": name}


def _file(*, actor: User, kind: str, payload: Mapping[str, Any], current: Mapping[str, Any]) -> Application:
    with transaction.atomic():
        lock_profile(actor.organization_id)  # serializes two administrators filing at the same moment
        refuse_if_open(actor)
        application = reviews.create_draft(actor=actor, kind=kind, payload=payload, current=current)
        return reviews.submit(actor=actor, application=application)


def _membership(organization: Organization) -> dict[str, str]:
    return {"organization_code": organization.code, "organization_name": organization.name}


@function("MEM-I5")
def request_succession(*, actor: User, successor_code: str, successor_name: str) -> Application:
    """MEM-I5 承継申請: the member's business passes to another 事業者 (seed 003 chapter 6)."""
    payload = validate_succession({"successor_code": successor_code, "successor_name": successor_name})
    organization = actor.organization
    assert organization is not None
    check_successor(organization, payload)
    return _file(actor=actor, kind=SUCCESSION, payload=payload, current=_membership(organization))


@function("MEM-I6")
def request_withdrawal(*, actor: User) -> Application:
    """MEM-I6 脱退申請: the member leaves the organization (seed 003 chapter 7)."""
    organization = actor.organization
    assert organization is not None
    membership = _membership(organization)
    return _file(actor=actor, kind=WITHDRAWAL, payload=membership, current=membership)


# --- approval of a succession or a withdrawal -----------------------------------------------------------


def _end_membership(application: Application, actor: User, status: str, reason: str) -> None:
    organization = application.organization
    if organization is None:
        raise ValidationFailed("事業者が特定できない申請は承認できません。")
    identity_services.end_membership(actor=actor, organization=organization, status=status, reason=reason)


def apply_succession(application: Application, actor: User) -> None:
    """`apply` of `membership.succession`: membership ends; users can no longer log in; data stays."""
    payload = application.payload
    reason = (
        f"承継（{application.reception_number}） 承継事業者: "
        f"{payload.get('successor_code', '')} {payload.get('successor_name', '')}"
    )
    _end_membership(application, actor, OrganizationStatus.SUCCEEDED, reason)


def apply_withdrawal(application: Application, actor: User) -> None:
    """`apply` of `membership.withdrawal`: membership ends; users can no longer log in; data stays."""
    _end_membership(
        application, actor, OrganizationStatus.WITHDRAWN, f"脱退（{application.reception_number}）"
    )
