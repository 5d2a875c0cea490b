"""The function catalog: every function of FUNCTIONS.md declared once (to be completed)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Function:
    id: str
    name: str
    system: str
    who: frozenset[str]
    url_name: str | None = None
    api_operation: str | None = None
    built: bool = False
    extra: dict[str, str] = field(default_factory=dict)


FUNCTIONS: dict[str, Function] = {}


def get(function_id: str) -> Function:
    return FUNCTIONS[function_id]


def allows(function_id: str, codes: frozenset[str]) -> bool:
    return bool(FUNCTIONS[function_id].who & codes)
