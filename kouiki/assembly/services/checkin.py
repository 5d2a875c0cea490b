"""MEM-G4 総会当日の受付 (seed 000 2.2 (2)): the venue's reader sends the code of a reception ticket's
QR code; the person is checked in once, and the staff at the desk are told at once who arrived, or
why the ticket is refused: forged or unreadable, unknown, for another meeting, or already used.

A ticket checks in once: the arrival time is written by a conditional update (only while it is
empty), so two readers scanning the same ticket at the same moment give one arrival and one
"already used". Every attempt is audited, refused ones included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from kouiki.assembly.choices import CheckInOutcome
from kouiki.assembly.models import Meeting, ReceptionTicket
from kouiki.assembly.services import tickets
from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.catalog import implements
from kouiki.identity.access import require_staff

if TYPE_CHECKING:
    from kouiki.identity.models import User

SYSTEM = "member"


@dataclass(frozen=True)
class CheckInResult:
    outcome: CheckInOutcome
    message: str
    ticket: ReceptionTicket | None = None
    # The arrival this attempt recorded, or the first one when the ticket was already used.
    arrived_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == CheckInOutcome.CHECKED_IN


def _when(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y/%m/%d %H:%M:%S}"


def _refused(
    actor: User,
    meeting: Meeting,
    outcome: CheckInOutcome,
    message: str,
    *,
    ticket: ReceptionTicket | None = None,
    arrived_at: datetime | None = None,
) -> CheckInResult:
    record(
        actor=actor,
        action=Action.ASSEMBLY_CHECK_IN_REFUSED,
        obj=meeting,
        system=SYSTEM,
        detail={"outcome": outcome.value, "ticket_id": ticket.pk if ticket is not None else None},
    )
    return CheckInResult(outcome=outcome, message=message, ticket=ticket, arrived_at=arrived_at)


@implements("MEM-G4")
def check_in(*, actor: User, meeting: Meeting, code: str) -> CheckInResult:
    """Check in the holder of the ticket whose QR code reads `code`, at `meeting`."""
    require_staff(actor)
    token = tickets.token_from_code(code)
    with transaction.atomic():
        if token is None:
            return _refused(
                actor,
                meeting,
                CheckInOutcome.INVALID,
                "受付票のQRコードとして読み取れません（偽造または読み取り誤りの可能性があります）。",
            )
        ticket = (
            ReceptionTicket.objects.select_related("meeting", "attendee__invitation__organization")
            .filter(token=token)
            .first()
        )
        if ticket is None:
            return _refused(
                actor,
                meeting,
                CheckInOutcome.UNKNOWN,
                "登録されていない受付票です（出席者の変更により無効になった可能性があります）。",
            )
        if ticket.meeting_id != meeting.pk:
            other = ticket.meeting
            return _refused(
                actor,
                meeting,
                CheckInOutcome.OTHER_MEETING,
                f"別の総会（{other.name}、{timezone.localtime(other.held_at):%Y/%m/%d}）の受付票です。",
                ticket=ticket,
            )
        now = timezone.now()
        updated = ReceptionTicket.objects.filter(pk=ticket.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=actor
        )
        if not updated:
            ticket.refresh_from_db(fields=["checked_in_at", "checked_in_by"])
            first = ticket.checked_in_at
            return _refused(
                actor,
                meeting,
                CheckInOutcome.ALREADY,
                f"この受付票は受付済みです（受付日時 {_when(first) if first else '不明'}）。",
                ticket=ticket,
                arrived_at=first,
            )
        ticket.checked_in_at = now
        ticket.checked_in_by = actor
        organization = ticket.attendee.invitation.organization
        record(
            actor=actor,
            action=Action.ASSEMBLY_CHECK_IN,
            obj=ticket,
            organization=organization,
            system=SYSTEM,
            detail={"meeting_id": meeting.pk, "attendee_id": ticket.attendee_id},
        )
    return CheckInResult(
        outcome=CheckInOutcome.CHECKED_IN,
        message=f"受付しました（{_when(now)}）。",
        ticket=ticket,
        arrived_at=now,
    )
