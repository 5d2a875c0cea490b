"""Running a switching bulk function as the bulk mechanism does (kouiki.bulk.registry's contract):
the file parsed with the function's columns, its good rows validated in batches within one
context, the rows confirmed applied in batches inside a transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kouiki.bulk import registry
from kouiki.bulk.registry import BulkContext, RowCheck, RowOutcome
from kouiki.core.csvio import RowError, read_csv
from kouiki.identity.models import User


@dataclass
class Checked:
    function_id: str
    column_errors: list[RowError]
    checks: list[RowCheck]
    context: BulkContext = field(default_factory=BulkContext)

    @property
    def good(self) -> list[RowCheck]:
        return [check for check in self.checks if not check.errors]

    def errors_of(self, line: int) -> list[RowError]:
        found = [error for error in self.column_errors if error.line == line]
        found += [error for check in self.checks if check.line == line for error in check.errors]
        return found

    def messages(self, line: int) -> str:
        return " / ".join(f"{error.column_label}: {error.message}" for error in self.errors_of(line))


def csv_bytes(function_id: str, rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    header = ",".join(column.label for column in registry.get(function_id).columns)
    lines = [header, *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def validate(
    function_id: str, user: User, data: bytes, *, batch_size: int = 3, shared: dict[str, Any] | None = None
) -> Checked:
    function = registry.get(function_id)
    result = read_csv(data, columns=function.columns)
    assert not result.file_errors, result.file_errors
    checked = Checked(function_id, [error for row in result.rows for error in row.errors], [])
    checked.context.shared = dict(shared or {})
    good = result.valid_rows
    with registry.using_context(checked.context):
        for start in range(0, len(good), batch_size):
            batch = good[start : start + batch_size]
            checks = function.validate(user, batch)
            assert [check.line for check in checks] == [row.line for row in batch]
            checked.checks.extend(checks)
    return checked


def apply(checked: Checked, user: User, *, batch_size: int = 3) -> list[RowOutcome]:
    function = registry.get(checked.function_id)
    pairs = [(check.line, check.payload) for check in checked.good]
    outcomes: list[RowOutcome] = []
    context = BulkContext(shared=checked.context.shared, file_id=1)
    with registry.using_context(context):
        for start in range(0, len(pairs), batch_size):
            batch = pairs[start : start + batch_size]
            with transaction.atomic():
                done = function.apply(user, batch)
            assert [outcome.line for outcome in done] == [line for line, _ in batch]
            outcomes.extend(done)
    return outcomes
