"""Staff open the back office's 運用状況 (X-S1) in a real browser: the six charts drawn on the server
show with their figures, and the page raises no script error and no CSP violation (the charts'
colours are SVG attributes, not inline styles)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kouiki.core.models import OutboxMessage
from kouiki.tso.models import MessageState, OperatorMessage
from tests.e2e.helpers import field, screenshot
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.e2e


def test_staff_read_the_operations_overview(
    page: Page, browser_problems: list[str], settings: object
) -> None:
    settings.KOUIKI_STAFF_OTP_REQUIRED = False  # type: ignore[attr-defined]
    StaffFactory(login_id="overview")
    now = timezone.now()
    for area in ("03", "03", "06"):
        OperatorMessage.objects.create(
            message_id=f"M-{area}-{OperatorMessage.objects.count()}",
            area=area,
            operation="cancel_forward",
            reference="1",
            state=MessageState.PENDING,
        )
    OperatorMessage.objects.create(
        message_id="M-answered",
        area="03",
        operation="cancel_forward",
        reference="2",
        state=MessageState.ANSWERED,
        final_outcome="completed",
        created_at=now - timedelta(hours=1),
        answered_at=now,
    )
    OutboxMessage.objects.create(subject="失敗", body="", state="failed")

    page.goto("/backoffice/login/")
    field(page, "職員ID").fill("overview")
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_role("link", name="運用状況").first.click()

    expect(page.get_by_role("heading", name="運用状況", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="送配電事業者への電文の未回答件数（エリア別、現在）")).to_be_visible()
    expect(
        page.get_by_role("img", name="送信に失敗したメールとコールバック（日別、過去14日）")
    ).to_be_visible()
    expect(page.get_by_text("未回答の電文は 3 件です。")).to_be_visible()
    expect(page.get_by_role("row", name="東京 2 0")).to_be_visible()
    screenshot(page, "backoffice-overview")
    assert browser_problems == []
