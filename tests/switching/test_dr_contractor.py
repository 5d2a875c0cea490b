"""A demand-response contractor (需要抑制契約者) on the switching screens (FUNCTIONS.md 2.3, seed 001
2.2.2, ADR 22): 設備情報照会, 使用量情報照会 and the status of its applications; every screen of
switching, reconnection, abolition and changes is refused (403), its form never submitted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core import catalog
from kouiki.core.systems import Role, System
from kouiki.identity.models import Organization, User
from kouiki.switching.models import Application
from kouiki.switching.services import applications, switches
from tests.factories import OrganizationFactory, corporate_number, dr_contractor_user, participant
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, Retailer, make_point

pytestmark = pytest.mark.usefixtures("clock")

REFUSED = "この機能を利用する権限がありません。"
SCREENS = [
    function
    for function in catalog.functions(system="switching")
    if function.built and function.url_name and function.who & {"R", "D"}
]


@pytest.fixture
def contractor(db: None) -> User:
    organization = OrganizationFactory(code="9401", name="デマンドレスポンス株式会社", business_types=[])
    return dr_contractor_user(organization=organization, login_id="usr001")


@pytest.mark.parametrize("function", SCREENS, ids=lambda f: f.id)
def test_every_switching_screen_opens_for_a_dr_contractor_exactly_as_the_catalog_says(
    client: Client, contractor: User, function: catalog.Function
) -> None:
    client.force_login(contractor)
    response = client.get(reverse(function.url_name))  # type: ignore[arg-type]
    if "D" in function.who:
        assert response.status_code == 200, function.id
    else:
        assert response.status_code == 403, function.id
        assert REFUSED in response.content.decode()


def _submit(client: Client, url_name: str, data: dict[str, Any]) -> Any:
    return client.post(reverse(url_name), {**data, "step": "submit"})


def test_a_dr_contractor_inquires_and_sees_the_status_of_its_applications(
    client: Client, contractor: User, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(contractor)
    for url_name in ("sw:facility_inquiry", "sw:usage_password"):
        done = _submit(client, url_name, {"supply_point_number": point, "purpose": "point_info"})
        assert done.status_code == 302, done.content.decode()[:2000]
    filed = list(Application.objects.filter(organization=contractor.organization).order_by("id"))
    assert len(filed) == 2
    numbers = "\n".join(application.reception_number for application in filed)
    many = client.post(reverse("sw:status_many"), {"reception_numbers": numbers}).content.decode()
    assert all(application.reception_number in many for application in filed)
    assert "うち該当なし" not in many or "うち該当なし 0件" in many
    listing = client.get(reverse("sw:applications")).content.decode()
    assert all(application.reception_number in listing for application in filed)
    detail = client.get(reverse("sw:application_detail", args=[filed[0].reception_number]))
    assert detail.status_code == 200


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        (
            "sw:cancel_forward_new",
            {
                "customer_name": CUSTOMER_NAME,
                "customer_address": CUSTOMER_ADDRESS,
                "contract_number": "B-0001",
            },
        ),
        ("sw:reconnect", {}),
        ("sw:abolish", {"removal": "on"}),
        ("sw:ampere_change", {"current_limit_a": "40"}),
        ("sw:customer_change", {"customer_phone": "03-9999-0000"}),
        ("sw:switch_start", {"switch_number": "HT00000000000001", "contract_number": "D-0001"}),
        ("sw:cancel_forward_decide", {"switch_number": "HT00000000000001", "decision": "ok"}),
        ("sw:switch_abolish", {"switch_number": "HT00000000000001"}),
    ],
)
def test_every_change_on_the_screens_is_refused_before_the_form(
    client: Client, contractor: User, retailer_b: Retailer, url_name: str, data: dict[str, Any]
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(contractor)
    response = _submit(client, url_name, {"supply_point_number": point, **data})
    assert response.status_code == 403
    assert REFUSED in response.content.decode()
    assert not Application.objects.exists()


def test_the_low_voltage_tab_lists_only_what_a_dr_contractor_may_use(
    client: Client, contractor: User
) -> None:
    client.force_login(contractor)
    page = client.get(reverse("sw:low")).content.decode()
    for url_name in ("sw:facility_inquiry", "sw:usage_password", "sw:usage_retrieve", "sw:status_many"):
        assert f'href="{reverse(url_name)}"' in page, url_name
    for url_name in ("sw:cancel_forward_new", "sw:reconnect", "sw:abolish", "sw:ampere_change", "sw:status"):
        assert f'href="{reverse(url_name)}"' not in page, url_name
    high = client.get(reverse("sw:high")).content.decode()
    assert "使用量情報照会申請" in high and "廃止取次登録" not in high


def _both(code: str, dr_code: str) -> tuple[Organization, Organization]:
    """A company that is a retailer and a DR contractor: one contract, one code for each side."""
    company = corporate_number(f"00001205{code}")
    return (
        OrganizationFactory(code=code, corporate_number=company, name="兼業電力株式会社"),
        OrganizationFactory(
            code=dr_code, corporate_number=company, name="兼業電力株式会社", business_types=[]
        ),
    )


def test_a_company_that_is_both_keeps_each_sides_rights_and_data(
    client: Client, retailer_b: Retailer
) -> None:
    retail, dr = _both("9103", "9403")
    retailer = participant(organization=retail, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")
    contractor = dr_contractor_user(organization=dr, role=Role.ADMIN, login_id="adm001")
    point = make_point(retailer_b.organization, 1)
    request = switches.register_cancel_forward(
        actor=retailer,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    inquiry = applications.apply_usage_password(
        actor=contractor, supply_point_number=point, purpose="point_info"
    )

    client.force_login(retailer)
    assert client.get(reverse("sw:cancel_forward_new")).status_code == 200
    own = client.get(reverse("sw:applications")).content.decode()
    assert request.reception_number in own and inquiry.reception_number not in own

    client.force_login(contractor)
    assert client.get(reverse("sw:cancel_forward_new")).status_code == 403
    theirs = client.get(reverse("sw:applications")).content.decode()
    assert inquiry.reception_number in theirs and request.reception_number not in theirs
    assert client.get(reverse("sw:application_detail", args=[request.reception_number])).status_code == 404
