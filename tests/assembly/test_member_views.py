"""Member screens: MEM-G1 総会情報の一覧表示, MEM-G2 出欠・議決権の回答, MEM-G3 受付票 — for users with the
担当業務 総会 and administrators; another member's answer or ticket is a 404."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kouiki.assembly.models import Invitation, Meeting, Vote
from kouiki.assembly.services import meetings, tickets
from kouiki.audit.models import Event
from kouiki.core import catalog
from kouiki.core.systems import Role
from kouiki.identity.choices import Duty
from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from tests.assembly.helpers import (
    PERSON,
    assembly_user,
    attend,
    consenting_member,
    convene,
    make_meeting,
    votes_for,
)
from tests.factories import participant

LIST = "/member/assembly/"


def html(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def profile(db: None) -> MemberProfile:
    return consenting_member("a")


@pytest.fixture
def user(profile: MemberProfile) -> User:
    return assembly_user(profile)


@pytest.fixture
def meeting(staff: User, profile: MemberProfile) -> Meeting:
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[profile])
    return meeting


def answer_data(meeting: Meeting, attendance: str = "attend", **extra: str) -> dict[str, str]:
    data = {"attendance": attendance}
    if attendance == "attend":
        data.update({"person1-name": "広域 次郎", "person1-department_title": "総務部 部長"})
    for item, choice in zip(meeting.agenda_items.order_by("number"), ["for", "against"], strict=True):
        data[f"vote_{item.pk}"] = choice
    data.update(extra)
    return data


def test_urls_are_named_and_the_catalog_points_at_them() -> None:
    assert reverse("assembly:list") == LIST
    assert reverse("assembly:detail", args=[3]) == "/member/assembly/3/"
    assert reverse("assembly:answer", args=[3]) == "/member/assembly/3/answer/"
    assert reverse("assembly:ticket", args=[3, 7]) == "/member/assembly/3/tickets/7/"
    assert reverse("assembly:ticket_pdf", args=[3, 7]) == "/member/assembly/3/tickets/7/ticket.pdf"
    for function_id in ("MEM-G1", "MEM-G2", "MEM-G3"):
        assert catalog.urls(catalog.get(function_id)) == [LIST]
    assert catalog.urls(catalog.get("MEM-G4")) == ["/backoffice/assembly/"]


def test_mem_g1_lists_the_meetings_notified_with_answer_state_and_deadline(
    client: Client, staff: User, user: User, meeting: Meeting
) -> None:
    not_convened = make_meeting(staff, name="未通知の臨時総会")
    client.force_login(user)

    page = html(client.get(LIST))

    assert meeting.name in page and not_convened.name not in page
    assert "未回答" in page
    assert f"{timezone.localtime(meeting.answer_deadline):%Y/%m/%d %H:%M}" in page
    attend(user, meeting, votes=votes_for(meeting, "for", "for"))
    assert "回答済（出席）" in html(client.get(LIST))


def test_mem_g1_the_list_costs_the_same_queries_for_one_or_many_meetings(
    client: Client,
    staff: User,
    user: User,
    profile: MemberProfile,
    meeting: Meeting,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(user)
    client.get(LIST)  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(12) as one:
        client.get(LIST)
    baseline = len(one.captured_queries)  # now: the connection's query log is a bounded window
    for number in range(5):
        convene(staff, make_meeting(staff, name=f"臨時総会{number}"), voting=[profile])
    client.get(LIST)  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(baseline):
        page = html(client.get(LIST))
    assert "臨時総会4" in page


@pytest.mark.parametrize(
    "path", ["", "{pk}/", "{pk}/answer/", "{pk}/tickets/{person}/", "{pk}/tickets/{person}/ticket.pdf"]
)
def test_a_user_without_the_assembly_duty_gets_403_an_administrator_does_not(
    client: Client, profile: MemberProfile, meeting: Meeting, path: str
) -> None:
    person = attend(profile.administrator1, meeting, votes=votes_for(meeting, "for", "for")).attendees.get()  # type: ignore[arg-type]
    url = LIST + path.format(pk=meeting.pk, person=person.pk)
    fees_user = participant(organization=profile.organization, role=Role.USER, duties=[Duty.FEES.value])

    client.force_login(fees_user)
    assert client.get(url).status_code == 403

    client.force_login(profile.administrator1)  # type: ignore[arg-type]
    assert client.get(url).status_code == 200


def test_another_members_answer_and_tickets_are_404(client: Client, staff: User, meeting: Meeting) -> None:
    other = consenting_member("b")
    meetings.send_convocation(actor=staff, meeting=meeting)  # convenes the new member
    theirs = attend(other.administrator1, meeting).attendees.get()  # type: ignore[arg-type]
    outsider = consenting_member("c")  # joined later: convened to the next meeting only
    later = make_meeting(staff, name="臨時総会")
    convene(staff, later)
    client.force_login(assembly_user(outsider, login_id="sok009"))

    assert client.get(f"{LIST}{later.pk}/").status_code == 200
    assert client.get(f"{LIST}{meeting.pk}/").status_code == 404
    assert client.get(f"{LIST}{meeting.pk}/answer/").status_code == 404
    assert client.get(f"{LIST}{meeting.pk}/tickets/{theirs.pk}/").status_code == 404
    assert client.get(f"{LIST}{later.pk}/tickets/{theirs.pk}/").status_code == 404
    # Another member's person through one's own meeting: still 404.
    mine = attend(outsider.administrator1, later).attendees.get()  # type: ignore[arg-type]
    assert client.get(f"{LIST}{later.pk}/tickets/{mine.pk}/").status_code == 200
    assert client.get(f"{LIST}{later.pk}/tickets/{theirs.pk}/ticket.pdf").status_code == 404


def test_mem_g2_answering_through_the_screen(client: Client, user: User, meeting: Meeting) -> None:
    client.force_login(user)
    page = html(client.get(f"{LIST}{meeting.pk}/answer/"))
    assert "議決権の行使" in page and "第2号議案" in page

    response = client.post(f"{LIST}{meeting.pk}/answer/", answer_data(meeting))

    assert response.status_code == 302 and response["Location"] == f"{LIST}{meeting.pk}/"
    invitation = Invitation.objects.get(meeting=meeting, organization=user.organization)
    assert invitation.attends is True
    person = invitation.attendees.get()
    # Names are stored full width, as everywhere in the member system.
    assert (person.name, person.department_title) == ("広域　次郎", "総務部　部長")
    detail = html(client.get(f"{LIST}{meeting.pk}/"))
    assert "広域　次郎" in detail and "受付票を表示" in detail and "反対" in detail
    assert Event.objects.filter(action="assembly.answer", actor_id=user.pk).exists()


def test_mem_g2_the_screen_shows_what_is_missing(client: Client, user: User, meeting: Meeting) -> None:
    client.force_login(user)
    data = answer_data(meeting)
    del data[f"vote_{meeting.agenda_items.get(number=2).pk}"]
    data["person1-name"] = ""
    response = client.post(f"{LIST}{meeting.pk}/answer/", data)
    page = html(response)
    assert response.status_code == 200
    assert "第2号議案の賛否を選択してください。" in page
    assert "氏名を入力してください。" in page
    assert not Vote.objects.exists()


def test_mem_g2_a_member_without_voting_rights_gets_no_vote_fields_and_posted_votes_are_not_kept(
    client: Client, staff: User, meeting: Meeting
) -> None:
    observer = consenting_member("b")
    meetings.send_convocation(actor=staff, meeting=meeting)  # convened without voting rights
    client.force_login(observer.administrator1)  # type: ignore[arg-type]
    assert "議決権の行使" not in html(client.get(f"{LIST}{meeting.pk}/answer/"))

    response = client.post(f"{LIST}{meeting.pk}/answer/", answer_data(meeting))

    assert response.status_code == 302
    assert not Vote.objects.exists()


def test_mem_g2_after_the_deadline_the_answer_is_read_only(
    client: Client, user: User, meeting: Meeting
) -> None:
    attend(user, meeting, votes=votes_for(meeting, "for", "for"))
    with time_machine.travel(meeting.answer_deadline + timedelta(seconds=1)):
        client.force_login(user)  # a session of three weeks ago would have expired
        detail = html(client.get(f"{LIST}{meeting.pk}/"))
        assert "回答期限を過ぎたため、回答は変更できません。" in detail
        assert "回答を変更する" not in detail
        assert client.get(f"{LIST}{meeting.pk}/answer/")["Location"] == f"{LIST}{meeting.pk}/"
        response = client.post(f"{LIST}{meeting.pk}/answer/", answer_data(meeting, "absent"))
        assert response.status_code == 302
    invitation = Invitation.objects.get(meeting=meeting, organization=user.organization)
    assert invitation.attends is True
    assert set(Vote.objects.values_list("choice", flat=True)) == {"for"}


def test_mem_g3_the_ticket_page_and_pdf(client: Client, user: User, meeting: Meeting) -> None:
    person = attend(user, meeting, votes=votes_for(meeting, "for", "for")).attendees.get()
    client.force_login(user)

    page = html(client.get(f"{LIST}{meeting.pk}/tickets/{person.pk}/"))
    assert PERSON.name in page and meeting.name in page and user.organization.name in page  # type: ignore[union-attr]
    assert 'src="data:image/png;base64,' in page
    assert tickets.ticket_code(person.ticket.token) in page

    response = client.get(f"{LIST}{meeting.pk}/tickets/{person.pk}/ticket.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "受付票" in text and meeting.name in text and PERSON.name in text
    assert response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
