"""A terminated participant's retained cancel-forward data, read by the organization's staff (SW-P4,
X-L1): its joint use of personal data ended with its contract (the access layer refuses it), the
data stays under retention (seed 001 2.7.4), and every staff read names its purpose and is
recorded in the audit log against the participant (action use.retained_read)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.identity.access import require_staff_role
from kouiki.identity.choices import StaffRole, UseState
from kouiki.identity.selectors import use_of
from kouiki.switching.models import Application, Switch
from kouiki.switching.services.filing import SYSTEM

if TYPE_CHECKING:
    from kouiki.identity.models import Organization, User

# Staff of the switching area, and the staff administrators, read retained data.
READERS = frozenset({StaffRole.SWITCHING, StaffRole.STAFF_ADMIN})
PURPOSE_MAX = 200
# At most this many switches per read (the newest; a number narrows it).
READ_LIMIT = 100


@dataclass(frozen=True)
class Retained:
    """What one read shows: the participant's cancel-forwards with the customers' identification and
    its applications, newest first."""

    switches: list[Switch]
    applications: list[Application]


@implements("SW-P4", "X-L1")
def retained_cancel_forwards(
    *, actor: User, organization: Organization, purpose: str, supply_point_number: str = ""
) -> Retained:
    """The terminated participant's cancel-forwards (as new or current retailer) with the customers'
    identification and its applications, newest first (at most READ_LIMIT of each); the read is
    recorded with its purpose and what it showed."""
    require_staff_role(actor, READERS)
    use = use_of(organization.pk, SYSTEM)
    if use is None or use.state != UseState.TERMINATED:
        raise NotFound("この事業者のスイッチング支援システムの利用契約は終了していません。")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationFailed("閲覧の目的を入力してください。", field="purpose")
    if len(purpose) > PURPOSE_MAX:
        raise ValidationFailed(f"閲覧の目的は{PURPOSE_MAX}文字以内で入力してください。", field="purpose")
    found = Switch.objects.filter(Q(new_retailer=organization) | Q(current_retailer=organization))
    filed = Application.objects.filter(organization=organization)
    number = supply_point_number.strip()
    if number:
        found = found.filter(supply_point__number=number)
        filed = filed.filter(supply_point__number=number)
    switches = list(
        found.select_related("supply_point", "new_retailer", "current_retailer").order_by(
            "-created_at", "-id"
        )[:READ_LIMIT]
    )
    applications = list(filed.select_related("supply_point").order_by("-created_at", "-id")[:READ_LIMIT])
    record(
        actor=actor,
        action=Action.USE_RETAINED_READ,
        organization=organization,
        system=SYSTEM,
        purpose=purpose,
        detail={
            "items": ["basic"],
            "switches": [switch.number for switch in switches],
            "applications": [application.reception_number for application in applications],
            "supply_points": sorted({switch.supply_point.number for switch in switches}),
        },
    )
    return Retained(switches=switches, applications=applications)
