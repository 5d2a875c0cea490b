"""A demand-response contractor (需要抑制契約者) through the API (FUNCTIONS.md 2.3, seed 001 2.2.2,
ADR 22): its token inquires and reads the status of its applications; every other switching
operation answers 403 with nothing filed; the demo token `demo-9401` works as the README says."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kouiki.core.systems import System
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.models import Enrollment
from kouiki.identity.services.tokens import ensure_demo_token
from kouiki.switching.models import Application
from tests.api.conftest import Retailer, cancel_forward_body, operators_work, point_number
from tests.factories import OrganizationFactory, corporate_number, dr_contractor_user, participant

pytestmark = pytest.mark.usefixtures("clock")

TOKEN = "test-9401"
SWITCH = "HT00000000000001"
RECEPTION = "2026110200000001"


@pytest.fixture
def contractor(db: None) -> str:
    """デマンドレスポンス株式会社 (9401)'s usr001, and its token."""
    organization = OrganizationFactory(code="9401", name="デマンドレスポンス株式会社", business_types=[])
    user = dr_contractor_user(organization=organization, login_id="usr001")
    ensure_demo_token(user=user, raw=TOKEN)
    return TOKEN


def test_a_dr_contractor_inquires_and_reads_the_status_of_its_applications(
    api: Any, contractor: str, points: list[str]
) -> None:
    client = api(contractor)
    facility = client.post("/facility-inquiries", {"supply_point_number": points[0], "purpose": "point_info"})
    password = client.post("/usage-passwords", {"supply_point_number": points[1], "purpose": "point_info"})
    retrieval = client.post(
        "/usage-retrievals",
        {"supply_point_number": points[2], "password": "WRONG-PASS", "purpose": "point_info"},
    )
    assert facility.status_code == password.status_code == retrieval.status_code == 202
    numbers = [answer.json()["reception_number"] for answer in (facility, password, retrieval)]
    operators_work()

    statuses = client.post("/applications/statuses", {"reception_numbers": numbers})
    assert statuses.status_code == 200
    assert [(r["reception_number"], r["found"]) for r in statuses.json()["results"]] == [
        (number, True) for number in numbers
    ]
    listed = client.get("/applications")
    assert listed.status_code == 200
    assert set(numbers) <= {a["reception_number"] for a in listed.json()["applications"]}
    assert client.get("/events").status_code == 200
    result = client.get(f"/facility-inquiries/{numbers[0]}")
    assert result.status_code == 200
    assert result.json()["result"]["facility"]["supply_point_number"] == points[0]
    assert client.get(f"/usage-retrievals/{numbers[2]}").status_code == 200
    # Not the point's retailer: no customer's basic info in the result, none on request.
    assert "customer_name" not in result.json()["result"]["facility"]
    customer = client.get(f"/supply-points/{points[0]}/customer", data={"purpose": "point_info"})
    assert customer.status_code == 404


POINT = point_number(1)  # a point of 新電力B (the `points` fixture)
REFUSED: list[tuple[str, str, dict[str, Any]]] = [
    ("post", "/cancel-forwards", cancel_forward_body(POINT)),
    ("post", "/reconnections", {"supply_point_number": POINT}),
    ("post", "/abolitions", {"supply_point_number": POINT, "removal": True}),
    ("post", "/ampere-changes", {"supply_point_number": POINT, "current_limit_a": 40}),
    ("post", "/customer-changes", {"supply_point_number": POINT, "customer_phone": "03-9999-0000"}),
    ("post", f"/received-cancel-forwards/{SWITCH}/decision", {"decision": "ok"}),
    ("post", "/switch-starts", {"switch_number": SWITCH, "contract_number": "D-0001"}),
    ("post", "/switch-abolitions", {"switch_number": SWITCH}),
    ("post", f"/cancel-forwards/{RECEPTION}/correction", {"contract_number": "B-0009"}),
    ("post", f"/cancel-forwards/{RECEPTION}/cancellation", {}),
    ("post", f"/switch-starts/{RECEPTION}/correction", {"contract_number": "D-0002"}),
    ("post", f"/switch-starts/{RECEPTION}/cancellation", {}),
    ("post", f"/switch-abolitions/{RECEPTION}/cancellation", {}),
    ("get", "/received-cancel-forwards", {}),
    ("get", f"/received-cancel-forwards/{SWITCH}", {"purpose": "cancel_forward"}),
    ("get", "/cancel-forward-results", {}),
    ("get", f"/cancel-forward-results/{SWITCH}", {"purpose": "cancel_forward"}),
    ("get", "/operators", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), REFUSED, ids=[f"{m} {p}" for m, p, _ in REFUSED])
