"""A database that is busy: SQLite's write lock held longer than the busy timeout.

On SQLite (the single-machine default) one writer at a time holds the database; a transaction
starts with `BEGIN IMMEDIATE`, so it waits for the lock before it has done anything, at most
`KOUIKI_SQLITE_BUSY_TIMEOUT_SECONDS`, and then fails with "database is locked" having changed
nothing. What it means for each caller (docs/decisions/0018-sqlite-locking.md):

- a request answers 503 with `Retry-After` (`kouiki.core.views.server_error`, and the API's
  problem handler): the client may send it again, nothing of it was written;
- the task worker waits and tries again with a backoff (`manage.py worker`), never dies of it;
- what runs after a commit (enqueueing a task) logs and leaves the row to its sweeper.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import OperationalError

from kouiki.core.leases import backoff

# What a client is told to wait before it sends a refused request again (Retry-After, seconds).
BUSY_RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = "システムが混み合っています。しばらくしてから再度お試しください。"
# The worker's wait after each failure in a row: 1, 2, 4, … at most 30 seconds.
BUSY_BACKOFF_BASE_SECONDS = 1
BUSY_BACKOFF_CAP_SECONDS = 30


def database_busy(error: BaseException | None) -> bool:
    """The error is the database's lock held by another connection for longer than we wait."""
    if not isinstance(error, OperationalError) or not error.args or not isinstance(error.args[0], str):
        return False
    # SQLite: "database is locked", "database table is locked", "database schema is locked".
    return "is locked" in error.args[0].lower()


def busy_backoff(failures: int) -> timedelta:
    """How long the worker waits after `failures` busy failures in a row."""
    return backoff(failures, base=BUSY_BACKOFF_BASE_SECONDS, cap=BUSY_BACKOFF_CAP_SECONDS)
