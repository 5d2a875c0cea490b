"""Reads of general meetings (MEM-G1..G4), scoped to the actor.

A member sees the meetings it was convened to (once the convocation went out), and only its own
answer, persons and tickets; anything else is NotFound. The organization's staff see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kouiki.assembly.choices import UNANSWERED, NoticeMethod, VoteChoice
from kouiki.assembly.models import AgendaItem, Attendee, Invitation, Meeting, ReceptionTicket, Vote
from kouiki.core.errors import NotFound
from kouiki.identity.access import function, organization_of, participant_organization, require_staff
from kouiki.membership import selectors as membership_selectors

if TYPE_CHECKING:
    from kouiki.identity.models import User

RECENT_ARRIVALS = 10


# --- members (MEM-G1..G3) ---------------------------------------------------------------------------


@function("MEM-G1")
def invitations_for(*, actor: User) -> QuerySet[Invitation]:
    """MEM-G1: the meetings notified to the actor's organization, the latest meeting first."""
    organization_id = organization_of(actor)
    return (
        Invitation.objects.filter(organization_id=organization_id, notified_at__isnull=False)
        .select_related("meeting")
        .order_by("-meeting__held_at", "-meeting_id")
    )


def invitation_for(*, actor: User, meeting_id: int, function_id: str = "MEM-G2") -> Invitation:
    """The actor's organization's invitation to one meeting, with the agenda, persons and votes."""
    organization_id = participant_organization(actor, function_id)
    invitation = (
        Invitation.objects.filter(
            organization_id=organization_id, meeting_id=meeting_id, notified_at__isnull=False
        )
        .select_related("meeting", "organization", "answered_by")
        .prefetch_related(
            Prefetch("meeting__agenda_items", queryset=AgendaItem.objects.order_by("number")),
            Prefetch(
                "attendees", queryset=Attendee.objects.select_related("ticket").order_by("position", "id")
            ),
            Prefetch("votes", queryset=Vote.objects.select_related("agenda_item")),
        )
        .first()
    )
    if invitation is None:
        raise NotFound()
    return invitation


@function("MEM-G3")
def ticket_for(*, actor: User, meeting_id: int, attendee_id: int) -> ReceptionTicket:
    """MEM-G3: the reception ticket of one of the actor's organization's persons."""
    organization_id = organization_of(actor)
    ticket = (
        ReceptionTicket.objects.filter(
            meeting_id=meeting_id,
            attendee_id=attendee_id,
            attendee__invitation__organization_id=organization_id,
            attendee__invitation__notified_at__isnull=False,
            attendee__invitation__attends=True,
        )
        .select_related("meeting", "attendee__invitation__organization")
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def votes_by_item(invitation: Invitation) -> dict[int, str]:
    """The invitation's votes by agenda item id (from its prefetched votes)."""
    return {vote.agenda_item_id: vote.choice for vote in invitation.votes.all()}


# --- the back office --------------------------------------------------------------------------------


def meetings(*, actor: User) -> QuerySet[Meeting]:
    """Every meeting, the latest first, with its counts for the list."""
    require_staff(actor)
    return Meeting.objects.annotate(
        invited=Count("invitations", distinct=True),
        notified=Count("invitations", filter=Q(invitations__notified_at__isnull=False), distinct=True),
        answered=Count("invitations", filter=Q(invitations__attends__isnull=False), distinct=True),
    ).order_by("-held_at", "-id")


def meeting(*, actor: User, pk: int) -> Meeting:
    require_staff(actor)
    found = Meeting.objects.prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("number"))
    ).filter(pk=pk)
    result = found.first()
    if result is None:
        raise NotFound()
    return result


def invitations(*, actor: User, meeting: Meeting) -> QuerySet[Invitation]:
    """Every member convened to a meeting, by 事業者コード, with persons and votes."""
    require_staff(actor)
    return (
        Invitation.objects.filter(meeting=meeting)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "attendees", queryset=Attendee.objects.select_related("ticket").order_by("position", "id")
            ),
            "votes",
        )
        .order_by("organization__code")
    )


@dataclass(frozen=True)
class ConvocationSummary:
    invited: int
    voting: int
    email: int
    paper: int
    pending: int


def convocation_summary(*, actor: User, meeting: Meeting) -> ConvocationSummary:
    require_staff(actor)
    counts = Invitation.objects.filter(meeting=meeting).aggregate(
        invited=Count("id"),
        voting=Count("id", filter=Q(has_voting_rights=True)),
        email=Count("id", filter=Q(notice_method=NoticeMethod.EMAIL)),
        paper=Count("id", filter=Q(notice_method=NoticeMethod.PAPER)),
        pending=Count("id", filter=Q(notified_at__isnull=True)),
    )
    return ConvocationSummary(**counts)


@dataclass(frozen=True)
class MemberChoice:
    organization_id: int
    code: str
    name: str
    electronic_notice_consent: bool
    has_voting_rights: bool


def voting_rights_choices(*, actor: User, meeting: Meeting) -> list[MemberChoice]:
    """Every member still a member, and the ones already convened, with their voting rights."""
    require_staff(actor)
    rights = dict(
        Invitation.objects.filter(meeting=meeting).values_list("organization_id", "has_voting_rights")
    )
    return [
        MemberChoice(
            organization_id=member.organization_id,
            code=member.code,
            name=member.name,
            electronic_notice_consent=member.electronic_notice_consent,
            has_voting_rights=rights.get(member.organization_id, False),
        )
        for member in membership_selectors.active_members()
    ]


