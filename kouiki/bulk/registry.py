"""The contract between the bulk mechanism and the functions it files (ADR 0030).

An application registers one ``BulkFunction`` per bulk function (catalog id, e.g. ``SW-W02``)
when Django starts (its ``AppConfig.ready``); the mechanism never imports the application.

The mechanism calls:

* ``validate(user, rows)`` with batches of at most ``batch_size`` parsed rows (``CsvRow`` whose
  ``data`` is keyed by the ``columns``' names, cells already normalized; rows that failed the
  columns' own checks are NOT passed). It returns one ``RowCheck`` per row, in the same order,
  and must not write anything. The rows of one file arrive in file order, so a handler that
  refuses a duplicate row within a file must remember what it saw in earlier batches:
  ``current_context()`` returns the same ``BulkContext`` for every batch of one file's
  validation (``context.seen`` is a free dict).
* ``apply(user, pairs)`` with batches of ``(line, payload)`` of rows that validated and that the
  user confirmed, inside the mechanism's ``transaction.atomic()`` (the rows are marked done or
  failed in that same transaction, so a row is filed at most once). It returns one
  ``RowOutcome`` per pair, in the same order. A row that fails at apply (the state changed since
  validation) returns ``RowOutcome(line, error=RowError(...))``; raising instead rolls the whole
  batch back and the job retries it later (use that only for what a retry can cure).

``shared_fields`` are per-file values entered on the upload form (SW-W07's consent document):
the mechanism renders them as fields of the upload form (a ``Column`` whose name ends in
``_file`` is a file input, any other a text input), runs each ``Column``'s checks on it, and
makes the values available to both ``validate`` and ``apply`` as ``current_context().shared``
(text values as ``str``; a file as ``{"name": ..., "content_type": ..., "data_b64": ...}``).
A function without shared fields can ignore the context; the signatures stay two-argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kouiki.core.csvio import Column, CsvRow, RowError

if TYPE_CHECKING:
    from kouiki.identity.models import User

__all__ = [
    "BulkContext",
    "BulkFunction",
    "RowCheck",
    "RowOutcome",
    "all_functions",
    "current_context",
    "get",
    "register",
]


@dataclass(frozen=True)
class RowCheck:
    """The result of validating one row."""

    line: int  # physical line in the file (csvio.CsvRow.line)
    errors: list[RowError]  # empty: the row is good
    summary: dict[str, str]  # what the confirmation screen shows (Japanese label → value)
    payload: dict[str, Any]  # JSON-able; what apply() gets back for a good row


@dataclass(frozen=True)
class RowOutcome:
    """The result of applying one row."""

    line: int
    number: str = ""  # 受付番号 / 廃止取次番号 / 切替番号 when filed
    error: RowError | None = None


@dataclass
class BulkContext:
    """What one file's validate and apply calls share: its per-file ``shared`` values (the
    upload form's ``shared_fields``), the file's id (None while validating in the request) and
    ``seen``, a dict the handler may use across the batches of one validation run."""

    shared: dict[str, Any] = field(default_factory=dict)
    file_id: int | None = None
    seen: dict[str, Any] = field(default_factory=dict)


_context: ContextVar[BulkContext | None] = ContextVar("bulk_context", default=None)


def current_context() -> BulkContext:
    """The file being validated or applied (an empty context outside the mechanism's calls)."""
    return _context.get() or BulkContext()


@contextmanager
def using_context(context: BulkContext) -> Iterator[BulkContext]:
    """The mechanism's: ``current_context()`` is ``context`` inside the block."""
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)


@dataclass(frozen=True)
class BulkFunction:
    function_id: str  # catalog id, "SW-W02"
    system: str  # "switching"
    title: str  # "低圧 廃止取次一括登録"
    columns: tuple[Column, ...]  # the API's fields, Japanese headers, the API's order (+ 更新フラグ)
    # one RowCheck per row, same order; called in batches of batch_size; must not write
    validate: Callable[[User, list[CsvRow]], list[RowCheck]]
    # one RowOutcome per (line, payload), same order; in batches inside transaction.atomic()
    apply: Callable[[User, list[tuple[int, dict[str, Any]]]], list[RowOutcome]]
    batch_size: int = 500
    max_rows: int = 100_000
    example_rows: tuple[tuple[str, ...], ...] = ()  # the template's / guide's example rows
    shared_fields: tuple[Column, ...] = ()  # per-file fields of the upload form
    # The summary's labels in order (the confirmation table's header); defaults to the first
    # row's summary keys.
    summary_labels: tuple[str, ...] = ()


_registry: dict[str, BulkFunction] = {}


def register(function: BulkFunction) -> None:
    """Register ``function`` under its catalog id (again: replaced, as a reload does)."""
    _registry[function.function_id] = function


def get(function_id: str) -> BulkFunction:
    """The registered function; ``KeyError`` when none is (the views answer 404)."""
    return _registry[function_id]


def all_functions() -> list[BulkFunction]:
    return sorted(_registry.values(), key=lambda function: function.function_id)


def unregister(function_id: str) -> None:
    """Tests only: forget a function registered for one test."""
    _registry.pop(function_id, None)
