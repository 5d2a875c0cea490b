"""Issue 17 (8, 14) on the answer screen (MEM-G2): every error at once — a missing vote and no person
for an attending member together, not one after the other — and a name CP932 cannot hold named."""

from __future__ import annotations

import pytest
from django.test import Client

from kouiki.assembly.models import Invitation, Meeting
from kouiki.identity.models import User
from tests.assembly.helpers import assembly_user, consenting_member, convene, make_meeting


@pytest.fixture
def meeting(staff: User) -> Meeting:
    meeting = make_meeting(staff)
    convene(staff, meeting, voting=[consenting_member("a")])
    return meeting


@pytest.fixture
def answer(client: Client, meeting: Meeting) -> str:
    """The answer screen, signed in as a user of the member holding the 担当業務 総会."""
    invitation = Invitation.objects.get(meeting=meeting)
    client.force_login(assembly_user(invitation.organization.member_profile))
    return f"/member/assembly/{meeting.pk}/answer/"


def votes(meeting: Meeting) -> dict[str, str]:
    return {f"vote_{item.pk}": "for" for item in meeting.agenda_items.all()}


def test_mem_g2_a_missing_vote_and_no_person_are_reported_together(
    client: Client, meeting: Meeting, answer: str
) -> None:
    data = {"attendance": "attend", **votes(meeting)}
    del data[f"vote_{meeting.agenda_items.get(number=2).pk}"]

    page = client.post(answer, data).content.decode()

    assert "第2号議案の賛否を選択してください。" in page
    assert "出席の場合は出席者を1名以上入力してください。" in page
    assert Invitation.objects.get(meeting=meeting).attends is None


def test_mem_g2_a_name_cp932_cannot_hold_is_named(client: Client, meeting: Meeting, answer: str) -> None:
    data = {
        "attendance": "attend",
        "person1-name": "𠀋田 次郎",
        "person1-department_title": "総務部",
        **votes(meeting),
    }

    page = client.post(answer, data).content.decode()

    assert "「𠀋」は使用できません（Shift_JIS（CP932）で表せない文字です）。" in page
    assert Invitation.objects.get(meeting=meeting).attends is None
