"""A member answers a general meeting's convocation (attendance, a person, votes) and opens the person's
reception ticket; at the venue, staff check the ticket in by typing its code into the reader's input
as a USB QR reader does, and see the person at once and the count go up (MEM-G1..G4). A second test
checks a ticket in with the camera (Chromium's fake camera showing the QR code)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import segno
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, Playwright, expect
from pytest_django.live_server_helper import LiveServer

from kouiki.assembly.models import Invitation, Vote
from kouiki.assembly.services import tickets
from kouiki.audit.models import Event
from kouiki.core.systems import Role
from kouiki.identity.choices import Duty
from tests.assembly.helpers import attend, consenting_member, convene, make_meeting
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.helpers import field, screenshot
from tests.factories import PASSWORD, StaffFactory, participant

pytestmark = pytest.mark.e2e


def test_a_member_answers_and_staff_check_its_person_in(
    page: Page, browser_problems: list[str], settings: Any, tmp_path: Any
) -> None:
    settings.KOUIKI_STAFF_OTP_REQUIRED = False  # the staff's second factor is tested elsewhere
    staff = StaffFactory(login_id="reception")
    profile = consenting_member("a")
    participant(
        organization=profile.organization,
        role=Role.USER,
        login_id="sok001",
        duties=[Duty.ASSEMBLY.value],
        email="sokai@a.example.jp",
    )
    meeting = make_meeting(staff, name="第20回 通常総会")
    convene(staff, meeting, voting=[profile])

    # MEM-G1: the member's 総会 user logs in and finds the meeting.
    page.goto("/member/login/")
    field(page, "事業者コード").fill(profile.organization.code)
    field(page, "ユーザID").fill("sok001")
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_role("link", name="総会情報の一覧表示").click()
    expect(page.get_by_role("heading", name="総会情報一覧")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("第20回 通常総会")).get_by_text("未回答")).to_be_visible()
    page.get_by_role("link", name="第20回 通常総会").click()

    # MEM-G2: attend with one person, vote on both items.
    page.get_by_role("link", name="回答する").click()
    page.get_by_label("出席", exact=True).check()
    page.locator("#id_person1-name").fill("広域　次郎")
    page.locator("#id_person1-department_title").fill("総務部　部長")
    page.get_by_role("group", name=re.compile("第1号議案")).get_by_label("賛成").check()
    page.get_by_role("group", name=re.compile("第2号議案")).get_by_label("棄権").check()
    screenshot(page, "assembly-answer")
    page.get_by_role("button", name="回答を登録する").click()
    expect(page.get_by_text("回答を登録しました。")).to_be_visible()
    invitation = Invitation.objects.get(meeting=meeting, organization=profile.organization)
    assert invitation.attends is True
    assert sorted(Vote.objects.filter(invitation=invitation).values_list("choice", flat=True)) == [
        "abstain",
        "for",
    ]

    # MEM-G3: the person's ticket; its QR code, as the browser shows it, reads back as the code.
    page.get_by_role("link", name="受付票を表示").click()
    expect(page.get_by_role("heading", name="受付票")).to_be_visible()
    expect(page.get_by_text("広域　次郎")).to_be_visible()
    shot = tmp_path / "qr.png"
    page.locator("img.assembly-ticket__qr").screenshot(path=str(shot))
    [code] = [result.text for result in zxingcpp.read_barcodes(Image.open(shot))]
    expect(page.locator(".assembly-ticket__code span")).to_have_text(code)
    screenshot(page, "assembly-ticket")
    page.get_by_role("button", name="ログアウト").click()

    # MEM-G4: staff at the venue; the reader types the code and Enter into the focused input.
    page.goto("/backoffice/login/")
    field(page, "職員ID").fill("reception")
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.goto(f"/backoffice/assembly/{meeting.pk}/checkin/")
    expect(page.locator("#checkin-arrived")).to_have_text("0")
    reader = field(page, "受付票のQRコード")
    expect(reader).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")

    result = page.locator("#checkin-result")
    expect(result.get_by_text("受付しました", exact=True)).to_be_visible()
    expect(result.get_by_text("広域　次郎")).to_be_visible()
    expect(result.get_by_text(profile.organization.name)).to_be_visible()
    expect(page.locator("#checkin-arrived")).to_have_text("1")
    expect(reader).to_have_value("")
    expect(reader).to_be_focused()
    screenshot(page, "assembly-checkin")

    # The same ticket a second time: refused, with the first arrival time.
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(result.get_by_text("受付済みです", exact=True)).to_be_visible()
    expect(page.locator("#checkin-arrived")).to_have_text("1")
    assert browser_problems == []


def fake_camera(code: str, path: Path) -> Path:
    """A Y4M video of a ticket's QR code held in front of the camera, for Chromium's fake camera."""
    width, height = 640, 480
    buffer = io.BytesIO()
    segno.make(code, error="m", boost_error=False).save(buffer, kind="png", scale=8, border=4)
    qr = Image.open(buffer).convert("L")
    qr.thumbnail((400, 400))
    frame = Image.new("L", (width, height), 255)
    frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    chroma = bytes([128]) * (width // 2 * height // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


def test_staff_check_a_ticket_in_with_the_camera(
    playwright_instance: Playwright, live_server: LiveServer, settings: Any, tmp_path: Path
) -> None:
    """Camera mode: Chromium's fake camera shows the QR code; the page decodes it in the browser (jsQR
    here: Chromium on Linux has no BarcodeDetector) and checks the person in."""
    settings.KOUIKI_STAFF_OTP_REQUIRED = False
    staff = StaffFactory(login_id="reception")
    profile = consenting_member("a")
    meeting = make_meeting(staff)
    convene(staff, meeting)
    person = attend(profile.administrator1, meeting).attendees.get()  # type: ignore[arg-type]
    video = fake_camera(tickets.ticket_code(person.ticket.token), tmp_path / "qr.y4m")
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    problems: list[str] = []
    try:
        context = browser.new_context(base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type in {"script", "stylesheet", "fetch", "xhr"}
                else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto("/backoffice/login/")
        field(page, "職員ID").fill("reception")
        field(page, "パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン", exact=True).click()
        page.goto(f"/backoffice/assembly/{meeting.pk}/checkin/")

        page.get_by_role("button", name="カメラで読み取る").click()

        result = page.locator("#checkin-result")
        expect(result.get_by_text("受付しました", exact=True)).to_be_visible()
        expect(result.get_by_text(person.name)).to_be_visible()
        expect(page.locator("#checkin-arrived")).to_have_text("1")
        # The ticket stays in front of the camera: it is not sent again ("already used") meanwhile.
        page.wait_for_timeout(4000)
        expect(result.get_by_text("受付しました", exact=True)).to_be_visible()
        page.get_by_role("button", name="カメラを停止").click()
        expect(page.get_by_role("button", name="カメラで読み取る")).to_be_visible()
        assert page.evaluate("typeof window.jsQR") == "function"
        assert not Event.objects.filter(action="assembly.check_in_refused").exists()
        assert problems == []
    finally:
        browser.close()
