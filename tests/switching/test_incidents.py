"""Leak incidents (漏えい等事案, SW-P3; seed 001 §4.6): a participant's administrator records one
with the customers it touched (points it is or was involved with), notifies each customer, and
publishes the facts and prevention — or records one of the four exceptions with its
justification; the incident closes only then. Every act is audited, the switching desk is told of
each new incident, and another participant's incident is "not found"."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.outbox import OutboxMessage
from kouiki.core.systems import Role
from kouiki.switching.models import IncidentPoint, IncidentState, LeakIncident, NotificationOutcome
from kouiki.switching.services import applications, incidents, personal_data
from tests.factories import OrganizationFactory, dr_contractor_user
from tests.switching.conftest import Retailer, make_point
from tests.switching.test_contractors import contractor_user
from tests.switching.test_personal_data import _register

pytestmark = pytest.mark.usefixtures("clock")

# The clock of the switching tests stands on 2026-11-02.
FOUND = date(2026, 10, 30)
DAY = date(2026, 11, 1)


def _record(actor: Any, points: list[str], **more: Any) -> LeakIncident:
    values: dict[str, Any] = {
        "kind": "leak",
        "summary": "需要者一覧を誤って取引先に送付した。",
        "data_items": "需要者氏名、需要場所住所",
        "occurred_on": date(2026, 10, 29),
        "found_on": FOUND,
        "cause": "送付先の確認不足",
        "supply_point_numbers": points,
        **more,
    }
    return incidents.record_incident(actor=actor, **values)


def _notify(actor: Any, incident: LeakIncident, points: list[str], outcome: str = "notified") -> int:
    return incidents.record_notifications(
        actor=actor,
        incident_id=incident.pk,
        supply_point_numbers=points,
        outcome=outcome,
        notified_on=DAY,
        method="letter",
    )


def test_sw_p3_the_administrator_records_an_incident_audited_and_the_desk_told(
    retailer_b: Retailer, settings: Any
) -> None:
    settings.KOUIKI_SWITCHING_DESK_MAIL = "desk@occto.example.jp"
    points = [make_point(retailer_b.organization, 1), make_point(retailer_b.organization, 2)]
    incident = _record(retailer_b.admin, points)

    assert incident.organization == retailer_b.organization and incident.state == IncidentState.OPEN
    assert incident.number == f"LI{incident.pk:06d}"
    rows = IncidentPoint.objects.filter(incident=incident)
    assert sorted(row.supply_point.number for row in rows) == points
    assert {row.outcome for row in rows} == {NotificationOutcome.PENDING}
    event = Event.objects.get(action=Action.SWITCHING_INCIDENT_RECORD)
    assert event.organization_code == retailer_b.code and event.detail["points"] == 2
    # Recorded by the participant itself: the desk only.
    mail = OutboxMessage.objects.get()
    assert mail.template == "switching/mail/incident_recorded"
    assert mail.to == ["desk@occto.example.jp"]
    assert incident.number in mail.subject and retailer_b.code in mail.subject
    # The mail names no customer: the count of points only.
    assert points[0] not in mail.body and "2件" in mail.body
    assert f"/backoffice/switching/incidents/{incident.pk}/" in mail.body


def test_sw_p3_points_must_be_well_formed_and_ones_the_participant_is_or_was_involved_with(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    own = make_point(retailer_b.organization, 1)
    others = make_point(retailer_a.organization, 2)
    with pytest.raises(ValidationFailed) as refused:
        _record(retailer_b.admin, [own, others, "0300000000000000000000999", "03" + "9" * 20])
    messages = refused.value.errors["supply_point_numbers"]
    assert any("22桁" in m for m in messages)
    # Another's point and a point that does not exist get the same answer (nothing leaks).
    assert f"{others}: 貴社が関与した（関与している）供給地点ではありません。" in messages
    assert f"{'03' + '9' * 20}: 貴社が関与した（関与している）供給地点ではありません。" in messages
    assert not LeakIncident.objects.exists() and not OutboxMessage.objects.exists()
    with pytest.raises(ValidationFailed, match="1000件まで"):
        _record(retailer_b.admin, [f"03{serial:020d}" for serial in range(1001)])

    # A point it read through its personal-data ledger (a switch in progress) was involved with it.
    _register(retailer_b, others)
    personal_data.read_basic_info(actor=retailer_b.user, supply_point_number=others, purpose="cancel_forward")
    incident = _record(retailer_b.admin, [own, others])
    assert incident.points.count() == 2


def test_sw_p3_dates_are_checked(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    with pytest.raises(ValidationFailed) as refused:
        _record(retailer_b.admin, [point], found_on=date(2026, 11, 5))
    assert refused.value.errors["found_on"] == ["発覚日に未来の日付は入力できません。"]
    with pytest.raises(ValidationFailed) as refused:
        _record(retailer_b.admin, [point], occurred_on=date(2026, 10, 31))
    assert refused.value.field == "occurred_on"
    incident = _record(retailer_b.admin, [point])
    with pytest.raises(ValidationFailed) as refused:
        incidents.record_notifications(
            actor=retailer_b.admin,
            incident_id=incident.pk,
            supply_point_numbers=[point],
            outcome="notified",
            notified_on=date(2026, 10, 1),
            method="phone",
        )
    assert refused.value.errors["notified_on"] == ["連絡日は発覚日以降の日付を入力してください。"]


def test_sw_p3_an_incident_closes_only_with_every_customer_notified_and_the_publication(
    retailer_b: Retailer,
) -> None:
    points = [make_point(retailer_b.organization, 1), make_point(retailer_b.organization, 2)]
    incident = _record(retailer_b.admin, points)
    with pytest.raises(Conflict) as refused:
        incidents.close_incident(actor=retailer_b.admin, incident_id=incident.pk)
    assert "本人への連絡が記録されていない需要者が2件" in refused.value.message
    assert "公表" in refused.value.message

    assert _notify(retailer_b.admin, incident, points[:1]) == 1
    with pytest.raises(ValidationFailed, match="この事案の対象でない供給地点"):
        _notify(retailer_b.admin, incident, [make_point(retailer_b.organization, 3)])
    _notify(retailer_b.admin, incident, points[1:], outcome="unreachable")
    with pytest.raises(Conflict, match="公表しない例外"):
        incidents.close_incident(actor=retailer_b.admin, incident_id=incident.pk)
    # Exception ① needs every customer reached: one was not.
    with pytest.raises(ValidationFailed, match="例外①には該当しません"):
        incidents.record_exception(
            actor=retailer_b.admin,
            incident_id=incident.pk,
            exception="all_notified",
            justification="連絡済み",
        )

    incidents.record_publication(
        actor=retailer_b.admin,
        incident_id=incident.pk,
        published_on=DAY,
        publication_place="当社ウェブサイト お知らせ",
        prevention="送付前の二重確認",
    )
    closed = incidents.close_incident(actor=retailer_b.admin, incident_id=incident.pk)
    assert closed.state == IncidentState.CLOSED and closed.closed_by == retailer_b.admin
    assert list(
        Event.objects.filter(action__startswith="switching.incident")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        Action.SWITCHING_INCIDENT_RECORD,
        Action.SWITCHING_INCIDENT_NOTIFICATION,
        Action.SWITCHING_INCIDENT_NOTIFICATION,
        Action.SWITCHING_INCIDENT_PUBLICATION,
        Action.SWITCHING_INCIDENT_CLOSE,
    ]
    # A closed incident changes no more.
    with pytest.raises(InvalidTransition):
        _notify(retailer_b.admin, incident, points[:1])


def test_sw_p3_a_recorded_exception_spares_the_publication(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    incident = _record(retailer_b.admin, [point])
    with pytest.raises(ValidationFailed) as refused:
        incidents.record_exception(
            actor=retailer_b.admin, incident_id=incident.pk, exception="recovered", justification=" "
        )
    assert refused.value.field == "justification"
    incidents.record_exception(
        actor=retailer_b.admin,
        incident_id=incident.pk,
        exception="recovered",
        justification="誤送付先から未開封のまま当日中に回収した。",
    )
    # The customers are still told (§4.6): not before they are.
    with pytest.raises(Conflict, match="本人への連絡が記録されていない需要者が1件"):
        incidents.close_incident(actor=retailer_b.admin, incident_id=incident.pk)
    _notify(retailer_b.admin, incident, [point])
    assert (
        incidents.close_incident(actor=retailer_b.admin, incident_id=incident.pk).state
        == IncidentState.CLOSED
    )


def test_sw_p3_exception_one_when_every_customer_was_reached(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    incident = _record(retailer_b.admin, [point])
    _notify(retailer_b.admin, incident, [point])
    incidents.record_exception(
        actor=retailer_b.admin,
        incident_id=incident.pk,
        exception="all_notified",
        justification="全員に郵送で連絡済み",
    )
    # A customer found later and not reached: exception ① no longer holds.
    later = make_point(retailer_b.organization, 2)
    assert (
        incidents.add_points(actor=retailer_b.admin, incident_id=incident.pk, supply_point_numbers=[later])
        == 1
    )
    _notify(retailer_b.admin, incident, [later], outcome="unreachable")
    with pytest.raises(Conflict, match="例外①には該当しません"):
        incidents.close_incident(actor=retailer_b.admin, incident_id=incident.pk)


def test_sw_p3_only_the_administrator_and_never_another_participants_incident(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    with pytest.raises(Forbidden):
        _record(retailer_b.user, [point])
    incident = _record(retailer_b.admin, [point])
    with pytest.raises(NotFound):
        incidents.read_incident(actor=retailer_a.admin, incident_id=incident.pk)
    with pytest.raises(NotFound):
        _notify(retailer_a.admin, incident, [point])


def test_sw_p3_a_contractors_administrator_handles_no_incident(retailer_b: Retailer) -> None:
    """A contractor (受託者) reports to its principal, whose administrator records the incident."""
    point = make_point(retailer_b.organization, 1)
    agent = contractor_user(OrganizationFactory(code="9501", name="請求代行株式会社"), "adm001", Role.ADMIN)
    with pytest.raises(Forbidden, match="受託者は漏えい等事案を扱えません"):
        _record(agent, [point])


def test_sw_p3_a_dr_contractors_administrator_records_its_incidents(retailer_b: Retailer) -> None:
    organization = OrganizationFactory(code="9201", name="需要抑制A株式会社")
    admin = dr_contractor_user(organization=organization, role=Role.ADMIN, login_id="dradm1")
    point = make_point(retailer_b.organization, 1)
    # Not involved with the point yet.
    with pytest.raises(ValidationFailed):
        _record(admin, [point])
    applications.inquire_facility(actor=admin, supply_point_number=point, purpose="point_info")
    assert _record(admin, [point]).organization == organization


def test_sw_p3_screens_from_the_menu(client: Client, retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(retailer_b.admin)
    menu = client.get("/switching/").content.decode()
    assert "共通 個人情報の管理" in menu and "/switching/incidents/" in menu
    assert client.get("/switching/incidents/").status_code == 200

    refused = client.post("/switching/incidents/new/", {"kind": "leak", "found_on": "2026-10-30"})
    assert refused.status_code == 200 and "事案の概要を入力してください。" in refused.content.decode()
    created = client.post(
        "/switching/incidents/new/",
        {
            "kind": "loss",
            "summary": "紙の申込書を紛失した。",
            "data_items": "需要者氏名",
            "found_on": "2026-10-30",
            "cause": "保管場所の施錠漏れ",
            "supply_point_numbers": f"{point[:2]}-{point[2:]}\n",
        },
    )
    incident = LeakIncident.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/switching/incidents/{incident.pk}/"
    page = client.get(created["Location"]).content.decode()
    assert incident.number in page and point in page and "公表も、公表しない例外も" in page

    act = f"/switching/incidents/{incident.pk}/"
    refused = client.post(act + "close/")
    assert refused.status_code == 200 and "完了できません。" in refused.content.decode()
    client.post(
        act + "notification/",
        {
            "supply_point_numbers": point,
            "outcome": "notified",
            "notified_on": "2026-11-01",
            "method": "phone",
        },
    )
    client.post(act + "exception/", {"exception": "all_notified", "justification": "全員に電話で連絡済み"})
    assert client.post(act + "close/").status_code == 302
    assert LeakIncident.objects.get().state == IncidentState.CLOSED
    assert "完了" in client.get("/switching/incidents/").content.decode()

    # A user (not the administrator) has no such screen; another participant finds nothing.
    client.force_login(retailer_b.user)
    assert "/switching/incidents/" not in client.get("/switching/").content.decode()
    assert client.get("/switching/incidents/").status_code == 403
    client.force_login(retailer_a.admin)
    assert client.get(act).status_code == 404
    assert client.post(act + "close/").status_code == 404
    assert client.post(act + "unknown/").status_code == 404
