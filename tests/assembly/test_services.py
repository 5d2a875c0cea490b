"""General meetings through their services: convocation by e-mail or paper, answers and votes, the tally."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kouiki.assembly import selectors
from kouiki.assembly.choices import NoticeMethod, PaperReason
from kouiki.assembly.models import Invitation, ReceptionTicket, Vote
from kouiki.assembly.services import answers, meetings
from kouiki.assembly.services.answers import AttendeeInput
from kouiki.audit.models import Event
from kouiki.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.outbox import OutboxMessage
from kouiki.core.systems import Role
from kouiki.identity.choices import Duty, OrganizationStatus
from kouiki.identity.models import User
from tests.assembly.helpers import (
    AGENDA,
    PERSON,
    assembly_user,
    attend,
    consenting_member,
    convene,
    make_meeting,
    votes_for,
)
from tests.factories import participant

CONVOCATION = "assembly/mail/convocation"


def test_mem_g1_convocation_mails_only_members_that_consented_the_others_are_listed_for_paper(
    staff: User,
) -> None:
    emailed = consenting_member("a", consent=True)
    duty_user = assembly_user(emailed, email="sokai@a.example.jp")
    participant(
        organization=emailed.organization, login_id="fee001", email="fee@a.example.jp", duties=["fees"]
    )
    paper = consenting_member("b", consent=False)
    assembly_user(paper, email="sokai@b.example.jp")
    meeting = make_meeting(staff)

    result = convene(staff, meeting, voting=[emailed])

    assert [i.organization_id for i in result.emailed] == [emailed.organization_id]
    assert [i.organization_id for i in result.paper] == [paper.organization_id]
    mails = list(OutboxMessage.objects.filter(template=CONVOCATION))
    assert len(mails) == 1
    # The administrator and the 総会 user, not the user of another duty; nothing to the other member.
    assert sorted(mails[0].to) == sorted(["adm-a@example.jp", duty_user.email])
    assert meeting.name in mails[0].subject
    assert "議決権：あり" in mails[0].body
    assert AGENDA[0] in mails[0].body

    by_member = {i.organization_id: i for i in Invitation.objects.filter(meeting=meeting)}
    notified = by_member[emailed.organization_id]
    assert notified.notice_method == NoticeMethod.EMAIL
    assert notified.notified_at is not None
    assert sorted(notified.notified_to) == sorted(mails[0].to)
    listed = by_member[paper.organization_id]
    assert (listed.notice_method, listed.paper_reason, listed.notified_to) == (
        NoticeMethod.PAPER,
        PaperReason.NO_CONSENT,
        [],
    )
    assert listed.notified_at is not None
    assert [notice.invitation.pk for notice in selectors.paper_notices(actor=staff, meeting=meeting)] == [
        listed.pk
    ]
    event = Event.objects.get(action="assembly.convocation_send")
    assert event.detail == {"email": [emailed.organization.code], "paper": [paper.organization.code]}


def test_a_consenting_member_without_any_address_is_listed_for_paper(staff: User) -> None:
    profile = consenting_member("a", consent=True)
    User.objects.filter(organization=profile.organization).update(email="")
    meeting = make_meeting(staff)

    result = convene(staff, meeting)

    assert result.emailed == []
    assert result.paper[0].paper_reason == PaperReason.NO_RECIPIENT
    assert not OutboxMessage.objects.filter(template=CONVOCATION).exists()


def test_sending_again_notifies_only_new_members_and_never_twice(staff: User) -> None:
    first = consenting_member("a")
    withdrawn = consenting_member("w")
    withdrawn.organization.status = OrganizationStatus.WITHDRAWN
    withdrawn.organization.save()
    meeting = make_meeting(staff)
    convene(staff, meeting)
    assert OutboxMessage.objects.filter(template=CONVOCATION).count() == 1
    assert not Invitation.objects.filter(organization=withdrawn.organization).exists()

    newcomer = consenting_member("n")
    again = meetings.send_convocation(actor=staff, meeting=meeting)

    assert [i.organization_id for i in again.emailed] == [newcomer.organization_id]
    assert OutboxMessage.objects.filter(template=CONVOCATION).count() == 2
    assert Invitation.objects.get(meeting=meeting, organization=first.organization).notified_at is not None


def test_a_member_that_left_before_the_convocation_is_not_notified(staff: User) -> None:
    leaving = consenting_member("l")
    meeting = make_meeting(staff)
    meetings.set_voting_rights(actor=staff, meeting=meeting, organization_ids=[leaving.organization_id])
    leaving.organization.status = OrganizationStatus.WITHDRAWN
    leaving.organization.save()

    result = meetings.send_convocation(actor=staff, meeting=meeting)

    assert (result.emailed, result.paper) == ([], [])
    assert Invitation.objects.get(meeting=meeting).notified_at is None


def test_agenda_and_voting_rights_are_fixed_once_convened(staff: User) -> None:
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[profile])

    with pytest.raises(InvalidTransition):
        meetings.set_voting_rights(actor=staff, meeting=meeting, organization_ids=[])
    with pytest.raises(ValidationFailed) as error:
        meetings.update_meeting(
            actor=staff,
            meeting=meeting,
            name=meeting.name,
            held_at=meeting.held_at,
            venue="別会場",
            answer_deadline=meeting.answer_deadline,
            agenda=[*AGENDA, "追加の議案"],
        )
    assert "agenda" in error.value.errors
    # What the convocation did not fix may still be corrected.
    meetings.update_meeting(
        actor=staff,
        meeting=meeting,
        name=meeting.name,
        held_at=meeting.held_at,
        venue="別会場",
        answer_deadline=meeting.answer_deadline,
        agenda=AGENDA,
    )
    meeting.refresh_from_db()
    assert meeting.venue == "別会場"


def test_a_meeting_needs_an_agenda_and_a_deadline_before_it(staff: User) -> None:
    held_at = timezone.now() + timedelta(days=10)
    with pytest.raises(ValidationFailed) as error:
        meetings.create_meeting(
            actor=staff, name="総会", held_at=held_at, venue="会場", answer_deadline=held_at, agenda=[" ", ""]
        )
    assert "agenda" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        meetings.create_meeting(
            actor=staff,
            name="総会",
            held_at=held_at,
            venue="会場",
            answer_deadline=held_at + timedelta(hours=1),
            agenda=AGENDA,
        )
    assert "answer_deadline" in error.value.errors


def test_only_staff_manage_meetings(staff: User) -> None:
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    with pytest.raises(Forbidden):
        meetings.send_convocation(actor=profile.administrator1, meeting=meeting)  # type: ignore[arg-type]


# --- MEM-G2 answers -------------------------------------------------------------------------------------


def test_mem_g2_a_member_with_voting_rights_answers_attendance_persons_and_votes(staff: User) -> None:
    profile = consenting_member("a")
    user = assembly_user(profile)
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[profile])

    invitation = attend(user, meeting, votes=votes_for(meeting, "for", "abstain"))

    assert invitation.attends is True
    assert invitation.answered_by == user
    person = invitation.attendees.get()
    assert (person.name, person.department_title) == (PERSON.name, PERSON.department_title)
    assert person.ticket.meeting == meeting and len(person.ticket.token) == 24
    assert sorted(Vote.objects.filter(invitation=invitation).values_list("choice", flat=True)) == [
        "abstain",
        "for",
    ]
    event = Event.objects.get(action="assembly.answer")
    assert event.detail["votes"] == {"第1号議案": "for", "第2号議案": "abstain"}
    assert event.actor_id == user.pk
    mail = OutboxMessage.objects.get(template="assembly/mail/answer_received")
    assert "第1号議案" in mail.body and "賛成" in mail.body and PERSON.name in mail.body


def test_mem_g2_a_member_with_voting_rights_must_vote_on_every_item(staff: User) -> None:
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[profile])
    first = meeting.agenda_items.order_by("number").first()
    assert first is not None

    with pytest.raises(ValidationFailed) as error:
        attend(profile.administrator1, meeting, votes={first.pk: "for"})  # type: ignore[arg-type]
    assert set(error.value.errors) == {f"vote_{meeting.agenda_items.get(number=2).pk}"}
    assert not Vote.objects.exists()


def test_mem_g2_a_member_without_voting_rights_cannot_vote(staff: User) -> None:
    voter = consenting_member("a")
    profile = consenting_member("b")
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[voter])

    with pytest.raises(Forbidden):
        attend(profile.administrator1, meeting, votes=votes_for(meeting, "for", "for"))  # type: ignore[arg-type]
    assert not Vote.objects.exists()
    # Attending without a vote is its answer.
    invitation = attend(profile.administrator1, meeting)  # type: ignore[arg-type]
    assert invitation.attends is True and not invitation.votes.exists()


def test_mem_g2_a_vote_after_the_deadline_is_refused(staff: User) -> None:
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[profile])
    attend(profile.administrator1, meeting, votes=votes_for(meeting, "for", "for"))  # type: ignore[arg-type]

    late = time_machine.travel(meeting.answer_deadline + timedelta(minutes=1))
    with late, pytest.raises(InvalidTransition, match="回答期限"):
        answers.answer_meeting(
            actor=profile.administrator1,  # type: ignore[arg-type]
            meeting_id=meeting.pk,
            attends=False,
            votes=votes_for(meeting, "against", "against"),
        )
    assert set(Vote.objects.values_list("choice", flat=True)) == {"for"}
    # At the deadline itself the answer is still taken.
    with time_machine.travel(meeting.answer_deadline, tick=False):
        answers.answer_meeting(
            actor=profile.administrator1,  # type: ignore[arg-type]
            meeting_id=meeting.pk,
            attends=False,
            votes=votes_for(meeting, "against", "against"),
        )
    assert set(Vote.objects.values_list("choice", flat=True)) == {"against"}


def test_changing_persons_keeps_their_tickets_and_removing_one_voids_its_ticket(staff: User) -> None:
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    convene(staff, meeting)
    second = AttendeeInput(name="広域　花子", department_title="企画部　課長")
    invitation = attend(profile.administrator1, meeting, PERSON, second)  # type: ignore[arg-type]
    first_person, second_person = invitation.attendees.order_by("position")
    tokens = {first_person.pk: first_person.ticket.token, second_person.pk: second_person.ticket.token}

    attend(
        profile.administrator1,  # type: ignore[arg-type]
        meeting,
        AttendeeInput(id=first_person.pk, name="広域　太郎", department_title="総務部　本部長"),
    )

    kept = invitation.attendees.get()
    assert kept.pk == first_person.pk and kept.department_title == "総務部　本部長"
    assert kept.ticket.token == tokens[first_person.pk]
    assert not ReceptionTicket.objects.filter(token=tokens[second_person.pk]).exists()

    answers.answer_meeting(actor=profile.administrator1, meeting_id=meeting.pk, attends=False)  # type: ignore[arg-type]
    assert not ReceptionTicket.objects.exists()


def test_one_person_named_twice_is_refused_and_nothing_changes(staff: User) -> None:
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    convene(staff, meeting)
    person = attend(profile.administrator1, meeting).attendees.get()  # type: ignore[arg-type]

    with pytest.raises(ValidationFailed, match="画面を開き直して"):
        attend(
            profile.administrator1,  # type: ignore[arg-type]
            meeting,
            AttendeeInput(id=person.pk, name="広域　太郎", department_title="総務部　部長"),
            AttendeeInput(id=person.pk, name="別人　次郎", department_title="企画部"),
        )
    person.refresh_from_db()
    assert person.name == PERSON.name


def test_a_checked_in_person_keeps_the_name_the_ticket_was_checked_in_under(staff: User) -> None:
    from kouiki.assembly.services import tickets
    from kouiki.assembly.services.checkin import check_in

    profile = consenting_member("a")
    meeting = make_meeting(staff)
    convene(staff, meeting)
    person = attend(profile.administrator1, meeting).attendees.get()  # type: ignore[arg-type]
    check_in(actor=staff, meeting=meeting, code=tickets.ticket_code(person.ticket.token))

    with pytest.raises(ValidationFailed, match="受付済みの出席者"):
        attend(
            profile.administrator1,  # type: ignore[arg-type]
            meeting,
            AttendeeInput(id=person.pk, name="別人　次郎", department_title=PERSON.department_title),
        )
    person.refresh_from_db()
    assert person.name == PERSON.name
    # The same person, unchanged, can still be part of a corrected answer.
    attend(
        profile.administrator1,  # type: ignore[arg-type]
        meeting,
        AttendeeInput(id=person.pk, name=PERSON.name, department_title=PERSON.department_title),
    )


def test_a_person_of_another_member_cannot_be_named(staff: User) -> None:
    mine = consenting_member("a")
    other = consenting_member("b")
    meeting = make_meeting(staff)
    convene(staff, meeting)
    theirs = attend(other.administrator1, meeting).attendees.get()  # type: ignore[arg-type]

    with pytest.raises(ValidationFailed):
        attend(
            mine.administrator1,  # type: ignore[arg-type]
            meeting,
            AttendeeInput(id=theirs.pk, name="乗っ取り　太郎", department_title="総務部"),
        )
    theirs.refresh_from_db()
    assert theirs.name == PERSON.name


def test_answers_need_the_assembly_duty_and_a_convocation(staff: User) -> None:
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    other_duty = participant(organization=profile.organization, role=Role.USER, duties=[Duty.FEES.value])

    with pytest.raises(NotFound):  # not convened yet: the member does not know the meeting
        attend(profile.administrator1, meeting)  # type: ignore[arg-type]
    convene(staff, meeting)
    with pytest.raises(Forbidden):
        attend(other_duty, meeting)


# --- the tally -------------------------------------------------------------------------------------------


def test_the_tally_counts_the_members_with_voting_rights_only(staff: User) -> None:
    voters = [consenting_member(tag) for tag in "abcd"]
    observer = consenting_member("x")
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=voters)
    a, b, c, _d = voters
    attend(a.administrator1, meeting, votes=votes_for(meeting, "for", "against"))  # type: ignore[arg-type]
    attend(b.administrator1, meeting, votes=votes_for(meeting, "for", "abstain"))  # type: ignore[arg-type]
    attend(c.administrator1, meeting, votes=votes_for(meeting, "against", "for"))  # type: ignore[arg-type]
    # c changes its mind on item 1 before the deadline: one vote, the last one.
    attend(c.administrator1, meeting, votes=votes_for(meeting, "abstain", "for"))  # type: ignore[arg-type]
    attend(observer.administrator1, meeting)  # type: ignore[arg-type]

    tally = selectors.tally(actor=staff, meeting=meeting)

    assert [(row.item.number, row.counts) for row in tally] == [
        (1, {"賛成": 2, "反対": 0, "棄権": 1, "未回答": 1}),
        (2, {"賛成": 1, "反対": 1, "棄権": 1, "未回答": 1}),
    ]
    assert all(row.total == 4 for row in tally)

    header, rows = selectors.tally_table(actor=staff, meeting=meeting)
    assert header == ["議案番号", "議案名", "賛成", "反対", "棄権", "未回答", "議決権のある会員数"]
    assert rows[0] == ["第1号議案", AGENDA[0], 2, 0, 1, 1, 4]

    header, rows = selectors.results_table(actor=staff, meeting=meeting)
    by_code = {row[0]: row for row in rows}
    assert by_code[a.organization.code][-2:] == ["賛成", "反対"]
    assert by_code[_d.organization.code][5] == "未回答"
    assert by_code[_d.organization.code][-2:] == ["未回答", "未回答"]
    assert by_code[observer.organization.code][2] == "なし"
    assert by_code[observer.organization.code][-2:] == ["―", "―"]
