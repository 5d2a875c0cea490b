"""The organization's side of general meetings: the meeting and its agenda, voting rights, and the
convocation (招集通知) by e-mail or on paper (seed 000 2.2 (2), 定款第25条).

- The agenda and the voting rights are fixed once the convocation has gone out: the members
  answer and vote on what it announced. Name, date, venue and deadline may still be corrected.
- Every member still a member is convened. The convocation goes by e-mail only to members that
  consented to the electronic method at joining (MemberProfile.electronic_notice_consent), to their
  administrators and the users holding the 担当業務 総会; every other member is listed for a paper
  notice. Each invitation records how, when and to which addresses it was notified.
- Sending again notifies only the members not notified yet (new members): never a second mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kouiki.assembly.choices import DUTY, NoticeMethod, PaperReason
from kouiki.assembly.models import AgendaItem, Invitation, Meeting
from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import InvalidTransition, NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.identity.access import require_staff
from kouiki.identity.choices import OrganizationStatus
from kouiki.identity.selectors import duty_emails
from kouiki.membership import selectors as membership_selectors

if TYPE_CHECKING:
    from kouiki.identity.models import User

SYSTEM = "member"
MAX_AGENDA_ITEMS = 30
AGENDA_TITLE_LENGTH = 200
CONVOCATION_MAIL = "assembly/mail/convocation"


def _clean_agenda(agenda: Iterable[str]) -> list[str]:
    titles = [title.strip() for title in agenda if title and title.strip()]
    if not titles:
        raise ValidationFailed("議案を1件以上入力してください。", field="agenda")
    if len(titles) > MAX_AGENDA_ITEMS:
        raise ValidationFailed(f"議案は{MAX_AGENDA_ITEMS}件までです。", field="agenda")
    too_long = [number for number, title in enumerate(titles, start=1) if len(title) > AGENDA_TITLE_LENGTH]
    if too_long:
        raise ValidationFailed(
            f"第{too_long[0]}号議案の議案名は{AGENDA_TITLE_LENGTH}文字以内で入力してください。",
            field="agenda",
        )
    return titles


def _check_dates(*, held_at: datetime, answer_deadline: datetime) -> None:
    if answer_deadline > held_at:
        raise ValidationFailed("回答期限は開催日時以前の日時を指定してください。", field="answer_deadline")


def _write_agenda(meeting: Meeting, titles: list[str]) -> None:
    meeting.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, number=number, title=title)
        for number, title in enumerate(titles, start=1)
    )


class MeetingDetails(TypedDict):
    """What staff enter for a meeting, when registering it and when correcting it."""

    name: str
    held_at: datetime
    venue: str
    answer_deadline: datetime
    agenda: Iterable[str]
    notes: NotRequired[str]


def _meeting_fields(details: MeetingDetails) -> dict[str, Any]:
    """The meeting's own fields as stored (the agenda is rows of its own)."""
    return {
        "name": details["name"].strip(),
        "held_at": details["held_at"],
        "venue": details["venue"].strip(),
        "answer_deadline": details["answer_deadline"],
        "notes": details.get("notes", "").strip(),
    }


def create_meeting(*, actor: User, **details: Unpack[MeetingDetails]) -> Meeting:
    """Register a general meeting and its agenda (nothing is sent yet)."""
    require_staff(actor)
    titles = _clean_agenda(details["agenda"])
    held_at = details["held_at"]
    if held_at <= timezone.now():
        raise ValidationFailed("開催日時には将来の日時を指定してください。", field="held_at")
    _check_dates(held_at=held_at, answer_deadline=details["answer_deadline"])
    with transaction.atomic():
        meeting = Meeting.objects.create(**_meeting_fields(details), created_by=actor)
        _write_agenda(meeting, titles)
        record(
            actor=actor,
            action=Action.ASSEMBLY_MEETING_CREATE,
            obj=meeting,
            system=SYSTEM,
            detail={"held_at": held_at.isoformat(), "agenda": titles},
        )
    return meeting


def update_meeting(*, actor: User, meeting: Meeting, **details: Unpack[MeetingDetails]) -> Meeting:
    """Correct a meeting; its agenda only while the convocation has not gone out."""
    require_staff(actor)
    titles = _clean_agenda(details["agenda"])
    held_at = details["held_at"]
    _check_dates(held_at=held_at, answer_deadline=details["answer_deadline"])
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        if locked is None:
            raise NotFound()
        current = list(locked.agenda_items.order_by("number").values_list("title", flat=True))
        agenda_changed = titles != current
        if agenda_changed and locked.convened_at is not None:
            raise ValidationFailed("招集通知の送信後は議案を変更できません。", field="agenda")
        for field, value in _meeting_fields(details).items():
            setattr(locked, field, value)
        locked.updated_at = timezone.now()
        locked.save()
        if agenda_changed:
            _write_agenda(locked, titles)
        record(
            actor=actor,
            action=Action.ASSEMBLY_MEETING_UPDATE,
            obj=locked,
            system=SYSTEM,
            detail={"held_at": held_at.isoformat(), "agenda": titles if agenda_changed else None},
        )
    return locked


