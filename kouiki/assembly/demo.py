"""Demo data of general meetings: an upcoming meeting with two agenda items, convened by e-mail to the
demo member 広域電力株式会社 (9001), which holds voting rights and has not answered yet."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kouiki.assembly.choices import DUTY, NoticeMethod
from kouiki.assembly.models import AgendaItem, Invitation, Meeting
from kouiki.identity.selectors import organization_by_code, users_with_duty

DEMO_NAME = "第20回 通常総会（デモ）"
AGENDA = ["2025年度事業報告及び決算の承認の件", "2026年度事業計画及び予算の承認の件"]


def load() -> int:
    organization = organization_by_code("9001")
    if organization is None or Meeting.objects.filter(name=DEMO_NAME).exists():
        return 0
    now = timezone.localtime()
    held_at = (now + timedelta(days=30)).replace(hour=14, minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        name=DEMO_NAME,
        held_at=held_at,
        venue="電力広域的運営推進機関 本部 大会議室（東京都江東区豊洲）",
        answer_deadline=(held_at - timedelta(days=7)).replace(hour=17),
        notes="議決権行使書の提出は、本システムの回答をもって代えます。",
        convened_at=now,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, number=number, title=title)
        for number, title in enumerate(AGENDA, start=1)
    )
    recipients = sorted({user.email for user in users_with_duty(organization_id=organization.pk, duty=DUTY)})
    Invitation.objects.create(
        meeting=meeting,
        organization=organization,
        has_voting_rights=True,
        notice_method=NoticeMethod.EMAIL,
        notified_at=now,
        notified_to=[email for email in recipients if email],
    )
    return 1 + len(AGENDA) + 1