def test_every_other_switching_operation_is_refused_with_403(
    api: Any, contractor: str, points: list[str], method: str, path: str, body: dict[str, Any]
) -> None:
    client = api(contractor)
    response = client.post(path, body, key=f"dr-{path}") if method == "post" else client.get(path, data=body)
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "forbidden"
    assert not Application.objects.exists()


def test_a_retailers_token_loses_its_switching_rights_when_its_contract_is_a_dr_contractors(
    api: Any, retailer_a: Retailer, points: list[str]
) -> None:
    """What a token may do follows the enrollment at once (the token cache is invalidated)."""
    client = api(retailer_a.token)
    assert client.get("/cancel-forward-results").status_code == 200
    enrollment = Enrollment.objects.get(user=retailer_a.user)
    enrollment.participant_kind = ParticipantKind.DR_CONTRACTOR
    enrollment.save()
    assert client.get("/cancel-forward-results").status_code == 403
    assert client.post("/cancel-forwards", cancel_forward_body(points[0])).status_code == 403
    assert client.post("/applications/statuses", {"reception_numbers": [RECEPTION]}).status_code == 200


def test_a_company_that_is_both_uses_each_sides_token_for_each_side(
    api: Any, retailer_b: Retailer, points: list[str]
) -> None:
    company = corporate_number("000012059103")
    retail = OrganizationFactory(code="9103", corporate_number=company, name="兼業電力株式会社")
    dr = OrganizationFactory(
        code="9403", corporate_number=company, name="兼業電力株式会社", business_types=[]
    )
    ensure_demo_token(user=participant(organization=retail, system=System.SWITCHING), raw="both-retail")
    ensure_demo_token(user=dr_contractor_user(organization=dr), raw="both-dr")
    filed = api("both-retail").post("/cancel-forwards", cancel_forward_body(points[0]))
    assert filed.status_code == 201, filed.content
    assert api("both-dr").post("/cancel-forwards", cancel_forward_body(points[1])).status_code == 403
    inquiry = api("both-dr").post(
        "/usage-passwords", {"supply_point_number": points[1], "purpose": "point_info"}
    )
    assert inquiry.status_code == 202
    # Each side's applications are its own.
    numbers = [filed.json()["reception_number"], inquiry.json()["reception_number"]]
    seen_by_dr = api("both-dr").post("/applications/statuses", {"reception_numbers": numbers}).json()
    assert [r["found"] for r in seen_by_dr["results"]] == [False, True]
    seen_by_retail = api("both-retail").post("/applications/statuses", {"reception_numbers": numbers}).json()
    assert [r["found"] for r in seen_by_retail["results"]] == [True, False]


def test_the_demo_token_of_the_dr_contractor_works_for_its_functions_only(api: Any, db: None) -> None:
    call_command("load_demo")
    client = api("demo-9401")
    assert client.get("/applications").status_code == 200
    point = "0300000000000000000001"  # a Tokyo point of 新電力B (README)
    inquiry = client.post("/usage-passwords", {"supply_point_number": point, "purpose": "point_info"})
    assert inquiry.status_code == 202
    refused = client.post(
        "/cancel-forwards",
        {
            "supply_point_number": point,
            "customer_name": "広域 太郎",
            "customer_address": "東京都千代田区丸の内一丁目1番1号",
            "contract_number": "B-0001",
        },
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