def _ensure_invitations(meeting: Meeting) -> None:
    """Convene every member still a member that is not convened yet (without voting rights)."""
    existing = set(Invitation.objects.filter(meeting=meeting).values_list("organization_id", flat=True))
    Invitation.objects.bulk_create(
        [
            Invitation(meeting=meeting, organization_id=member.organization_id)
            for member in membership_selectors.active_members()
            if member.organization_id not in existing
        ],
        ignore_conflicts=True,
    )


def set_voting_rights(*, actor: User, meeting: Meeting, organization_ids: Iterable[int]) -> int:
    """Choose the members with voting rights (the others attend without a vote); the number chosen.

    Only before the convocation: it tells each member whether it votes.
    """
    require_staff(actor)
    chosen = set(organization_ids)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        if locked is None:
            raise NotFound()
        if locked.convened_at is not None:
            raise InvalidTransition("招集通知の送信後は議決権を変更できません。")
        _ensure_invitations(locked)
        invited = set(Invitation.objects.filter(meeting=locked).values_list("organization_id", flat=True))
        if not chosen <= invited:
            raise ValidationFailed("会員でない事業者は選択できません。", field="organizations")
        Invitation.objects.filter(meeting=locked).update(has_voting_rights=False)
        Invitation.objects.filter(meeting=locked, organization_id__in=chosen).update(has_voting_rights=True)
        record(
            actor=actor,
            action=Action.ASSEMBLY_VOTING_RIGHTS,
            obj=locked,
            system=SYSTEM,
            detail={"with_voting_rights": len(chosen), "invited": len(invited)},
        )
    return len(chosen)


@dataclass(frozen=True)
class ConvocationResult:
    """The members notified by this sending: by e-mail, and listed for a paper notice."""

    emailed: list[Invitation]
    paper: list[Invitation]


def send_convocation(*, actor: User, meeting: Meeting) -> ConvocationResult:
    """招集通知: mail the members that consented to the electronic method, list the others for paper.

    定款第25条: e-mail only with the member's consent. The mail goes to the member's administrators
    and 総会 users with an address; a consenting member without any is listed for paper as well.
    """
    require_staff(actor)
    now = timezone.now()
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        if locked is None:
            raise NotFound()
        if now > locked.answer_deadline:
            raise InvalidTransition("回答期限を過ぎた総会の招集通知は送信できません。")
        items = list(locked.agenda_items.order_by("number"))
        if not items:
            raise InvalidTransition("議案が登録されていません。")
        _ensure_invitations(locked)
        pending = list(
            Invitation.objects.select_for_update(of=("self",))
            # A member that left since it was convened (e.g. by the voting rights) is not notified.
            .filter(meeting=locked, notified_at__isnull=True, organization__status=OrganizationStatus.ACTIVE)
            .select_related("organization")
            .order_by("organization__code")
        )
        consents = membership_selectors.electronic_notice_consents([i.organization_id for i in pending])
        addresses = duty_emails(organization_ids=[i.organization_id for i in pending], duty=DUTY)
        url = settings.SITE_URL + reverse("assembly:detail", args=[locked.pk])
        emailed: list[Invitation] = []
        paper: list[Invitation] = []
        for invitation in pending:
            recipients: list[str] = []
            if consents.get(invitation.organization_id):
                recipients = addresses[invitation.organization_id]
            invitation.notified_at = now
            invitation.notified_to = recipients
            if recipients:
                invitation.notice_method = NoticeMethod.EMAIL
                invitation.paper_reason = ""
                queue_mail(
                    to=recipients,
                    template=CONVOCATION_MAIL,
                    context={
                        "organization": invitation.organization,
                        "meeting": locked,
                        "items": items,
                        "has_voting_rights": invitation.has_voting_rights,
                        "url": url,
                        "site_url": settings.SITE_URL,
                    },
                )
                emailed.append(invitation)
            else:
                invitation.notice_method = NoticeMethod.PAPER
                invitation.paper_reason = (
                    PaperReason.NO_RECIPIENT
                    if consents.get(invitation.organization_id)
                    else PaperReason.NO_CONSENT
                )
                paper.append(invitation)
        Invitation.objects.bulk_update(
            pending, ["notified_at", "notified_to", "notice_method", "paper_reason"]
        )
        if locked.convened_at is None:
            locked.convened_at = now
            locked.save(update_fields=["convened_at"])
        record(
            actor=actor,
            action=Action.ASSEMBLY_CONVOCATION_SEND,
            obj=locked,
            system=SYSTEM,
            detail={
                "email": [invitation.organization.code for invitation in emailed],
                "paper": [invitation.organization.code for invitation in paper],
            },
        )
    return ConvocationResult(emailed=emailed, paper=paper)
