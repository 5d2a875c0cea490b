"""Process-local caches of what every request reads and rarely changes, kept honest across processes.

A `Generation` is a value in the shared cache (Redis in production, the database cache on one
machine) that changes whenever what a cache holds may have changed. A `LocalCache` keeps entries in
this process's memory, each with the generation it was made under, and serves an entry only while
that generation is current. So a request pays one shared-cache read instead of the queries it
saves, and a change made by any process is seen by every process on its next request.

A generation is a random value, never a counter: a value lost from the shared cache (evicted,
cleared, or rolled back with a test's transaction) is replaced by a new one, never by an old one
an entry could still carry. `bump` changes it at once (what this connection's transaction does is
visible to its next read) and again after commit (a request that read the old rows before the
commit cannot leave them cached under the new value).

Within one request (`request_scope`, opened by `core.request_context`'s middleware) the generations
are read once, all of them in one shared-cache round trip, the first time one is asked: a request
asks the access generation from the token, the rights, the uses of the systems and the certificates,
and the stops' generation — one read, not five. A change made by another process during the request
is seen from the next request on; this request's own `bump` is seen at once.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.db import transaction

# Every generation's key, to read them all at once; and the values read in the current request.
_KEYS: set[str] = set()
_read: ContextVar[dict[str, str] | None] = ContextVar("kouiki_generations", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Read each generation at most once until the scope ends (one request)."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


class Generation:
    """The shared value that says "entries made before now may be stale"."""

    def __init__(self, name: str) -> None:
        self.key = f"kouiki:generation:{name}"
        _KEYS.add(self.key)

    def current(self) -> str:
        read = _read.get()
        if read is None:
            return self._fetch(cache.get(self.key))
        if self.key not in read:
            found = cache.get_many(sorted(_KEYS - read.keys()))
            for key in _KEYS - read.keys():
                if key in found or key == self.key:
                    read[key] = str(found[key]) if key in found else self._fetch(None)
        return read[self.key]

    def _fetch(self, value: Any) -> str:
        if value is None:
            value = uuid.uuid4().hex
            if not cache.add(self.key, value, timeout=None):
                value = cache.get(self.key) or value
        return str(value)

    def bump(self) -> None:
        self._set()
        transaction.on_commit(self._set, robust=True)

    def _set(self) -> None:
        value = uuid.uuid4().hex
        cache.set(self.key, value, timeout=None)
        read = _read.get()
        if read is not None:
            read[self.key] = value


class LocalCache:
    """A bounded dict of this process, each entry valid under one generation."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[Any, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, generation: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != generation:
            return None
        return entry[1]

    def clear(self) -> None:
        """Forget every entry (a test whose database was emptied under the generation's value)."""
        with self._lock:
            self._entries.clear()

    def put(self, key: Any, generation: str, value: Any) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (generation, value)
