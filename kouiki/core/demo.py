"""Demo data loaders: each app registers how it fills the demo (`manage.py load_demo`).

Loaders run in registration order (the order of INSTALLED_APPS), each must be idempotent, and
the command refuses to run with production settings.
"""

from __future__ import annotations

from collections.abc import Callable

Loader = Callable[[], int]

_LOADERS: list[tuple[str, Loader]] = []


def register(name: str, loader: Loader) -> None:
    """Add a loader; it returns how many records it created (0 when everything was there)."""
    if any(existing == name for existing, _ in _LOADERS):
        return
    _LOADERS.append((name, loader))


def loaders() -> list[tuple[str, Loader]]:
    return list(_LOADERS)
