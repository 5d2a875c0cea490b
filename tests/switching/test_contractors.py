"""受託者 (X-I2, ADR 32) on the screens: the principal's administrator grants and revokes, the
contractor's user chooses the principal in the header and files for it, the back office lists
every grant, and the audit log and the ledger show both parties."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.bulk import services as bulk
from kouiki.bulk.models import FileState, RowState
from kouiki.core import catalog
from kouiki.core.errors import ValidationFailed
from kouiki.core.systems import Role, System
from kouiki.identity import access
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.models import ContractorGrant, Enrollment, Organization, User
from kouiki.identity.services import contractors
from kouiki.switching.models import Application
from tests.factories import OrganizationFactory, UserFactory, dr_contractor_user
from tests.switching.bulk_helpers import csv_bytes
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, START, Retailer, make_point

pytestmark = pytest.mark.usefixtures("clock")

GRANTED = ["SW-L06", "SW-L07", "SW-L08", "SW-L14", "SW-L15"]


def contractor_user(organization: Organization, login_id: str, role: str = Role.USER) -> User:
    user = UserFactory(organization=organization, login_id=login_id)
    Enrollment.objects.create(
        user=user, system=System.SWITCHING, role=role, participant_kind=ParticipantKind.CONTRACTOR
    )
    return user


@pytest.fixture
def agent(db: None) -> User:
    """A user of 請求代行株式会社 (9501), a contractor."""
    organization = OrganizationFactory(code="9501", name="請求代行株式会社")
    contractor_user(organization, "adm001", Role.ADMIN)
    return contractor_user(organization, "usr001")


@pytest.fixture
def grant(retailer_a: Retailer, agent: User) -> ContractorGrant:
    return contractors.grant(
        actor=retailer_a.admin, contractor_code="9501", functions=GRANTED, valid_from=START.date()
    )


def choose(client: Client, code: str) -> Any:
    return client.post(reverse("switching:acting"), {"principal": code})


def test_the_contractor_chooses_its_principal_and_files_a_cancel_forward_as_its_own(
    client: Client, retailer_a: Retailer, retailer_b: Retailer, agent: User, grant: ContractorGrant
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(agent)
    menu = client.get(reverse("switching:menu")).content.decode()
    assert "委託者を選択してください" in menu and 'value="9101"' in menu
    # Before it chooses, a business screen sends it back to the menu.
    waiting = client.get(reverse("sw:cancel_forward_new"))
    assert waiting.status_code == 302 and waiting["Location"] == reverse("switching:menu")
    assert choose(client, "9101").status_code == 302
    menu = client.get(reverse("switching:menu")).content.decode()
    assert "新電力A株式会社の受託者として操作中" in menu

    data = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": "B-0001",
        "desired_date": "",
        "step": "submit",
    }
    done = client.post(reverse("sw:cancel_forward_new"), data)
    assert done.status_code == 302, done.content.decode()
    application = Application.objects.get()
    assert application.organization_id == retailer_a.organization.pk
    assert client.get(done["Location"]).status_code == 200
    # The principal sees it as its own application.
    principal = Client()
    principal.force_login(retailer_a.user)
    assert principal.get(done["Location"]).status_code == 200
    event = Event.objects.filter(action=Action.SWITCHING_APPLICATION_FILE).latest("id")
    assert (event.organization_code, event.contractor_code, event.actor_id) == ("9101", "9501", agent.pk)


def test_functions_outside_the_grant_and_other_principals_are_refused(
    client: Client, retailer_a: Retailer, retailer_b: Retailer, agent: User, grant: ContractorGrant
) -> None:
    client.force_login(agent)
    assert choose(client, "9102").status_code == 403  # 新電力B gave it nothing
    choose(client, "9101")
    assert client.get(reverse("sw:facility_inquiry")).status_code == 403
    assert client.get(reverse("sw:operators")).status_code == 403
    assert client.get(reverse("sw:cancel_forward_new")).status_code == 200
    # Its own organization's administration is not the principal's: no grant screens for it.
    assert client.get(reverse("switching:contractor_grants")).status_code == 403


def test_a_revoked_grant_ends_the_session_choice_at_the_next_request(
    client: Client, retailer_a: Retailer, agent: User, grant: ContractorGrant
) -> None:
    client.force_login(agent)
    choose(client, "9101")
    assert client.get(reverse("sw:cancel_forward_new")).status_code == 200
    contractors.revoke(actor=retailer_a.admin, grant=grant)
    response = client.get(reverse("sw:cancel_forward_new"))
    assert response.status_code == 302 and response["Location"] == reverse("switching:menu")
    assert "委託が終了したため" in client.get(reverse("switching:menu")).content.decode()
    assert access.ACTING_SESSION_KEY in client.session and not client.session[access.ACTING_SESSION_KEY]


def test_an_ended_grant_is_refused_the_day_after_its_last(
    client: Client, retailer_a: Retailer, agent: User, clock: Any
) -> None:
    contractors.grant(
        actor=retailer_a.admin,
        contractor_code="9501",
        functions=GRANTED,
        valid_from=START.date(),
        valid_until=START.date() + timedelta(days=1),
    )
    client.force_login(agent)
    assert choose(client, "9101").status_code == 302
    clock.move_to(START + timedelta(days=2))
    client.force_login(agent)  # a new day's session
    assert choose(client, "9101").status_code == 403
    assert 'value="9101"' not in client.get(reverse("switching:menu")).content.decode()


def test_the_administrator_grants_on_the_screen_after_confirming_and_revokes(
    client: Client, retailer_a: Retailer, agent: User
) -> None:
    client.force_login(retailer_a.admin)
    assert "業務委託（受託者）" in client.get(reverse("switching:menu")).content.decode()
    url = reverse("switching:contractor_grant_create")
    data = {"contractor_code": "9501", "functions": GRANTED, "valid_from": "2026-11-02", "valid_until": ""}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "請求代行株式会社" in confirm.content.decode()
    assert not ContractorGrant.objects.exists()
    done = client.post(url, {**data, "confirmed": "1"})
    assert done.status_code == 302
    grant = ContractorGrant.objects.get()
    assert grant.functions == GRANTED and grant.granted_by == retailer_a.admin
    assert "9501 請求代行株式会社" in client.get(reverse("switching:contractor_grants")).content.decode()
    # A second open grant to the same contractor, a company that is no contractor, SW-U*: refused.
    again = client.post(url, {**data, "confirmed": "1"})
    assert "すでに登録されています" in again.content.decode()
    other = client.post(url, {**data, "contractor_code": "9101"})
    assert "受託者としてスイッチング支援システムに登録されていません" in other.content.decode()
    admin_only = client.post(url, {**data, "functions": ["SW-U01"]})
    assert "委託できない機能です" in admin_only.content.decode()

    revoke = reverse("switching:contractor_grant_revoke", args=[grant.pk])
    assert client.get(revoke).status_code == 200
    assert client.post(revoke).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == retailer_a.admin
    assert Event.objects.filter(action=Action.CONTRACTOR_GRANT).count() == 1
    assert Event.objects.filter(action=Action.CONTRACTOR_REVOKE).count() == 1
    # Another organization's grant is not found.
    other_admin = Client()
    other_admin.force_login(make_admin("9102"))
    assert other_admin.post(revoke).status_code == 404


def make_admin(code: str) -> User:
    from tests.switching.conftest import make_retailer

    return make_retailer(code, f"事業者{code}").admin


def test_a_dr_contractor_can_delegate_only_its_own_functions(db: None, agent: User) -> None:
    organization = OrganizationFactory(code="9401")
    admin = dr_contractor_user(organization=organization, role=Role.ADMIN)
    with pytest.raises(ValidationFailed, match="委託できません"):
        contractors.grant(actor=admin, contractor_code="9501", functions=["SW-L06"], valid_from=START.date())
    grant = contractors.grant(
        actor=admin, contractor_code="9501", functions=["SW-L01"], valid_from=START.date()
    )
    assert grant.functions == ["SW-L01"]


def test_the_contractor_lists_its_principals(client: Client, agent: User, grant: ContractorGrant) -> None:
    client.force_login(agent)
    page = client.get(reverse("switching:contractor_principals")).content.decode()
    assert "9101 新電力A株式会社" in page and "SW-L06" in page


def test_the_back_office_lists_every_grant_and_the_audit_log_shows_both(
    staff_client: Client, retailer_a: Retailer, agent: User, grant: ContractorGrant
) -> None:
    page = staff_client.get(reverse("backoffice:switching_contractor_grants")).content.decode()
    assert "9101 新電力A株式会社" in page and "9501 請求代行株式会社" in page
    found = staff_client.get(reverse("backoffice:switching_contractor_grants"), {"query": "9999"})
    assert "業務委託はありません" in found.content.decode()
    access.act_for(agent, "9101")
    from kouiki.audit.services import record

    record(actor=agent, action=Action.SWITCHING_APPLICATION_FILE, system=System.SWITCHING)
    listing = staff_client.get(
        reverse("backoffice:audit_list"), {"organization_code": "9501"}
    ).content.decode()
    assert "受託者 9501" in listing
    csv = staff_client.get(reverse("backoffice:audit_export"), {"organization_code": "9501"})
    text = (
        b"".join(csv.streaming_content).decode("utf-8-sig")
        if csv.streaming
        else csv.content.decode("utf-8-sig")
    )
    assert "受託者の事業者コード" in text.splitlines()[0]
    assert text.splitlines()[1].endswith(",9501")


def test_the_demo_contractor_acts_for_shin_denryoku_a_with_its_token(db: None) -> None:
    from django.test import Client as ApiClient

    from kouiki.switching import demo

    demo.load()
    assert demo.load() == 0
    user = User.objects.get(organization__code="9501", login_id="usr001")
    assert user.check_password("Demo-pass1")
    grant = ContractorGrant.objects.get(contractor__code="9501")
    assert (grant.principal.code, grant.functions) == ("9101", GRANTED)
    headers = {"Authorization": "Bearer demo-9501"}
    client = ApiClient()
    assert client.get("/api/switching/v1/applications", headers=headers).status_code == 403
    acting = {**headers, "X-Acting-For": "9101"}
    assert client.get("/api/switching/v1/applications", headers=acting).status_code == 200
    assert client.get("/api/switching/v1/operators", headers=acting).status_code == 403


SWITCHING_SCREENS = [
    function
    for function in catalog.functions(system="switching")
    if function.built and function.url_name and function.who & {"R", "D"}
]


@pytest.mark.parametrize("function", SWITCHING_SCREENS, ids=lambda f: f.id)
def test_every_switching_screen_follows_the_grant(
    client: Client, retailer_a: Retailer, agent: User, grant: ContractorGrant, function: catalog.Function
) -> None:
    """The permission table for a contractor: acting for nobody, every business screen sends it to
    the principal selector; acting for 新電力A, exactly the granted functions open."""
    url = reverse(function.url_name)  # type: ignore[arg-type]
    client.force_login(agent)
    waiting = client.get(url)
    assert waiting.status_code == 302 and waiting["Location"] == reverse("switching:menu"), function.id
    choose(client, "9101")
    expected = 200 if function.id in GRANTED else 403
    assert client.get(url).status_code == expected, function.id


def bulk_row(point: str) -> list[str]:
    return [
        "1",
        "",
        point,
        CUSTOMER_NAME,
        "コウイキ タロウ",
        CUSTOMER_ADDRESS,
        "",
        "B-1",
        "請求 花子",
        "03-1234-5678",
        "",
    ]


def uploaded(agent: User, retailer: Retailer, points: list[str], capture: Any) -> Any:
    access.act_for_organization(agent, retailer.organization.pk)  # as the session's choice does
    file = bulk.upload(
        actor=agent,
        function_id="SW-W02",
        name="cf.csv",
        data=csv_bytes("SW-W02", [bulk_row(p) for p in points]),
    )
    assert file.organization_id == retailer.organization.pk and file.good_rows == len(points)
    with capture(execute=True):
        bulk.confirm(actor=agent, file=file)
    return file


# --- a contractor's bulk file (issue 14's bulk files): the job acts for the principal batch by batch


def test_a_contractors_bulk_file_is_filed_for_its_principal_and_a_revoked_grant_stops_the_next(
    retailer_a: Retailer,
    retailer_b: Retailer,
    agent: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    grant = contractors.grant(
        actor=retailer_a.admin,
        contractor_code="9501",
        functions=["SW-L06", "SW-W02"],
        valid_from=START.date(),
    )
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2, 3, 4)]
    first = uploaded(agent, retailer_a, points[:2], django_capture_on_commit_callbacks)
    assert bulk.run(first.pk) == "done"  # the job loads the user afresh and acts for 9101
    first.refresh_from_db()
    assert (first.state, first.done_rows, first.failed_rows) == (FileState.DONE, 2, 0)
    filed = Application.objects.filter(supply_point__number__in=points[:2])
    assert {application.organization_id for application in filed} == {retailer_a.organization.pk}

    second = uploaded(agent, retailer_a, points[2:], django_capture_on_commit_callbacks)
    contractors.revoke(actor=retailer_a.admin, grant=grant)
    assert bulk.run(second.pk) == "done"
    second.refresh_from_db()
    assert (second.state, second.done_rows, second.failed_rows) == (FileState.DONE, 0, 2)
    assert set(second.rows.values_list("state", flat=True)) == {RowState.FAILED}
    assert all(error for error in second.rows.values_list("error", flat=True))
    assert not Application.objects.filter(supply_point__number__in=points[2:]).exists()
