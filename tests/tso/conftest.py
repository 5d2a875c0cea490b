"""The gateway's tests fake only its outside: the hub (a dict-backed registry reader and an answer
handler that keeps what it is given) and, in the HTTP tests, the network."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine

from kouiki.core.calendar import JST
from kouiki.tso import services
from kouiki.tso.services.gateway import Answer

TOKYO_SMART = "0300000000000000000001"
TOKYO_STOPPED = "0300000000000000000002"
TOKYO_OLD_METER = "0300000000000000000003"
TOKYO_ABOLISHED = "0300000000000000000004"
KANSAI_POINT = "0600000000000000000001"

# Monday 2026-11-02 10:00 in Japan: a business day, far from month ends.
START = datetime(2026, 11, 2, 10, 0, tzinfo=JST)


def point_items(number: str, **changes: Any) -> dict[str, Any]:
    """What the hub's reader returns for a low-voltage point (SupplyPointVersion names)."""
    items: dict[str, Any] = {
        "supply_point_number": number,
        "area": number[:2],
        "voltage": "low",
        "isolated_island": False,
        "contract_capacity": "3.0",
        "current_limit_a": 30,
        "service_menu": "低圧標準接続送電サービス",
        "power_factor": None,
        "supply_method": "1p3w",
        "contract_decision_method": "ampere",
        "meter": {"meter_number": f"{number[:2]}0000000001", "smart_meter": True, "multiplier": 1},
        "smart_meter": True,
        "pole_number": "本町幹12-3",
        "grid_connection": False,
        "contract_changed_on": "2020-04-01",
        "reading_day": "10",  # a 検針日程 Tokyo has (kouiki.tso.choices.READING_CODES)
        "contract_state": "in_service",
        "abolition_method": "",
        "customer_name": "広域 太郎",
        "customer_address": "東京都千代田区丸の内一丁目1番1号",
        "customer_phone": "03-1234-5678",
        "retail_contract_number": "B-0001",
        "retailer_code": "9102",
    }
    return items | changes


class FakeRegistry:
    """The hub's registry as the simulator sees it: a dict of point number -> items."""

    def __init__(self) -> None:
        self.points: dict[str, dict[str, Any]] = {
            TOKYO_SMART: point_items(TOKYO_SMART),
            TOKYO_STOPPED: point_items(TOKYO_STOPPED, contract_state="stopped"),
            TOKYO_OLD_METER: point_items(
                TOKYO_OLD_METER,
                smart_meter=False,
                meter={"meter_number": "030000000003", "smart_meter": False},
            ),
            TOKYO_ABOLISHED: point_items(TOKYO_ABOLISHED, contract_state="abolished"),
            KANSAI_POINT: point_items(
                KANSAI_POINT,
                current_limit_a=None,
                contract_decision_method="capacity",
                contract_capacity="6.0",
            ),
        }
        self.reads = 0

    def __call__(self, number: str) -> dict[str, Any] | None:
        self.reads += 1
        found = self.points.get(number)
        return copy.deepcopy(found) if found is not None else None


class FakeHub:
    """The hub's answer handler: keeps every answer it is given; can be told to fail."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.failing = False

    def __call__(self, answer: Answer) -> None:
        if self.failing:
            raise RuntimeError("hub is failing")
        self.answers.append(answer)

    def of(self, message_id: str) -> list[tuple[str, str]]:
        return [(a.outcome, a.step) for a in self.answers if a.message_id == message_id]

    def final(self, message_id: str) -> Answer:
        [answer] = [a for a in self.answers if a.message_id == message_id and a.is_final]
        return answer


@pytest.fixture(autouse=True)
def tso_settings(settings: Any) -> None:
    settings.KOUIKI_TSO_ADAPTER = "simulator"
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = []
    settings.KOUIKI_TSO_SIMULATOR_HTTP = False
    settings.KOUIKI_TSO_SIMULATOR_TOKEN = ""
    settings.KOUIKI_TSO_RETRY_BASE_SECONDS = 30
    settings.KOUIKI_TSO_RETRY_MAX_SECONDS = 600
    settings.KOUIKI_TSO_LEASE_SECONDS = 120
    settings.KOUIKI_TSO_SWEEP_AFTER_SECONDS = 120


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    """Lend the gateway a dict-backed registry in place of the hub's (restored afterwards)."""
    monkeypatch.setattr(services, "_registry_reader", services.registry_reader())
    fake = FakeRegistry()
    services.register_registry_reader(fake)
    return fake


@pytest.fixture(autouse=True)
def hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """Register a hub that keeps its answers in place of the hub's handler (restored afterwards)."""
    monkeypatch.setattr(services, "_answer_handler", services.answer_handler())
    fake = FakeHub()
    services.register_answer_handler(fake)
    return fake


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """The clock held at START (Japan time); move it with clock.move_to(...)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
