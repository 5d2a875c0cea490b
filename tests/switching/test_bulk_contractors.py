"""A contractor's bulk file (X-I2, issue 15, with issue 14's bulk files): filed for the principal it
acts for, the job acting for that principal batch by batch, and stopped at once when the grant is
revoked — its rows not applied yet fail with the refusal, nothing more is filed."""

from __future__ import annotations

from typing import Any

import pytest

from kouiki.bulk import services
from kouiki.bulk.models import FileState, RowState
from kouiki.core.systems import Role, System
from kouiki.identity import access
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.models import ContractorGrant, Enrollment, Organization, User
from kouiki.identity.services import contractors
from kouiki.switching.models import Application
from tests.factories import OrganizationFactory, UserFactory
from tests.switching.bulk_helpers import csv_bytes
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, START, Retailer, make_point

pytestmark = pytest.mark.usefixtures("clock")


def contractor_user(organization: Organization, login_id: str, role: str = Role.USER) -> User:
    user = UserFactory(organization=organization, login_id=login_id)
    Enrollment.objects.create(
        user=user, system=System.SWITCHING, role=role, participant_kind=ParticipantKind.CONTRACTOR
    )
    return user


@pytest.fixture
def agent(db: None) -> User:
    organization = OrganizationFactory(code="9501", name="請求代行株式会社")
    contractor_user(organization, "adm001", Role.ADMIN)
    return contractor_user(organization, "usr001")


@pytest.fixture
def grant(retailer_a: Retailer, agent: User) -> ContractorGrant:
    return contractors.grant(
        actor=retailer_a.admin,
        contractor_code="9501",
        functions=["SW-L06", "SW-W02"],
        valid_from=START.date(),
    )


def row(point: str) -> list[str]:
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
    file = services.upload(
        actor=agent, function_id="SW-W02", name="cf.csv", data=csv_bytes("SW-W02", [row(p) for p in points])
    )
    assert file.organization_id == retailer.organization.pk and file.good_rows == len(points)
    with capture(execute=True):
        services.confirm(actor=agent, file=file)
    return file


def test_a_contractors_file_is_filed_for_its_principal_and_a_revoked_grant_stops_the_next(
    retailer_a: Retailer,
    retailer_b: Retailer,
    agent: User,
    grant: ContractorGrant,
    django_capture_on_commit_callbacks: Any,
) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2, 3, 4)]
    first = uploaded(agent, retailer_a, points[:2], django_capture_on_commit_callbacks)
    assert services.run(first.pk) == "done"  # the job loads the user afresh and acts for 9101
    first.refresh_from_db()
    assert (first.state, first.done_rows, first.failed_rows) == (FileState.DONE, 2, 0)
    filed = Application.objects.filter(supply_point__number__in=points[:2])
    assert {application.organization_id for application in filed} == {retailer_a.organization.pk}

    second = uploaded(agent, retailer_a, points[2:], django_capture_on_commit_callbacks)
    contractors.revoke(actor=retailer_a.admin, grant=grant)
    assert services.run(second.pk) == "done"
    second.refresh_from_db()
    assert (second.state, second.done_rows, second.failed_rows) == (FileState.DONE, 0, 2)
    assert set(second.rows.values_list("state", flat=True)) == {RowState.FAILED}
    assert all(error for error in second.rows.values_list("error", flat=True))
    assert not Application.objects.filter(supply_point__number__in=points[2:]).exists()
