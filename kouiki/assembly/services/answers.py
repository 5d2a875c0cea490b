"""MEM-G2 総会の出欠・議決権の回答 (seed 000 2.2 (2)): a member answers whether it attends, registers
the persons it sends, and — only when it holds voting rights — votes on every agenda item.

- The answer may be changed until the answer deadline; after it, it is read-only.
- A member without voting rights cannot vote: refused here, whatever the screen shows.
- Each person gets a reception ticket (受付票, MEM-G3) when registered. A changed person keeps
  its ticket; a removed person's ticket is gone, unless it already checked in (then it stays).
- Every answer is audited, and the member's 総会 users get a confirmation mail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kouiki.assembly.choices import DUTY, VoteChoice
from kouiki.assembly.models import Attendee, Invitation, ReceptionTicket, Vote
from kouiki.assembly.services import tickets
from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.identity.access import function, organization_of
from kouiki.identity.selectors import users_with_duty

if TYPE_CHECKING:
    from kouiki.identity.models import User

SYSTEM = "member"
MAX_ATTENDEES = 5
ANSWER_MAIL = "assembly/mail/answer_received"


@dataclass(frozen=True)
class AttendeeInput:
    """A person as the member enters it; `id` names a person registered before (to keep its ticket)."""

    name: str
    department_title: str
    email: str = ""
    id: int | None = None


def _lock_invitation(organization_id: int, meeting_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("meeting", "organization")
        .filter(organization_id=organization_id, meeting_id=meeting_id, notified_at__isnull=False)
        .first()
    )
    if invitation is None:
        raise NotFound()
    return invitation


def _check_votes(invitation: Invitation, votes: Mapping[int, str]) -> dict[int, str]:
    if not invitation.has_voting_rights:
        if votes:
            raise Forbidden("貴社はこの総会の議決権を有していないため、議決権を行使できません。")
        return {}
    items = list(invitation.meeting.agenda_items.order_by("number"))
    unknown = set(votes) - {item.pk for item in items}
    if unknown:
        raise ValidationFailed("この総会の議案ではありません。")
    errors = {
        f"vote_{item.pk}": [f"{item.label}の賛否（賛成・反対・棄権）を選択してください。"]
        for item in items
        if votes.get(item.pk) not in VoteChoice.values
    }
    if errors:
        raise ValidationFailed("すべての議案について賛否を選択してください。", errors=errors)
    return {item.pk: votes[item.pk] for item in items}


def _check_attendees(attends: bool, attendees: Sequence[AttendeeInput]) -> None:
    if not attends:
        if attendees:
            raise ValidationFailed("欠席の場合は出席者を登録できません。", field="attendees")
        return
    if not attendees:
        raise ValidationFailed("出席の場合は出席者を1名以上登録してください。", field="attendees")
    if len(attendees) > MAX_ATTENDEES:
        raise ValidationFailed(f"出席者は{MAX_ATTENDEES}名まで登録できます。", field="attendees")
    for person in attendees:
        if not person.name.strip() or not person.department_title.strip():
            raise ValidationFailed("出席者の氏名と所属・役職を入力してください。", field="attendees")


def _save_attendees(invitation: Invitation, attendees: Sequence[AttendeeInput]) -> list[Attendee]:
    existing = {person.pk: person for person in invitation.attendees.select_related("ticket")}
    given_ids = [person.id for person in attendees if person.id is not None]
    kept_ids = set(given_ids)
    if not kept_ids <= set(existing) or len(kept_ids) != len(given_ids):
        raise ValidationFailed(
            "出席者の指定が正しくありません。画面を開き直してください。", field="attendees"
        )
    removed = [person for pk, person in existing.items() if pk not in kept_ids]
    if any(person.ticket.checked_in_at is not None for person in removed):
        raise ValidationFailed("受付済みの出席者は削除できません。", field="attendees")
    # A checked-in ticket names who arrived: that person's name and title stay as they were.
    for person in attendees:
        current = existing.get(person.id) if person.id is not None else None
        if (
            current is not None
            and current.ticket.checked_in_at is not None
            and (current.name, current.department_title)
            != (person.name.strip(), person.department_title.strip())
        ):
            raise ValidationFailed(
                f"受付済みの出席者（{current.name}）の氏名・所属は変更できません。", field="attendees"
            )
    Attendee.objects.filter(pk__in=[person.pk for person in removed]).delete()
    saved: list[Attendee] = []
    for position, person in enumerate(attendees, start=1):
        values = {
            "position": position,
            "name": person.name.strip(),
            "department_title": person.department_title.strip(),
            "email": person.email.strip(),
        }
        if person.id is not None:
            attendee = existing[person.id]
            for field, value in values.items():
                setattr(attendee, field, value)
            attendee.save(update_fields=list(values))
        else:
            attendee = Attendee.objects.create(invitation=invitation, **values)
            ReceptionTicket.objects.create(
                attendee=attendee, meeting=invitation.meeting, token=tickets.new_token()
            )
        saved.append(attendee)
    return saved


def _save_votes(invitation: Invitation, votes: dict[int, str], now: datetime) -> None:
    current = {vote.agenda_item_id: vote for vote in invitation.votes.all()}
    for item_id, choice in votes.items():
        vote = current.get(item_id)
        if vote is None:
            Vote.objects.create(invitation=invitation, agenda_item_id=item_id, choice=choice, voted_at=now)
        elif vote.choice != choice:
            vote.choice = choice
            vote.voted_at = now
            vote.save(update_fields=["choice", "voted_at"])


@function("MEM-G2")
def answer_meeting(
    *,
    actor: User,
    meeting_id: int,
    attends: bool,
    attendees: Sequence[AttendeeInput] = (),
    votes: Mapping[int, str] | None = None,
) -> Invitation:
    """Answer (or change the answer to) a meeting's convocation, until its answer deadline."""
    organization_id = organization_of(actor)
    votes = dict(votes or {})
    with transaction.atomic():
        invitation = _lock_invitation(organization_id, meeting_id)
        meeting = invitation.meeting
        if not meeting.accepts_answers():
            raise InvalidTransition(
                f"回答期限（{timezone.localtime(meeting.answer_deadline):%Y/%m/%d %H:%M}）を過ぎているため、"
                "回答の登録・変更はできません。"
            )
        checked_votes = _check_votes(invitation, votes)
        _check_attendees(attends, attendees)
        now = timezone.now()
        persons = _save_attendees(invitation, attendees)
        _save_votes(invitation, checked_votes, now)
        first_answer = invitation.attends is None
        invitation.attends = attends
        invitation.answered_at = now
        invitation.answered_by = actor
        invitation.save(update_fields=["attends", "answered_at", "answered_by"])
        items = {item.pk: item for item in meeting.agenda_items.all()}
        vote_detail = {items[item_id].label: choice for item_id, choice in checked_votes.items()}
        record(
            actor=actor,
            action=Action.ASSEMBLY_ANSWER,
            obj=invitation,
            system=SYSTEM,
            detail={
                "meeting_id": meeting.pk,
                "attends": attends,
                "attendees": len(persons),
                "votes": vote_detail,
                "first": first_answer,
            },
        )
        recipients = sorted(
            {user.email for user in users_with_duty(organization_id=organization_id, duty=DUTY) if user.email}
        )
        if recipients:
            labels = dict(VoteChoice.choices)
            queue_mail(
                to=recipients,
                template=ANSWER_MAIL,
                context={
                    "organization": invitation.organization,
                    "meeting": meeting,
                    "attends": attends,
                    "persons": persons,
                    "votes": [(items[item_id], labels[choice]) for item_id, choice in checked_votes.items()],
                    "actor_name": actor.display_name or actor.login_id,
                    "url": settings.SITE_URL + reverse("assembly:detail", args=[meeting.pk]),
                    "site_url": settings.SITE_URL,
                },
            )
    return invitation
