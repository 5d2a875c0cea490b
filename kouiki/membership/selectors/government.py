"""Reads of member information for a provision to a government agency (X-G1, seed 000 §4.2): every
member's information as it stands, with its representative and administrators — personal data the
member system's terms let go to the agency. Staff only; the government app declares the columns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kouiki.identity.access import require_staff
from kouiki.membership.models import MemberProfile
from kouiki.membership.selectors import business_type_labels

if TYPE_CHECKING:
    from kouiki.identity.models import User


def _name(user: User | None) -> str:
    return f"{user.last_name} {user.first_name}".strip() if user is not None else ""


def member_rows(*, actor: User, organization_codes: list[str]) -> Iterator[dict[str, Any]]:
    """Every member organization's information (only those of `organization_codes` when given), by
    事業者コード, as of now."""
    require_staff(actor)
    found = MemberProfile.objects.select_related("organization", "administrator1", "administrator2")
    if organization_codes:
        found = found.filter(organization__code__in=organization_codes)
    for profile in found.order_by("organization__code").iterator(chunk_size=500):
        organization = profile.organization
        yield {
            "code": organization.code,
            "name": profile.name,
            "corporate_number": profile.corporate_number,
            "business_types": "・".join(business_type_labels(profile.business_types)),
            "address": f"{profile.address1} {profile.address2}".strip(),
            "phone": profile.phone,
            "representative_title": profile.representative_title,
            "representative_name": f"{profile.representative_last_name} {profile.representative_first_name}",
            "member_since": organization.member_since,
            "status": organization.get_status_display(),
            "admin1_name": _name(profile.administrator1),
            "admin1_email": profile.administrator1.email if profile.administrator1 else "",
            "admin2_name": _name(profile.administrator2),
            "admin2_email": profile.administrator2.email if profile.administrator2 else "",
        }
