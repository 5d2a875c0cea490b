"""Fixtures of the switching tests: two retailers enrolled in the switching system, supply points of
the second one, the clock held on a business day, and the operators (the gateway's simulator)
doing their work when a test asks them to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from kouiki.core.calendar import JST
from kouiki.core.systems import Role, System
from kouiki.identity.models import Organization, User
from kouiki.switching.models import CLASS_VOLTAGE, Application, SupplyPointVersion, Voltage
from kouiki.switching.services.registry import register_supply_point
from kouiki.tso.models import MessageState, OperatorMessage
from kouiki.tso.services import delivery
from tests.factories import OrganizationFactory, participant
from tests.tso.calendars import load_reading_calendars

CUSTOMER_NAME = "広域 太郎"
CUSTOMER_ADDRESS = "東京都千代田区丸の内一丁目1番1号"
# Monday 2026-11-02 10:00 in Japan; Tuesday 11-03 is a public holiday (文化の日).
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)
REGISTERED = datetime(2025, 4, 1, tzinfo=JST)


@dataclass
class Retailer:
    organization: Organization
    admin: User
    user: User

    @property
    def code(self) -> str:
        return self.organization.code


def make_retailer(code: str, name: str) -> Retailer:
    organization = OrganizationFactory(code=code, name=name)
    admin = participant(
        organization=organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001"
    )
    user = participant(organization=organization, system=System.SWITCHING, login_id="usr001")
    return Retailer(organization=organization, admin=admin, user=user)


@pytest.fixture
def retailer_a(db: None) -> Retailer:
    """新電力A: the new retailer in the switching tests."""
    return make_retailer("9101", "新電力A株式会社")


@pytest.fixture
def retailer_b(db: None) -> Retailer:
    """新電力B: the current retailer of the points made by `make_point`."""
    return make_retailer("9102", "新電力B株式会社")


@pytest.fixture(autouse=True)
def operator_settings(settings: Any) -> None:
    settings.KOUIKI_TSO_ADAPTER = "simulator"
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """The clock held at START; move it with clock.move_to(...)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def number(serial: int, area: str = "03") -> str:
    return f"{area}{serial:020d}"


def make_point(retailer: Organization | None, serial: int, *, area: str = "03", **fields: Any) -> str:
    """A low-voltage point (or of `point_class`) in service with a smart meter, supplied by
    `retailer`, customer 広域 太郎, contract number B-<serial>, 検針日程 10 (its area's calendar
    loaded)."""
    point_number = number(serial, area)
    values: dict[str, Any] = {
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "customer_phone": "03-1234-5678",
        "retail_contract_number": f"B-{serial:04d}",
        "retailer": retailer,
        "contract_state": "in_service",
        "contract_decision_method": "ampere",
        "current_limit_a": 30,
        "contract_capacity": Decimal("3.0"),
        "reading_day": "10",
        "meter": {"meter_number": f"M{serial:08d}", "smart_meter": True},
        **fields,
    }
    point_class = values.pop("point_class", None)
    voltage = values.pop("voltage", CLASS_VOLTAGE[point_class] if point_class else Voltage.LOW)
    register_supply_point(
        number=point_number, voltage=voltage, point_class=point_class, valid_from=REGISTERED, **values
    )
    load_reading_calendars(areas=[area])
    return point_number


def current(point_number: str) -> SupplyPointVersion:
    return SupplyPointVersion.objects.select_related("retailer").get(
        supply_point__number=point_number, valid_to__isnull=True
    )


def operators_work() -> None:
    """What the workers do: send every pending message to its operator (the simulator answers
    "accepted", and an inquiry at once), then read the operators' answer feeds, where the work due
    by now (a switch on its switching date) is answered."""
    for pk in OperatorMessage.objects.filter(state=MessageState.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)
    delivery.poll_answers()


def reload(application: Application) -> Application:
    application.refresh_from_db()
    return application
