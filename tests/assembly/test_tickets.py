"""MEM-G3 受付票 and MEM-G4 総会当日の受付: the ticket's QR code, read back with a real decoder from the
PNG and from the PDF, checks in once; a second scan, another meeting's ticket or a forged code is refused."""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from kouiki.assembly.choices import CheckInOutcome
from kouiki.assembly.models import Meeting, ReceptionTicket
from kouiki.assembly.services import tickets
from kouiki.assembly.services.checkin import CheckInResult, check_in
from kouiki.audit.models import Event
from kouiki.core.errors import Forbidden
from kouiki.identity.models import User
from tests.assembly.helpers import PERSON, assembly_user, attend, consenting_member, convene, make_meeting
from tests.factories import StaffFactory


@pytest.fixture
def meeting(staff: User) -> Meeting:
    return make_meeting(staff)


@pytest.fixture
def ticket(staff: User, meeting: Meeting) -> ReceptionTicket:
    profile = consenting_member("a")
    convene(staff, meeting)
    invitation = attend(profile.administrator1, meeting)  # type: ignore[arg-type]
    return invitation.attendees.get().ticket  # type: ignore[no-any-return]


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_code_carries_a_signed_token_and_nothing_personal(ticket: ReceptionTicket) -> None:
    code = tickets.ticket_code(ticket.token)
    assert code.startswith("KT1-") and len(code) == 53
    assert ticket.token in code
    assert PERSON.name not in code and ticket.attendee.invitation.organization.code not in code
    assert tickets.token_from_code(code) == ticket.token
    # What a reader may type: lower case (Caps Lock), full width (an IME), spaces and a newline around.
    assert tickets.token_from_code(code.lower()) == ticket.token
    full_width = code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert tickets.token_from_code(f" {full_width}\n") == ticket.token


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # signature changed
        lambda code: code[:4] + ("A" if code[4] != "A" else "B") + code[5:],  # token changed
        lambda code: code[:-5],  # truncated
        lambda code: "KT1-" + "A" * 24 + "-" + "A" * 24,  # made up
        lambda code: "https://example.com/?q=1",
        lambda code: "",
    ],
)
def test_a_forged_or_mangled_code_is_refused_before_any_lookup(
    staff: User, meeting: Meeting, ticket: ReceptionTicket, mangle: Any
) -> None:
    forged = mangle(tickets.ticket_code(ticket.token))
    assert tickets.token_from_code(forged) is None
    with CaptureQueriesContext(connection) as queries:
        result = check_in(actor=staff, meeting=meeting, code=forged)
    assert result.outcome == CheckInOutcome.INVALID
    assert not any("assembly_receptionticket" in query["sql"] for query in queries.captured_queries)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None
    assert Event.objects.filter(action="assembly.check_in_refused", detail__outcome="invalid").exists()


def test_a_code_signed_with_another_key_is_refused(settings: Any, ticket: ReceptionTicket) -> None:
    code = tickets.ticket_code(ticket.token)
    original = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert tickets.token_from_code(code) is None
    # After a key rotation, tickets stay valid while the old key is among the fallbacks.
    settings.SECRET_KEY_FALLBACKS = [original]
    assert tickets.token_from_code(code) == ticket.token


def test_mem_g3_g4_the_qr_png_decodes_and_checks_in_once(
    staff: User, meeting: Meeting, ticket: ReceptionTicket
) -> None:
    png = tickets.qr_png(tickets.ticket_code(ticket.token))
    [code] = decode(Image.open(io.BytesIO(png)))

    first = check_in(actor=staff, meeting=meeting, code=code)
    assert first.outcome == CheckInOutcome.CHECKED_IN
    assert first.ticket is not None and first.ticket.attendee.name == PERSON.name
    ticket.refresh_from_db()
    assert ticket.checked_in_at == first.arrived_at and ticket.checked_in_by == staff

    second = check_in(actor=staff, meeting=meeting, code=code)
    assert second.outcome == CheckInOutcome.ALREADY
    assert second.arrived_at == first.arrived_at
    assert "受付済み" in second.message
    assert Event.objects.filter(action="assembly.check_in").count() == 1


def test_a_ticket_of_another_meeting_is_refused(
    staff: User, meeting: Meeting, ticket: ReceptionTicket
) -> None:
    other = make_meeting(staff, days=60, name="臨時総会")
    result = check_in(actor=staff, meeting=other, code=tickets.ticket_code(ticket.token))
    assert result.outcome == CheckInOutcome.OTHER_MEETING
    assert meeting.name in result.message
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_a_genuine_code_of_a_removed_person_is_unknown(staff: User, meeting: Meeting) -> None:
    token = tickets.new_token()
    result = check_in(actor=staff, meeting=meeting, code=tickets.ticket_code(token))
    assert result.outcome == CheckInOutcome.UNKNOWN


def test_only_staff_check_in(meeting: Meeting, ticket: ReceptionTicket) -> None:
    with pytest.raises(Forbidden):
        check_in(actor=ticket.attendee.invitation.answered_by, meeting=meeting, code="x")  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_mem_g3_the_qr_of_the_pdf_page_decodes_and_checks_in(
    client: Client, staff: User, meeting: Meeting, tmp_path: Path
) -> None:
    profile = consenting_member("a")
    user = assembly_user(profile)
    convene(staff, meeting)
    person = attend(user, meeting).attendees.get()
    client.force_login(user)

    response = client.get(f"/member/assembly/{meeting.pk}/tickets/{person.pk}/ticket.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    [code] = decode(Image.open(tmp_path / "page.png"))
    assert code == tickets.ticket_code(person.ticket.token)
    assert check_in(actor=staff, meeting=meeting, code=code).outcome == CheckInOutcome.CHECKED_IN
    assert check_in(actor=staff, meeting=meeting, code=code).outcome == CheckInOutcome.ALREADY


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level races are exercised on PostgreSQL")
def test_two_readers_scanning_the_same_ticket_at_once_check_it_in_once(transactional_db: None) -> None:
    staff = StaffFactory()
    meeting = make_meeting(staff)
    profile = consenting_member("a")
    convene(staff, meeting)
    ticket = attend(profile.administrator1, meeting).attendees.get().ticket  # type: ignore[arg-type]
    code = tickets.ticket_code(ticket.token)
    readers = 4
    barrier = threading.Barrier(readers)
    results: list[CheckInResult | BaseException | None] = [None] * readers

    def scan(index: int) -> None:
        try:
            barrier.wait()
            results[index] = check_in(actor=staff, meeting=meeting, code=code)
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = sorted(r.outcome for r in results if isinstance(r, CheckInResult))
    assert outcomes == [CheckInOutcome.ALREADY] * (readers - 1) + [CheckInOutcome.CHECKED_IN], results
    assert Event.objects.filter(action="assembly.check_in").count() == 1
