"""加入証跡 (MEM-I1): a proof of membership, issued on request and checkable by its number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import Conflict, ValidationFailed
from kouiki.core.systems import System
from kouiki.identity.access import function, organization_of
from kouiki.membership.models import MembershipCertificate

if TYPE_CHECKING:
    from kouiki.identity.models import User

# Issue numbers are 16 random characters: a collision is next to impossible, but never fatal.
_ATTEMPTS = 3


@function("MEM-I1")
def issue_certificate(*, actor: User) -> MembershipCertificate:
    """Issue a proof of membership of the actor's organization (seed 000 2.2: 加入証跡の表示機能).

    The certificate keeps what it states (name, code, date of joining) as it was on the day of
    issue; the public verification page shows exactly that, and whether the organization is still
    a member.
    """
    organization_of(actor)
    organization = actor.organization
    assert organization is not None
    if organization.member_since is None:
        raise ValidationFailed(
            "加入日が登録されていないため、加入証跡を発行できません。本機関にお問い合わせください。"
        )
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                certificate = MembershipCertificate.objects.create(
                    organization=organization,
                    organization_name=organization.name,
                    organization_code=organization.code,
                    member_since=organization.member_since,
                    issued_at=timezone.now(),
                    issued_by=actor,
                )
                record(
                    actor=actor,
                    action=Action.MEMBERSHIP_CERTIFICATE_ISSUE,
                    obj=certificate,
                    system=System.MEMBER,
                    detail={"number": certificate.number},
                )
        except IntegrityError:
            continue
        return certificate
    raise Conflict("加入証跡の発行番号を採番できませんでした。もう一度お試しください。")