@dataclass(frozen=True)
class PaperNotice:
    """A member to whom the convocation goes on paper, with where to post it."""

    invitation: Invitation
    postal_code: str
    address: str
    representative: str


def paper_notices(*, actor: User, meeting: Meeting) -> list[PaperNotice]:
    """The members listed for a paper convocation, with the address of their member information."""
    require_staff(actor)
    listed = list(
        Invitation.objects.filter(meeting=meeting, notice_method=NoticeMethod.PAPER)
        .select_related("organization")
        .order_by("organization__code")
    )
    profiles = {
        profile.organization_id: profile
        for profile in membership_selectors.members(actor=actor).filter(
            organization_id__in=[invitation.organization_id for invitation in listed]
        )
    }
    notices = []
    for invitation in listed:
        profile = profiles.get(invitation.organization_id)
        notices.append(
            PaperNotice(
                invitation=invitation,
                postal_code=profile.postal_code if profile else "",
                address=f"{profile.address1}{profile.address2 or ''}" if profile else "",
                representative=(
                    f"{profile.representative_title} {profile.representative_name}".strip() if profile else ""
                ),
            )
        )
    return notices


@dataclass(frozen=True)
class TallyRow:
    """集計: the votes of the members with voting rights on one agenda item."""

    item: AgendaItem
    counts: dict[str, int]  # 賛成, 反対, 棄権, 未回答 (by label)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def tally(*, actor: User, meeting: Meeting) -> list[TallyRow]:
    """Per agenda item: 賛成 / 反対 / 棄権 / 未回答 among the members with voting rights only."""
    require_staff(actor)
    voters = Invitation.objects.filter(meeting=meeting, has_voting_rights=True).count()
    counted: dict[tuple[int, str], int] = {
        (row["agenda_item_id"], row["choice"]): row["n"]
        for row in Vote.objects.filter(agenda_item__meeting=meeting, invitation__has_voting_rights=True)
        .values("agenda_item_id", "choice")
        .annotate(n=Count("id"))
    }
    rows = []
    for item in meeting.agenda_items.all():
        counts = {str(choice.label): counted.get((item.pk, choice.value), 0) for choice in VoteChoice}
        counts[UNANSWERED] = voters - sum(counts.values())
        rows.append(TallyRow(item=item, counts=counts))
    return rows


@dataclass(frozen=True)
class MemberArrivals:
    code: str
    name: str
    registered: int
    arrived: int


@dataclass(frozen=True)
class Arrivals:
    """The venue's live count: arrivals per member and in total."""

    members: list[MemberArrivals]
    registered: int
    arrived: int
    recent: list[ReceptionTicket]


def arrivals(*, actor: User, meeting: Meeting) -> Arrivals:
    require_staff(actor)
    rows = (
        ReceptionTicket.objects.filter(meeting=meeting)
        .values("attendee__invitation__organization__code", "attendee__invitation__organization__name")
        .annotate(registered=Count("id"), arrived=Count("id", filter=Q(checked_in_at__isnull=False)))
        .order_by("attendee__invitation__organization__code")
    )
    members = [
        MemberArrivals(
            code=row["attendee__invitation__organization__code"],
            name=row["attendee__invitation__organization__name"],
            registered=row["registered"],
            arrived=row["arrived"],
        )
        for row in rows
    ]
    recent = list(
        ReceptionTicket.objects.filter(meeting=meeting, checked_in_at__isnull=False)
        .select_related("attendee__invitation__organization")
        .order_by("-checked_in_at", "-id")[:RECENT_ARRIVALS]
    )
    return Arrivals(
        members=members,
        registered=sum(member.registered for member in members),
        arrived=sum(member.arrived for member in members),
        recent=recent,
    )


# --- results (CSV) ----------------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y/%m/%d %H:%M") if value else ""


def results_table(*, actor: User, meeting: Meeting) -> tuple[list[str], list[list[Any]]]:
    """One row per member convened: notice, answer, persons and the vote on every agenda item."""
    items = list(meeting.agenda_items.all())
    header = [
        "事業者コード",
        "会員名",
        "議決権",
        "通知方法",
        "通知日時",
        "出欠",
        "出席者数",
        "受付済み人数",
        "回答日時",
        *[f"{item.label} {item.title}" for item in items],
    ]
    rows: list[list[Any]] = []
    for invitation in invitations(actor=actor, meeting=meeting):
        votes = votes_by_item(invitation)
        persons = list(invitation.attendees.all())
        arrived = sum(1 for person in persons if person.ticket.checked_in_at is not None)
        rows.append(
            [
                invitation.organization.code,
                invitation.organization.name,
                "あり" if invitation.has_voting_rights else "なし",
                invitation.get_notice_method_display() if invitation.notice_method else "未通知",
                _when(invitation.notified_at),
                invitation.attendance_label,
                len(persons),
                arrived,
                _when(invitation.answered_at),
                *[_vote_cell(invitation, votes.get(item.pk)) for item in items],
            ]
        )
    return header, rows


def _vote_cell(invitation: Invitation, choice: str | None) -> str:
    if not invitation.has_voting_rights:
        return "―"
    return str(VoteChoice(choice).label) if choice else UNANSWERED


def tally_table(*, actor: User, meeting: Meeting) -> tuple[list[str], list[list[Any]]]:
    labels = [str(choice.label) for choice in VoteChoice] + [UNANSWERED]
    header = ["議案番号", "議案名", *labels, "議決権のある会員数"]
    rows: list[list[Any]] = [
        [row.item.label, row.item.title, *[row.counts[label] for label in labels], row.total]
        for row in tally(actor=actor, meeting=meeting)
    ]
    return header, rows
