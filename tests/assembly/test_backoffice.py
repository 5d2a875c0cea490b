"""Back office of general meetings: register, voting rights, convocation, answers and CSV, and the venue's
check-in page (MEM-G4) with its live count."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kouiki.assembly.models import Invitation, Meeting, ReceptionTicket
from kouiki.assembly.services import meetings, tickets
from kouiki.assembly.services.answers import AttendeeInput
from kouiki.core.outbox import OutboxMessage
from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from tests.access import sent_to_login
from tests.assembly.helpers import AGENDA, PERSON, attend, consenting_member, convene, make_meeting, votes_for

BASE = "/backoffice/assembly/"


def html(response: Any) -> str:
    return str(response.content.decode())


def read_csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def members(db: None) -> list[MemberProfile]:
    return [consenting_member("a", consent=True), consenting_member("b", consent=False)]


def test_only_staff_reach_the_back_office(client: Client, members: list[MemberProfile], staff: User) -> None:
    meeting = make_meeting(staff)
    assert client.get(BASE)["Location"].startswith("/backoffice/login/")
    client.force_login(members[0].administrator1)  # type: ignore[arg-type]
    for path in ("", f"{meeting.pk}/", f"{meeting.pk}/checkin/", f"{meeting.pk}/results.csv"):
        assert sent_to_login(client.get(BASE + path), "backoffice")


def test_staff_register_set_voting_rights_and_convene(
    staff_client: Client, members: list[MemberProfile]
) -> None:
    held_at = timezone.localtime() + timedelta(days=40)
    response = staff_client.post(
        f"{BASE}new/",
        {
            "name": "第21回 通常総会",
            "held_at": f"{held_at:%Y-%m-%dT14:00}",
            "venue": "本部 大会議室",
            "answer_deadline": f"{held_at - timedelta(days=7):%Y-%m-%dT17:00}",
            "agenda": "決算の承認の件\r\n\r\n事業計画の承認の件\r\n",
            "notes": "",
        },
    )
    meeting = Meeting.objects.get(name="第21回 通常総会")
    assert response["Location"] == f"{BASE}{meeting.pk}/"
    assert [item.title for item in meeting.agenda_items.order_by("number")] == [
        "決算の承認の件",
        "事業計画の承認の件",
    ]

    voting = members[0].organization_id
    page = html(staff_client.get(f"{BASE}{meeting.pk}/voting-rights/"))
    assert members[1].organization.name in page
    staff_client.post(f"{BASE}{meeting.pk}/voting-rights/", {"organizations": [str(voting)]})
    assert list(
        Invitation.objects.filter(meeting=meeting, has_voting_rights=True).values_list(
            "organization_id", flat=True
        )
    ) == [voting]

    assert "招集通知を送信する" in html(staff_client.get(f"{BASE}{meeting.pk}/convene/"))
    staff_client.post(f"{BASE}{meeting.pk}/convene/")
    assert OutboxMessage.objects.filter(template="assembly/mail/convocation").count() == 1
    detail = html(staff_client.get(f"{BASE}{meeting.pk}/"))
    assert "電子メールで通知</dt><dd>1社" in detail
    assert members[1].organization.name in detail  # listed for paper, with its address
    assert "東京都江東区豊洲" in detail
    rows = read_csv(staff_client.get(f"{BASE}{meeting.pk}/paper-notices.csv"))
    assert rows[0][:3] == ["事業者コード", "会員名", "郵便番号"]
    assert rows[1][0] == members[1].organization.code and rows[1][-1] == "電磁的方法の承諾なし"


def test_staff_see_answers_the_tally_and_export_csv(
    staff: User, staff_client: Client, members: list[MemberProfile], django_assert_max_num_queries: Any
) -> None:
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=members)
    attend(members[0].administrator1, meeting, votes=votes_for(meeting, "for", "against"))  # type: ignore[arg-type]

    with django_assert_max_num_queries(15) as one:
        page = html(staff_client.get(f"{BASE}{meeting.pk}/answers/"))
    assert PERSON.name in page and "回答一覧・集計" in page
    for tag in "cdef":
        consenting_member(tag)
    meetings.send_convocation(actor=staff, meeting=meeting)  # the new members, without voting rights
    for invitation in Invitation.objects.filter(meeting=meeting, has_voting_rights=False):
        attend(User.objects.get(organization_id=invitation.organization_id, login_id="abc001"), meeting)
    with django_assert_max_num_queries(len(one.captured_queries)):
        staff_client.get(f"{BASE}{meeting.pk}/answers/")

    rows = read_csv(staff_client.get(f"{BASE}{meeting.pk}/results.csv"))
    assert rows[0][:3] == ["事業者コード", "会員名", "議決権"]
    assert rows[0][-2:] == [f"第1号議案 {AGENDA[0]}", f"第2号議案 {AGENDA[1]}"]
    first = next(row for row in rows if row[0] == members[0].organization.code)
    assert first[5:7] == ["出席", "1"] and first[-2:] == ["賛成", "反対"]
    tally = read_csv(staff_client.get(f"{BASE}{meeting.pk}/tally.csv"))
    assert tally[1] == ["第1号議案", AGENDA[0], "1", "0", "0", "1", "2"]


@pytest.mark.parametrize(
    ("held_at", "answer_deadline"),
    [("9999-12-31T23:59", "0001-01-01T00:00"), ("2026-12-01T14:00", "1999-12-31T23:59")],
)
def test_dates_outside_the_century_are_refused_with_a_message(
    staff_client: Client, members: list[MemberProfile], held_at: str, answer_deadline: str
) -> None:
    response = staff_client.post(
        f"{BASE}new/",
        {
            "name": "年の範囲外",
            "held_at": held_at,
            "venue": "本部",
            "answer_deadline": answer_deadline,
            "agenda": "決算の承認の件",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "2000年から2099年までの日時で入力してください" in html(response)
    assert not Meeting.objects.filter(name="年の範囲外").exists()


def test_the_meeting_list_costs_the_same_queries_for_one_or_many(
    staff: User, staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    make_meeting(staff)
    with django_assert_max_num_queries(12) as one:
        staff_client.get(BASE)
    for number in range(5):
        make_meeting(staff, name=f"臨時総会{number}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "臨時総会4" in html(staff_client.get(BASE))


# --- MEM-G4 the check-in page ------------------------------------------------------------------------------


@pytest.fixture
def meeting_with_ticket(staff: User, members: list[MemberProfile]) -> tuple[Meeting, ReceptionTicket]:
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[members[0]])
    invitation = attend(members[0].administrator1, meeting, votes=votes_for(meeting, "for", "for"))  # type: ignore[arg-type]
    return meeting, invitation.attendees.get().ticket


def test_mem_g4_the_reader_posts_a_code_and_the_person_shows_at_once(
    staff_client: Client, meeting_with_ticket: tuple[Meeting, ReceptionTicket]
) -> None:
    meeting, ticket = meeting_with_ticket
    url = f"{BASE}{meeting.pk}/checkin/"
    page = html(staff_client.get(url))
    assert "受付票の読み取り" in page and '受付済み <strong id="checkin-arrived">0</strong>名' in page
    assert "assembly/js/checkin.js" in page

    code = tickets.ticket_code(ticket.token)
    fragment = html(staff_client.post(url, {"code": code}, headers={"X-Requested-With": "fetch"}))
    assert 'data-outcome="checked_in"' in fragment and PERSON.name in fragment
    assert ticket.attendee.invitation.organization.name in fragment
    assert "<html" not in fragment

    again = html(staff_client.post(url, {"code": code}, headers={"X-Requested-With": "fetch"}))
    assert 'data-outcome="already"' in again and "受付済みです" in again

    forged_code = code[:-1] + ("Z" if code[-1] != "Z" else "Y")
    forged = html(staff_client.post(url, {"code": forged_code}, headers={"X-Requested-With": "fetch"}))
    assert 'data-outcome="invalid"' in forged

    counts = staff_client.get(f"{BASE}{meeting.pk}/checkin/counts/")
    assert "no-store" in counts["Cache-Control"]
    assert (
        '<strong id="checkin-arrived">1</strong>名 / 登録 <span id="checkin-registered">1</span>名'
        in html(counts)
    )
    assert PERSON.name in html(counts)  # among the latest arrivals


def test_mem_g4_without_script_the_form_posts_and_the_page_shows_the_result(
    staff_client: Client, meeting_with_ticket: tuple[Meeting, ReceptionTicket]
) -> None:
    meeting, ticket = meeting_with_ticket
    page = html(
        staff_client.post(f"{BASE}{meeting.pk}/checkin/", {"code": tickets.ticket_code(ticket.token)})
    )
    assert "受付しました" in page and PERSON.name in page
    assert '<strong id="checkin-arrived">1</strong>' in page
    empty = html(staff_client.post(f"{BASE}{meeting.pk}/checkin/", {"code": ""}))
    assert "受付票のコードを入力してください。" in empty


def test_mem_g4_the_counts_cost_the_same_queries_for_one_or_many_arrivals(
    staff: User,
    staff_client: Client,
    meeting_with_ticket: tuple[Meeting, ReceptionTicket],
    django_assert_max_num_queries: Any,
) -> None:
    meeting, _ticket = meeting_with_ticket
    url = f"{BASE}{meeting.pk}/checkin/counts/"
    with django_assert_max_num_queries(12) as one:
        staff_client.get(url)
    profile = consenting_member("z")
    meetings.send_convocation(actor=staff, meeting=meeting)
    persons = [AttendeeInput(name=f"出席　{n}", department_title="総務部") for n in "一二三四"]
    for person in attend(profile.administrator1, meeting, *persons).attendees.all():  # type: ignore[arg-type]
        ReceptionTicket.objects.filter(pk=person.ticket.pk).update(checked_in_at=timezone.now())
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert '<strong id="checkin-arrived">4</strong>' in html(staff_client.get(url))
