"""The back office's operations overview (運用状況, X-S1): the figures staff decide a restriction or
a stop with — applications per day by area and 業務, the operators' backlog and answer times, API
requests per participant, failed mails and callbacks — counted right, drawn as charts with their
tables, open to every staff role and to no participant."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kouiki.core.calendar import JST
from kouiki.core.charts import bar_chart, nice_top
from kouiki.core.figures import failed_deliveries_per_day
from kouiki.core.models import CallbackDelivery, CallbackEndpoint, OrganizationEvent, OutboxMessage
from kouiki.identity.choices import StaffRole
from kouiki.identity.models import Organization, RequestLimit, User
from kouiki.identity.services import tokens
from kouiki.identity.services.tokens import ensure_demo_token
from kouiki.switching.models import Application, Kind, SupplyPoint
from kouiki.switching.selectors.figures import applications_per_day
from kouiki.tso import selectors as tso
from kouiki.tso.models import MessageState, OperatorMessage
from tests.access import sent_to_login
from tests.factories import OrganizationFactory, StaffFactory, participant

# Monday 2026-11-16 11:00 in Japan.
NOW = datetime(2026, 11, 16, 11, 0, tzinfo=JST)
TODAY = NOW.date()
URL = "/backoffice/overview/"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


_serial = iter(range(1, 10**6))


def _application(
    organization: Organization, day: date, *, area: str = "03", kind: str = Kind.SWITCH_START
) -> None:
    """An application filed on `day` (its 受付番号 begins with the day, as numbering gives it)."""
    serial = next(_serial)
    point = SupplyPoint.objects.create(number=f"{area}{serial:020d}", area=area, voltage="low")
    Application.objects.create(
        reception_number=f"{day:%Y%m%d}{serial:08d}",
        kind=kind,
        voltage="low",
        area=area,
        organization=organization,
        supply_point=point,
        created_at=datetime(day.year, day.month, day.day, 12, tzinfo=JST),
    )


def _message(area: str, state: str, *, sent: datetime, answered: datetime | None = None) -> OperatorMessage:
    return OperatorMessage.objects.create(
        message_id=f"M{next(_serial):010d}",
        area=area,
        operation="cancel_forward",
        reference="1",
        state=state,
        final_outcome="completed" if state == MessageState.ANSWERED else "",
        created_at=sent,
        answered_at=answered,
    )


# --- The figures, counted right ------------------------------------------------------------------


def test_applications_are_counted_per_filing_day_area_and_kind(db: None, staff: User) -> None:
    retailer = OrganizationFactory()
    for _ in range(3):
        _application(retailer, TODAY, area="03", kind=Kind.SWITCH_START)
    _application(retailer, TODAY, area="06", kind=Kind.CANCEL_FORWARD)
    _application(retailer, TODAY - timedelta(days=13), area="01")
    # Outside the 14 days, and tomorrow's (a number of a later day): not counted.
    _application(retailer, TODAY - timedelta(days=14))
    _application(retailer, TODAY + timedelta(days=1))

    rows = {
        (row.day, row.area, row.kind): row.count
        for row in applications_per_day(actor=staff, days=14, today=TODAY)
    }
    assert rows == {
        (TODAY, "03", Kind.SWITCH_START): 3,
        (TODAY, "06", Kind.CANCEL_FORWARD): 1,
        (TODAY - timedelta(days=13), "01", Kind.SWITCH_START): 1,
    }


def test_settled_days_are_counted_once_and_today_and_yesterday_every_time(db: None, staff: User) -> None:
    retailer = OrganizationFactory()
    _application(retailer, TODAY - timedelta(days=5))
    _application(retailer, TODAY)
    first = applications_per_day(actor=staff, days=14, today=TODAY)
    assert sorted((row.day, row.count) for row in first) == [(TODAY - timedelta(days=5), 1), (TODAY, 1)]

    _application(retailer, TODAY)
    _application(retailer, TODAY - timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        again = applications_per_day(actor=staff, days=14, today=TODAY)
    # Only today's and yesterday's numbers are read from the table; the older days come from the cache.
    counted = [q["sql"] for q in queries.captured_queries if "switching_application" in q["sql"]]
    assert len(counted) == 1 and f"{TODAY - timedelta(days=1):%Y%m%d}" in counted[0]
    assert sorted((row.day, row.count) for row in again) == [
        (TODAY - timedelta(days=5), 1),
        (TODAY - timedelta(days=1), 1),
        (TODAY, 2),
    ]


def test_only_staff_read_the_application_figures(db: None) -> None:
    from kouiki.core.errors import KouikiError

    user = participant(organization=OrganizationFactory(), system="switching")
    with pytest.raises(KouikiError):
        applications_per_day(actor=user, days=14)


@pytest.mark.usefixtures("clock")
def test_backlog_and_answer_times_per_area(db: None) -> None:
    for state in (
        MessageState.PENDING,
        MessageState.SENDING,
        MessageState.ACKNOWLEDGED,
        MessageState.ACKNOWLEDGED,
    ):
        _message("03", state, sent=NOW - timedelta(hours=1))
    _message("09", MessageState.PENDING, sent=NOW)
    # Tokyo's answers took 1..20 minutes: median (10th of 20) 10 minutes, p95 (19th) 19 minutes.
    for minutes in range(20, 0, -1):
        sent = NOW - timedelta(days=1)
        _message("03", MessageState.ANSWERED, sent=sent, answered=sent + timedelta(minutes=minutes))
    # Kansai: one answer of 3 hours — both figures are it.
    _message(
        "06", MessageState.ANSWERED, sent=NOW - timedelta(days=2), answered=NOW - timedelta(days=2, hours=-3)
    )
    # Sent before the window: not counted.
    _message("06", MessageState.ANSWERED, sent=NOW - timedelta(days=8), answered=NOW - timedelta(days=7))

    backlog = {row.area: (row.waiting, row.acknowledged) for row in tso.backlog_per_area()}
    assert len(backlog) == 10
    assert backlog["03"] == (2, 2) and backlog["09"] == (1, 0) and backlog["01"] == (0, 0)

    times = {row.area: row for row in tso.answer_times_per_area(days=7)}
    assert len(times) == 10
    assert (times["03"].answered, times["03"].median, times["03"].p95) == (
        20,
        timedelta(minutes=10),
        timedelta(minutes=19),
    )
    assert (times["06"].answered, times["06"].median, times["06"].p95) == (
        1,
        timedelta(hours=3),
        timedelta(hours=3),
    )
    assert (times["01"].answered, times["01"].median, times["01"].p95) == (0, None, None)


@pytest.mark.usefixtures("clock")
def test_failed_mails_and_callbacks_per_day(db: None) -> None:
    OutboxMessage.objects.create(subject="a", body="", state="failed", created_at=NOW)
    OutboxMessage.objects.create(subject="b", body="", state="failed", created_at=NOW - timedelta(days=2))
    OutboxMessage.objects.create(subject="c", body="", state="sent", created_at=NOW)
    OutboxMessage.objects.create(subject="d", body="", state="failed", created_at=NOW - timedelta(days=20))
    organization = OrganizationFactory()
    endpoint = CallbackEndpoint.objects.create(
        organization_id=organization.pk, system="switching", url="https://example.jp/cb", secret="s"
    )
    event = OrganizationEvent.objects.create(
        organization_id=organization.pk, system="switching", sequence=1, topic="t", reference="r", payload={}
    )
    for state in ("failed", "failed", "delivered"):
        CallbackDelivery.objects.create(
            event=event, endpoint=endpoint, organization_id=organization.pk, url=endpoint.url, state=state
        )

    days = failed_deliveries_per_day(days=14, today=TODAY)
    assert [row.day for row in days] == [TODAY - timedelta(days=back) for back in range(13, -1, -1)]
    figures = {row.day: (row.mails, row.callbacks) for row in days if row.mails or row.callbacks}
    assert figures == {TODAY: (1, 2), TODAY - timedelta(days=2): (1, 0)}


def test_a_stacked_chart_draws_each_figure_to_scale() -> None:
    chart = bar_chart(
        title="t", description="d", categories=["a", "b"], series=[("x", [3.0, 0.0]), ("y", [1.0, 2.0])]
    )
    assert nice_top(4.0) == 4.0
    # Counts are told on whole ticks: 2 on an axis of 0..4, 9 on 0..20 (not 0.5 or 2.5 steps).
    assert nice_top(2.0, whole=True) == 4.0 and nice_top(9.0, whole=True) == 20.0 and nice_top(9.0) == 10.0
    # Three segments (a zero draws nothing); a's two stack to the top of the axis (4).
    assert [segment.tooltip for segment in chart.segments] == ["a x: 3", "a y: 1", "b y: 2"]
    a_x, a_y, _b_y = chart.segments
    assert a_x.height == 3 * a_y.height and a_y.y + a_y.height == a_x.y
    assert round(a_y.y, 1) == 12.0  # TOP: the stack reaches the axis's top
    assert [label for _x, label in chart.legend] == ["x", "y"]
    # Figures are written as the pages write numbers: separated thousands, no exponent.
    big = bar_chart(title="t", description="d", categories=["c"], series=[("n", [1234567.0])], unit="件")
    assert big.segments[0].tooltip == "c n: 1,234,567件" and big.ticks[-1][1] == "2,000,000"
    small = bar_chart(title="t", description="d", categories=["c"], series=[("n", [0.125])])
    assert small.ticks[1][1] == "0.05"


# --- The page ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_the_overview_shows_the_figures_as_charts_and_tables(staff_client: Client, api_retailer: Any) -> None:
    organization, token = api_retailer
    for _ in range(2):
        _application(organization, TODAY, area="04", kind=Kind.CANCEL_FORWARD)
    _message("04", MessageState.PENDING, sent=NOW)
    OutboxMessage.objects.create(subject="a", body="", state="failed", created_at=NOW)
    RequestLimit.objects.create(
        organization=organization, system="switching", rate="60/m", reason="調査のため"
    )
    for _ in range(3):
        assert (
            Client().get("/api/switching/v1/events", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )

    response = staff_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="page-title">運用状況</h1>' in page
    assert page.count("<svg viewBox") == 6 and page.count('role="img"') == 6
    # Drawn on the server: no script of its own, no inline style (the CSP allows neither).
    assert page.count("<script") == page.count("<script src=") and " style=" not in page
    assert "過去14日に受け付けた申請は 2 件です" in page
    assert "11/16 中部: 2件" in page and "11/16 スイッチング廃止取次登録: 2件" in page
    assert "未回答の電文は 1 件です" in page
    # The participant's requests: the chart's last minute and the table's total and peak.
    assert f"{organization.code} {organization.name}" in page
    assert f"11:00 {organization.code} {organization.name}: 3件" in page
    assert '<td class="num">3</td><td class="num">3</td><td>1分あたり60回（個別に制限中）</td>' in page
    assert "既定は1分あたり1,200回です" in page
    assert "送信に失敗したメールは 1 件、コールバックは 0 件です" in page
    assert 'href="/backoffice/mail/?state=failed"' in page


@pytest.mark.usefixtures("clock")
def test_an_empty_overview_says_so(staff_client: Client) -> None:
    page = staff_client.get(URL).content.decode()
    assert "過去14日に受け付けた申請はありません。" in page
    assert "過去60分にAPIの要求はありません。" in page
    assert "未回答の電文は 0 件です" in page


@pytest.mark.parametrize("role", [role.value for role in StaffRole])
def test_every_staff_role_opens_the_overview(db: None, client: Client, role: str) -> None:
    from kouiki.identity import access

    client.force_login(StaffFactory(login_id=f"s{role[:6]}", staff_roles=[role]))
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    assert client.get(URL).status_code == 200
    assert URL in client.get("/backoffice/").content.decode()


def test_participants_and_strangers_cannot_open_the_overview(client: Client, member_user: User) -> None:
    assert sent_to_login(client.get(URL), "backoffice")
    client.force_login(member_user)
    assert sent_to_login(client.get(URL), "backoffice")


@pytest.fixture
def api_retailer(db: None, settings: Any, monkeypatch: Any) -> tuple[Organization, str]:
    settings.KOUIKI_API_RATE = "1200/m"
    # With the database cache the page reads the organizations whose tokens were used in the hour;
    # a token's use is written once a minute per process, remembered by its id — which the rolled
    # back tests before this one reused, at other times of their own clocks.
    monkeypatch.setattr(tokens, "_last_used_written", {})
    organization = OrganizationFactory(name="新電力X株式会社")
    user = participant(organization=organization, system="switching", login_id="usr001")
    ensure_demo_token(user=user, raw="test-overview")
    return organization, "test-overview"
