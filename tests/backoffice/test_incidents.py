"""Back office: the organization sees every participant's leak incidents (SW-P3), each read of one
recorded, records one for a participant, keeps notes, acts on it as the participant does, and
reaches the suspension of the participant (X-S2) from it; only staff of the switching area."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.outbox import OutboxMessage
from kouiki.identity.choices import StaffRole
from kouiki.identity.models import User
from kouiki.switching.models import IncidentNote, IncidentState, LeakIncident
from kouiki.switching.services import incidents
from tests.access import sent_to_login
from tests.factories import StaffFactory
from tests.switching.conftest import START, Retailer, make_point, make_retailer


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(START, tick=False):
        yield


@pytest.fixture
def retailer_a(db: None) -> Retailer:
    return make_retailer("9101", "新電力A株式会社")


@pytest.fixture
def retailer_b(db: None) -> Retailer:
    return make_retailer("9102", "新電力B株式会社")


def _incident(retailer: Retailer, serial: int = 1) -> tuple[LeakIncident, str]:
    point = make_point(retailer.organization, serial)
    incident = incidents.record_incident(
        actor=retailer.admin,
        kind="damage",
        summary="顧客データベースの一部が破損した。",
        data_items="需要者氏名、電話番号",
        occurred_on=None,
        found_on=date(2026, 10, 30),
        cause="ディスク障害",
        supply_point_numbers=[point],
    )
    return incident, point


def test_staff_see_every_incident_each_read_recorded_and_reach_the_suspension(
    staff_client: Client, staff: User, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    mine, point = _incident(retailer_b)
    other, _ = _incident(retailer_a, 2)
    listing = staff_client.get("/backoffice/switching/incidents/").content.decode()
    assert mine.number in listing and other.number in listing and retailer_b.organization.name in listing
    only_b = staff_client.get(
        "/backoffice/switching/incidents/", {"organization_code": "9102"}
    ).content.decode()
    assert mine.number in only_b and other.number not in only_b

    page = staff_client.get(f"/backoffice/switching/incidents/{mine.pk}/").content.decode()
    assert point in page and "ディスク障害" in page
    read = Event.objects.get(action=Action.SWITCHING_INCIDENT_READ)
    assert read.actor_id == staff.pk and read.organization_code == "9102"

    assert staff_client.get("/backoffice/switching/incidents/999999/").status_code == 404


def test_an_incident_links_to_the_suspension_of_its_participant_with_the_reason(
    staff_client: Client, retailer_b: Retailer
) -> None:
    mine, _ = _incident(retailer_b)
    page = staff_client.get(f"/backoffice/switching/incidents/{mine.pk}/").content.decode()
    url = reverse("backoffice:participant_use", args=["9102"])
    assert f'href="{url}?reason=' in page
    link = next(part for part in page.split('href="') if part.startswith(url)).split('"')[0]
    link = link.replace("&amp;", "&")
    reason = parse_qs(urlsplit(link).query)["reason"][0]
    assert mine.number in reason and "毀損" in reason
    # The participant's use screen opens with the suspension's reason filled in.
    use_page = staff_client.get(link)
    assert use_page.status_code == 200 and reason in use_page.content.decode()


def test_staff_record_an_incident_for_a_participant_and_keep_notes(
    staff_client: Client, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    refused = staff_client.post(
        "/backoffice/switching/incidents/new/",
        {
            "organization_code": "9999",
            "kind": "leak",
            "summary": "報告を受けた。",
            "data_items": "需要者氏名",
            "found_on": "2026-10-30",
            "cause": "不明",
            "supply_point_numbers": point,
        },
    )
    assert refused.status_code == 200 and "事業者コードの事業者がありません。" in refused.content.decode()
    created = staff_client.post(
        "/backoffice/switching/incidents/new/",
        {
            "organization_code": "９１０２",
            "kind": "leak",
            "summary": "報告を受けた。",
            "data_items": "需要者氏名",
            "found_on": "2026-10-30",
            "cause": "不明",
            "supply_point_numbers": point,
        },
    )
    incident = LeakIncident.objects.get()
    assert created.status_code == 302 and incident.organization == retailer_b.organization
    assert "本機関の職員が" in OutboxMessage.objects.get(template="switching/mail/incident_recorded").body
    # The participant's administrators are told the organization recorded it (its users are not).
    told = OutboxMessage.objects.get(template="switching/mail/incident_recorded_for_you")
    assert told.to == [retailer_b.admin.email] and incident.number in told.subject
    assert point not in told.body
    assert f"/switching/incidents/{incident.pk}/" in told.body

    act = f"/backoffice/switching/incidents/{incident.pk}/"
    assert "メモを入力してください。" in staff_client.post(act + "note/", {"body": ""}).content.decode()
    assert staff_client.post(act + "note/", {"body": "事業者に電話で状況を確認した。"}).status_code == 302
    assert IncidentNote.objects.get().body == "事業者に電話で状況を確認した。"
    assert "事業者に電話で状況を確認した。" in staff_client.get(act).content.decode()
    assert Event.objects.filter(action=Action.SWITCHING_INCIDENT_NOTE).count() == 1
    # Staff act on the incident as the participant does; the participant sees it, not the notes.
    staff_client.post(
        act + "notification/",
        {
            "supply_point_numbers": point,
            "outcome": "notified",
            "notified_on": "2026-11-01",
            "method": "letter",
        },
    )
    staff_client.post(act + "exception/", {"exception": "encrypted", "justification": "AES-256で暗号化済み"})
    assert staff_client.post(act + "close/").status_code == 302
    assert LeakIncident.objects.get().state == IncidentState.CLOSED
    participant = Client()
    participant.force_login(retailer_b.admin)
    seen = participant.get(f"/switching/incidents/{incident.pk}/").content.decode()
    assert incident.number in seen and "事業者に電話で状況を確認した。" not in seen


def test_only_staff_of_the_switching_area(client: Client, retailer_b: Retailer) -> None:
    incident, _ = _incident(retailer_b)
    client.force_login(retailer_b.admin)
    assert sent_to_login(client.get("/backoffice/switching/incidents/"), "backoffice")
    reviewer = StaffFactory(login_id="onlyrev", staff_roles=[StaffRole.REVIEWER.value])
    client.force_login(reviewer)
    session = client.session
    session["staff_verified"] = True
    session.save()
    assert client.get(f"/backoffice/switching/incidents/{incident.pk}/").status_code == 403
    assert not Event.objects.filter(action=Action.SWITCHING_INCIDENT_READ).exists()
