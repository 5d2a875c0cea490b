"""受託者 (X-I2, ADR 32) on the API: a contractor's token names the principal it acts for in the
X-Acting-For header; what it files is the principal's, the audit log and the ledger name both; a
function outside the grant, no grant, another organization's code, a revoked or ended grant are
refused — the next call with the same (cached) token included."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.systems import Role, System
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.models import ContractorGrant, Enrollment, Organization, User
from kouiki.identity.services import contractors
from kouiki.identity.services.tokens import ensure_demo_token
from kouiki.switching.models import Application, PersonalDataAccess
from tests.api.conftest import START, cancel_forward_body
from tests.factories import OrganizationFactory, UserFactory

GRANTED = ["SW-L06", "SW-L07", "SW-L08", "SW-L14", "SW-L15"]
TOKEN = "test-9501"


def contractor_user(organization: Organization, login_id: str, role: str = Role.USER) -> User:
    user = UserFactory(organization=organization, login_id=login_id)
    Enrollment.objects.create(
        user=user, system=System.SWITCHING, role=role, participant_kind=ParticipantKind.CONTRACTOR
    )
    return user


@pytest.fixture
def contractor(db: None) -> Any:
    """請求代行株式会社 (9501): a contractor with an administrator and a user holding a token."""
    organization = OrganizationFactory(code="9501", name="請求代行株式会社")
    admin = contractor_user(organization, "adm001", Role.ADMIN)
    user = contractor_user(organization, "usr001")
    ensure_demo_token(user=user, raw=TOKEN)
    return type("Contractor", (), {"organization": organization, "admin": admin, "user": user})


@pytest.fixture
def grant(clock: Any, retailer_a: Any, contractor: Any) -> ContractorGrant:
    """新電力A lets 9501 file its cancel-forwards and read their status (by its administrator)."""
    return contractors.grant(
        actor=retailer_a.admin,
        contractor_code="9501",
        functions=GRANTED,
        valid_from=START.date(),
        valid_until=START.date() + timedelta(days=30),
    )


def acting(api: Any, code: str = "9101") -> Any:
    client = api(TOKEN)
    client.headers["X-Acting-For"] = code
    return client


def test_a_contractor_files_a_cancel_forward_for_its_principal_and_both_are_recorded(
    api: Any, retailer_a: Any, contractor: Any, grant: ContractorGrant, points: list[str]
) -> None:
    response = acting(api).post("/cancel-forwards", cancel_forward_body(points[0]))
    assert response.status_code == 201, response.content
    body = response.json()
    application = Application.objects.get(reception_number=body["reception_number"])
    # The principal's application: it lists it as its own.
    assert application.organization_id == retailer_a.organization.pk
    own = api(retailer_a.token).get(f"/applications/{body['reception_number']}")
    assert own.status_code == 200
    event = Event.objects.filter(action=Action.SWITCHING_APPLICATION_FILE).latest("id")
    assert (event.organization_id, event.organization_code) == (retailer_a.organization.pk, "9101")
    assert (event.contractor_id, event.contractor_code) == (contractor.organization.pk, "9501")
    assert event.actor_id == contractor.user.pk
    # The result read (SW-L07) is a personal-data read: the ledger is the principal's, by the
    # contractor's user, naming the contractor.
    result = acting(api).get(
        f"/cancel-forward-results/{body['switch_number']}", data={"purpose": "cancel_forward"}
    )
    assert result.status_code == 200, result.content
    read = PersonalDataAccess.objects.get()
    assert read.organization_id == retailer_a.organization.pk
    assert read.user_id == contractor.user.pk
    assert read.contractor_id == contractor.organization.pk


def test_a_function_outside_the_grant_is_403(
    api: Any, contractor: Any, grant: ContractorGrant, points: list[str]
) -> None:
    # 事業者一覧 (SW-C01) and 設備情報照会 (SW-L01) are 新電力A's, not given to the contractor.
    assert acting(api).get("/operators").status_code == 403
    refused = acting(api).post(
        "/facility-inquiries", {"supply_point_number": points[0], "purpose": "point_info"}
    )
    assert refused.status_code == 403
    assert "利用権限がありません" in refused.json()["detail"]


def test_the_contractor_sees_none_of_the_principals_other_applications(
    api: Any, retailer_a: Any, contractor: Any, grant: ContractorGrant, points: list[str]
) -> None:
    inquiry = api(retailer_a.token).post(
        "/facility-inquiries", {"supply_point_number": points[0], "purpose": "point_info"}
    )
    assert inquiry.status_code == 202, inquiry.content
    number = inquiry.json()["reception_number"]
    assert api(retailer_a.token).get(f"/applications/{number}").status_code == 200
    assert acting(api).get(f"/applications/{number}").status_code == 404
    listed = acting(api).get("/applications").json()
    assert number not in {row["reception_number"] for row in listed["applications"]}


def test_without_a_principal_or_a_grant_the_contractor_is_refused(
    api: Any, retailer_b: Any, contractor: Any, grant: ContractorGrant, points: list[str]
) -> None:
    alone = api(TOKEN).post("/cancel-forwards", cancel_forward_body(points[0]))
    assert alone.status_code == 403
    assert "X-Acting-For" in alone.json()["detail"]
    # 新電力B gave it nothing; an unknown code is refused the same way.
    for code in ("9102", "0000"):
        refused = acting(api, code).post("/cancel-forwards", cancel_forward_body(points[0]))
        assert refused.status_code == 403
        assert "業務委託はありません" in refused.json()["detail"]
    assert not Application.objects.exists()


def test_a_participant_naming_another_organization_is_refused(
    api: Any, retailer_a: Any, retailer_b: Any, points: list[str]
) -> None:
    client = api(retailer_a.token)
    client.headers["X-Acting-For"] = "9102"
    refused = client.post("/cancel-forwards", cancel_forward_body(points[0]))
    assert refused.status_code == 403
    assert "受託者として登録されていない" in refused.json()["detail"]
    client.headers["X-Acting-For"] = "9101"  # its own code: itself
    assert client.post("/cancel-forwards", cancel_forward_body(points[0])).status_code == 201


def test_revoking_the_grant_refuses_the_next_call_with_the_same_token(
    api: Any, retailer_a: Any, contractor: Any, grant: ContractorGrant, points: list[str]
) -> None:
    client = acting(api)
    assert client.get("/applications").status_code == 200  # token, user and grant now cached
    contractors.revoke(actor=retailer_a.admin, grant=grant)
    refused = client.get("/applications")
    assert refused.status_code == 403
    assert client.post("/cancel-forwards", cancel_forward_body(points[0])).status_code == 403
    assert Event.objects.filter(action=Action.CONTRACTOR_REVOKE, organization_code="9101").exists()


def test_an_ended_grant_refuses_from_the_day_after_its_last(
    api: Any, contractor: Any, grant: ContractorGrant, clock: Any, points: list[str]
) -> None:
    client = acting(api)
    assert client.get("/applications").status_code == 200
    clock.move_to(START + timedelta(days=30))  # its last day
    assert client.get("/applications").status_code == 200
    clock.move_to(START + timedelta(days=31))
    assert client.get("/applications").status_code == 403


def test_a_grant_not_yet_begun_refuses(
    api: Any, retailer_a: Any, contractor: Any, clock: Any, points: list[str]
) -> None:
    contractors.grant(
        actor=retailer_a.admin, contractor_code="9501", functions=GRANTED, valid_from=date(2026, 11, 10)
    )
    assert acting(api).get("/applications").status_code == 403
    clock.move_to(START + timedelta(days=8))
    assert acting(api).get("/applications").status_code == 200


def test_the_openapi_declares_the_header_on_every_operation(api: Any, db: None) -> None:
    schema = api(None).get("/openapi.json").json()
    for methods in schema["paths"].values():
        for operation in methods.values():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
            assert "X-Acting-For" in names, operation["operationId"]


def test_a_bulk_job_acts_for_the_files_organization_until_the_grant_ends(
    retailer_a: Any, retailer_b: Any, contractor: Any, grant: ContractorGrant
) -> None:
    """What a bulk job calls before each batch (access.act_for_organization): the uploading user
    acts for the principal the file was filed for, and is refused once the grant is revoked."""
    from kouiki.core.errors import Forbidden
    from kouiki.identity import access

    user = User.objects.get(pk=contractor.user.pk)  # as a job loads it
    access.act_for_organization(user, retailer_a.organization.pk)
    assert access.organization_of(user) == retailer_a.organization.pk
    assert access.may_use(user, "SW-L06") and not access.may_use(user, "SW-L01")
    with pytest.raises(Forbidden):
        access.act_for_organization(user, retailer_b.organization.pk)
    assert access.acting_for(user) is None and not access.may_use(user, "SW-L06")
    contractors.revoke(actor=retailer_a.admin, grant=grant)
    with pytest.raises(Forbidden):
        access.act_for_organization(User.objects.get(pk=contractor.user.pk), retailer_a.organization.pk)
    # A participant's own file: nothing to do.
    own = User.objects.get(pk=retailer_a.user.pk)
    access.act_for_organization(own, retailer_a.organization.pk)
    assert access.organization_of(own) == retailer_a.organization.pk


def test_idempotency_keys_are_per_principal(
    api: Any, retailer_a: Any, retailer_b: Any, contractor: Any, grant: ContractorGrant, points: list[str]
) -> None:
    contractors.grant(
        actor=retailer_b.admin, contractor_code="9501", functions=["SW-L14"], valid_from=START.date()
    )
    first = acting(api).post("/cancel-forwards", cancel_forward_body(points[0]), key="k-1")
    assert first.status_code == 201
    assert (
        acting(api).post("/cancel-forwards", cancel_forward_body(points[0]), key="k-1").content
        == first.content
    )
    # The same key for another principal is that principal's request (here refused: not granted).
    other = acting(api, "9102").post("/cancel-forwards", cancel_forward_body(points[1]), key="k-1")
    assert other.status_code == 403
