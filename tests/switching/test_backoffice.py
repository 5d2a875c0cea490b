"""Back office: staff read every organization's applications and switches, without the
customers' identification; participants cannot open it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kouiki.switching.services import switches
from tests.access import sent_to_login
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, Retailer, make_point

pytestmark = pytest.mark.usefixtures("clock")


def test_staff_see_applications_and_switches(
    staff_client: Client, retailer_a: Retailer, retailer_b: Retailer, django_assert_max_num_queries: Any
) -> None:
    point = make_point(retailer_b.organization, 1)
    application = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    number = application.switch.number  # type: ignore[union-attr]
    with django_assert_max_num_queries(10):
        listing = staff_client.get("/backoffice/switching/").content.decode()
    assert application.reception_number in listing and "9101" in listing
    assert (
        application.reception_number
        in staff_client.get(
            "/backoffice/switching/", {"organization_code": "9101", "kind": "cancel_forward"}
        ).content.decode()
    )
    assert (
        application.reception_number
        not in staff_client.get("/backoffice/switching/", {"organization_code": "9102"}).content.decode()
    )
    detail = staff_client.get(f"/backoffice/switching/applications/{application.reception_number}/")
    assert detail.status_code == 200
    switch_page = staff_client.get(f"/backoffice/switching/switches/{number}/").content.decode()
    assert number in switch_page and "現小売判断待ち" in switch_page
    assert CUSTOMER_ADDRESS not in switch_page and CUSTOMER_ADDRESS not in detail.content.decode()
    assert number in staff_client.get("/backoffice/switching/switches/").content.decode()
    assert staff_client.get("/backoffice/switching/switches/HT0/").status_code == 404


def test_participants_cannot_open_the_back_office(client: Client, retailer_a: Retailer) -> None:
    client.force_login(retailer_a.user)
    assert sent_to_login(client.get("/backoffice/switching/"), "backoffice")
