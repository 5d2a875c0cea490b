"""Fixtures of the API tests: two retailers with switching users and tokens, supply points of the
second one, and clients that call the API with a Bearer token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from kouiki.core.calendar import JST
from kouiki.core.systems import Role, System
from kouiki.identity.models import Organization, User
from kouiki.identity.services.tokens import ensure_demo_token
from kouiki.switching.models import CLASS_VOLTAGE, PointClass
from kouiki.switching.services.registry import register_supply_point
from kouiki.tso.models import MessageState, OperatorMessage
from kouiki.tso.services import delivery
from tests.factories import OrganizationFactory, participant
from tests.tso.calendars import load_reading_calendars

API = "/api/switching/v1"
CUSTOMER_NAME = "広域 太郎"
CUSTOMER_ADDRESS = "東京都千代田区丸の内一丁目1番1号"


# Monday 2026-11-02 10:00 in Japan; Tuesday 11-03 is a public holiday (文化の日).
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)


@pytest.fixture(autouse=True)
def api_settings(settings: Any) -> None:
    settings.KOUIKI_TSO_ADAPTER = "simulator"
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []


@pytest.fixture
def clock() -> Iterator[Any]:
    """The clock held at START (a business day); move it with clock.move_to(...)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def operators_work() -> None:
    """What the workers do: send every pending message to its operator (the simulator), then read
    the operators' answers due by now."""
    for pk in OperatorMessage.objects.filter(state=MessageState.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)
    delivery.poll_answers()


@dataclass
class Retailer:
    organization: Organization
    admin: User
    user: User
    token: str


def make_retailer(code: str, name: str) -> Retailer:
    organization = OrganizationFactory(code=code, name=name)
    admin = participant(
        organization=organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001"
    )
    user = participant(organization=organization, system=System.SWITCHING, login_id="usr001")
    token = f"test-{code}"
    ensure_demo_token(user=user, raw=token)
    return Retailer(organization=organization, admin=admin, user=user, token=token)


@pytest.fixture
def retailer_a(db: None) -> Retailer:
    """新電力A: the new retailer in the switching tests."""
    return make_retailer("9101", "新電力A株式会社")


@pytest.fixture
def retailer_b(db: None) -> Retailer:
    """新電力B: the current retailer of the supply points below."""
    return make_retailer("9102", "新電力B株式会社")


def point_number(serial: int, area: str = "03") -> str:
    return f"{area}{serial:020d}"


def make_point(retailer: Organization, serial: int, *, area: str = "03", **fields: Any) -> str:
    """A low-voltage point (or of `point_class`) in service supplied by `retailer` (contract number
    B-<serial>, 検針日程 10, its area's calendar loaded)."""
    number = point_number(serial, area)
    values: dict[str, Any] = {
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "customer_phone": "03-1234-5678",
        "retail_contract_number": f"B-{serial:04d}",
        "retailer": retailer,
        "contract_state": "in_service",
        "contract_decision_method": "ampere",
        "current_limit_a": 30,
        "reading_day": "10",
        "meter": {"meter_number": f"M{serial:08d}", "smart_meter": True},
        **fields,
    }
    point_class = values.pop("point_class", PointClass.LOW)
    register_supply_point(
        number=number,
        voltage=CLASS_VOLTAGE[point_class],
        point_class=point_class,
        valid_from=timezone.make_aware(datetime(2020, 4, 1)),
        **values,
    )
    load_reading_calendars(areas=[area])
    return number


@pytest.fixture
def points(retailer_b: Retailer) -> list[str]:
    """Five Tokyo-area points of 新電力B."""
    return [make_point(retailer_b.organization, serial) for serial in range(1, 6)]


def cancel_forward_body(number: str, serial: int | None = None, **changes: Any) -> dict[str, Any]:
    serial = serial if serial is not None else int(number[-4:])
    return {
        "supply_point_number": number,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": f"B-{serial:04d}",
        **changes,
    }


class ApiClient:
    """A test client that sends the token and JSON."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(
            f"{API}{path}", headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs
        )

    def post(self, path: str, data: Any = None, *, key: str | None = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if key is not None:
            headers["Idempotency-Key"] = key
        body = kwargs.pop("raw", None)
        if body is None:
            import json

            body = json.dumps(data if data is not None else {}, ensure_ascii=False)
        return self.client.post(
            f"{API}{path}", data=body, content_type="application/json", headers=headers, **kwargs
        )


@pytest.fixture
def api() -> Callable[[str | None], ApiClient]:
    """`api(token)`: a client calling the API with that token (None: no Authorization header)."""
    return ApiClient
