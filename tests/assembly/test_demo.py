"""The demo: an upcoming meeting convened to 広域電力株式会社 (9001), which holds voting rights."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from kouiki.assembly import demo as assembly_demo
from kouiki.assembly.choices import NoticeMethod
from kouiki.assembly.models import Invitation, Meeting
from kouiki.identity import demo as identity_demo
from kouiki.identity.selectors import user_by_credentials
from kouiki.membership import demo as membership_demo


@pytest.mark.django_db
def test_the_demo_member_is_convened_to_an_upcoming_meeting_with_voting_rights(client: Client) -> None:
    # The loaders this one builds on, then this one twice: the second run adds nothing.
    identity_demo.load()
    membership_demo.load()
    assert assembly_demo.load() == 4
    assert assembly_demo.load() == 0

    meeting = Meeting.objects.get()
    assert meeting.held_at > meeting.answer_deadline > timezone.now()
    assert meeting.agenda_items.count() == 2
    invitation = Invitation.objects.get(meeting=meeting)
    assert invitation.organization.code == "9001"
    assert invitation.has_voting_rights and invitation.notice_method == NoticeMethod.EMAIL
    assert "usr001@koiki-denryoku.example.jp" in invitation.notified_to

    client.force_login(user_by_credentials("9001", "usr001"))  # type: ignore[arg-type]
    page = client.get(f"/member/assembly/{meeting.pk}/answer/").content.decode()
    assert "第1号議案" in page and "議決権の行使" in page
