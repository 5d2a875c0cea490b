"""Fixtures of the bulk-file tests: a small bulk function registered as SW-W02 for the test (the
switching handlers are tested with their own module), two retailers, the clock held still."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kouiki.bulk import registry
from kouiki.core.csvio import Column, CsvRow, RowError
from tests.switching.conftest import START, Retailer, make_retailer

FUNCTION_ID = "SW-W02"
UNKNOWN_PREFIX = "99"
# apply() refuses a point whose number ends so (the state changed since validation).
REFUSED_AT_APPLY = "7777"


def _digits22(value: str) -> None:
    if not (value.isdigit() and len(value) == 22):
        raise ValidationError("22桁の数字で入力してください。", code="invalid")


def _flag(value: str) -> None:
    if value not in {"1", "2", "3"}:
        raise ValidationError("1（登録）、2（訂正）、3（取消）のいずれかを入力してください。", code="invalid")


COLUMNS = (
    Column("supply_point_number", "供給地点特定番号", required=True, validator=_digits22),
    Column("customer_name", "需要者名", required=True, max_length=20),
    Column("update_flag", "更新フラグ", required=True, validator=_flag),
)


class Handler:
    """A bulk function whose rules are simple: a point starting with 99 is unknown, a point twice
    in a file is a duplicate. ``applied`` lists every line apply() filed, in order."""

    def __init__(self) -> None:
        self.applied: list[int] = []
        self.validated: list[int] = []

    def validate(self, user: Any, rows: list[CsvRow]) -> list[registry.RowCheck]:
        seen = registry.current_context().seen
        checks = []
        for row in rows:
            self.validated.append(row.line)
            number = row.data["supply_point_number"]
            errors = []
            if number.startswith(UNKNOWN_PREFIX):
                errors.append(
                    RowError(row.line, "供給地点特定番号", "供給地点が見つかりません。", "unknown_point")
                )
            elif number in seen:
                message = f"{seen[number]}行目と同じ供給地点です。"
                errors.append(RowError(row.line, "供給地点特定番号", message, "duplicate"))
            seen.setdefault(number, row.line)
            checks.append(
                registry.RowCheck(
                    line=row.line,
                    errors=errors,
                    summary={"供給地点特定番号": number, "需要者名": row.data["customer_name"]},
                    payload={"number": number, "name": row.data["customer_name"]},
                )
            )
        return checks

    def apply(self, user: Any, pairs: list[tuple[int, dict[str, Any]]]) -> list[registry.RowOutcome]:
        outcomes = []
        for line, payload in pairs:
            self.applied.append(line)
            if payload["number"].endswith(REFUSED_AT_APPLY):
                error = RowError(
                    line, "供給地点特定番号", "供給地点の状態が変わったため登録できません。", "conflict"
                )
                outcomes.append(registry.RowOutcome(line=line, error=error))
            else:
                outcomes.append(registry.RowOutcome(line=line, number=f"T{line:09d}"))
        return outcomes


def make_function(handler: Handler, **options: Any) -> registry.BulkFunction:
    return registry.BulkFunction(
        function_id=FUNCTION_ID,
        system="switching",
        title="低圧 廃止取次一括登録",
        columns=COLUMNS,
        validate=handler.validate,
        apply=handler.apply,
        example_rows=(("0300111000000000000001", "広域 太郎", "1"),),
        **options,
    )


@pytest.fixture
def handler() -> Iterator[Handler]:
    """The test's handler registered as SW-W02 (whatever was registered comes back after)."""
    handler = Handler()
    before = registry._registry.get(FUNCTION_ID)
    registry.register(make_function(handler))
    yield handler
    if before is None:
        registry.unregister(FUNCTION_ID)
    else:
        registry.register(before)


@pytest.fixture
def small_batches(handler: Handler) -> Handler:
    """The same handler, two rows per batch."""
    registry.register(make_function(handler, batch_size=2))
    return handler


@pytest.fixture
def retailer_a(db: None) -> Retailer:
    return make_retailer("9101", "新電力A株式会社")


@pytest.fixture
def retailer_b(db: None) -> Retailer:
    return make_retailer("9102", "新電力B株式会社")


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
