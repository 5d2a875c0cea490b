"""General meetings for tests: members with or without consent, meetings made and convened through the
services, answers given through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kouiki.assembly.models import Meeting
from kouiki.assembly.services import answers, meetings
from kouiki.assembly.services.answers import AttendeeInput
from kouiki.core.systems import Role
from kouiki.identity.choices import Duty
from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from tests.factories import participant
from tests.membership.factories import ADMIN1_INPUT, member

AGENDA = ["2025年度事業報告の承認の件", "2026年度事業計画の承認の件"]
PERSON = AttendeeInput(name="広域　太郎", department_title="総務部　部長", email="taro@example.co.jp")


def consenting_member(tag: str, *, consent: bool = True, **company: Any) -> MemberProfile:
    """A member (administrator ① adm-<tag>@example.jp) that did or did not consent to convocations by
    e-mail."""
    profile = member(admin2=False, admin1_input={**ADMIN1_INPUT, "email": f"adm-{tag}@example.jp"}, **company)
    profile.electronic_notice_consent = consent
    profile.save()
    return profile


def assembly_user(profile: MemberProfile, login_id: str = "sok001", **kwargs: Any) -> User:
    """A (non-administrator) user of the member holding the 担当業務 総会."""
    return participant(
        organization=profile.organization,
        role=Role.USER,
        login_id=login_id,
        duties=[Duty.ASSEMBLY.value],
        **kwargs,
    )


def make_meeting(
    staff: User, *, days: int = 30, deadline_days: int = 7, name: str = "第20回 通常総会"
) -> Meeting:
    held_at = timezone.localtime() + timedelta(days=days)
    return meetings.create_meeting(
        actor=staff,
        name=name,
        held_at=held_at,
        venue="本部 大会議室",
        answer_deadline=held_at - timedelta(days=deadline_days),
        agenda=AGENDA,
    )


def convene(
    staff: User, meeting: Meeting, *, voting: list[MemberProfile] | None = None
) -> meetings.ConvocationResult:
    meetings.set_voting_rights(
        actor=staff, meeting=meeting, organization_ids=[profile.organization_id for profile in voting or []]
    )
    return meetings.send_convocation(actor=staff, meeting=meeting)


def votes_for(meeting: Meeting, *choices: str) -> dict[int, str]:
    return {
        item.pk: choice for item, choice in zip(meeting.agenda_items.order_by("number"), choices, strict=True)
    }


def attend(
    actor: User, meeting: Meeting, *persons: AttendeeInput, votes: dict[int, str] | None = None
) -> Any:
    return answers.answer_meeting(
        actor=actor, meeting_id=meeting.pk, attends=True, attendees=list(persons or [PERSON]), votes=votes
    )
