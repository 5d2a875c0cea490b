"""The function catalog: every function of FUNCTIONS.md declared once, and the questions asked of it.

The declarations live in `kouiki.core.functions`; this module indexes them by id and answers who may
use a function (`allows`), what a user's menu shows (`menu`), and gives the catalog as JSON
(`as_dicts`) and as the Markdown document docs/functions.md (`markdown_table`).
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from kouiki.core.functions import FUNCTIONS as DECLARED
from kouiki.core.functions import Function

__all__ = [
    "FUNCTIONS",
    "SYSTEMS",
    "Function",
    "allows",
    "as_dicts",
    "functions",
    "get",
    "markdown_table",
    "menu",
    "place",
    "places",
    "urls",
]

SYSTEMS = {
    "member": "会員情報管理システム",
    "switching": "スイッチング支援システム",
    "capacity": "容量市場システム",
    "common": "3システム共通",
}

# The "who" of a public page: open to every visitor, whatever roles (if any) they hold.
ANYONE = "anyone"


def _index(declared: list[Function]) -> dict[str, Function]:
    duplicates = sorted(id_ for id_, count in Counter(f.id for f in declared).items() if count > 1)
    if duplicates:
        raise ValueError(f"function ids declared more than once: {', '.join(duplicates)}")
    unknown = sorted(f.id for f in declared if f.system not in SYSTEMS)
    if unknown:
        raise ValueError(f"functions with an unknown system: {', '.join(unknown)}")
    return {f.id: f for f in declared}


FUNCTIONS: dict[str, Function] = _index(DECLARED)


def get(function_id: str) -> Function:
    """The function declared with `function_id`; KeyError names the id when there is none."""
    try:
        return FUNCTIONS[function_id]
    except KeyError:
        raise KeyError(
            f"unknown function id {function_id!r}: declare it in kouiki/core/functions.py"
        ) from None


def allows(function_id: str, codes: frozenset[str]) -> bool:
    """Whether a user holding the role `codes` may use the function (a public page allows everyone)."""
    who = get(function_id).who
    return ANYONE in who or bool(who & codes)


def functions(system: str | None = None) -> list[Function]:
    """All functions in declaration order, or those of one system."""
    return [f for f in FUNCTIONS.values() if system is None or f.system == system]


def menu(system: str, codes: frozenset[str]) -> list[tuple[str, list[Function]]]:
    """The menu of `system` for a user with `codes`: built functions it may open, by heading.

    Headings and entries keep the declaration order. A function without a menu heading (a login
    page, a screen reached from a list) or without a screen yet is left out.
    """
    groups: dict[str, list[Function]] = {}
    for function in functions(system):
        if function.built and function.url_name and function.menu and allows(function.id, codes):
            groups.setdefault(function.menu, []).append(function)
    return list(groups.items())


# --- where each function lives in the code ------------------------------------------------------

# The kinds of place a function has: the service that is its rule, the screen, the API operation.
PLACE_KINDS = ("service", "view", "operation")


@dataclass(frozen=True)
class Place:
    """One piece of code that implements a function: its kind, dotted path, file and line."""

    kind: str
    path: str
    file: str
    line: int


_PLACES: dict[str, list[Place]] = {}


def place(function_id: str, kind: str, code: Callable[..., Any]) -> None:
    """Record that `code` is the function's service, view or operation. The access layer's guards
    call this as they wrap the code, so the index is never written by hand."""
    get(function_id)
    if kind not in PLACE_KINDS:
        raise ValueError(f"unknown kind of place {kind!r}")
    code = inspect.unwrap(code)
    try:
        file = inspect.getsourcefile(code) or ""
        line = inspect.getsourcelines(code)[1]
    except (OSError, TypeError):  # pragma: no cover - code without a source file
        file, line = "", 0
    found = Place(kind=kind, path=f"{code.__module__}.{code.__qualname__}", file=file, line=line)
    listed = _PLACES.setdefault(function_id, [])
    if found not in listed:
        listed.append(found)


def _load_code() -> None:
    """Import every view, API operation and the services they call (the URLconf imports them)."""

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                pattern.callback  # noqa: B018 - resolving the callback imports its module

    walk(get_resolver().url_patterns)


def places(function_id: str) -> list[Place]:
    """Where the function lives: its services, views and operations, in that order."""
    get(function_id)
    _load_code()
    found = _PLACES.get(function_id, [])
    return sorted(found, key=lambda p: (PLACE_KINDS.index(p.kind), p.path))


def urls(function: Function) -> list[str]:
    """The URL paths of the function's screen; [] until its URL name exists."""
    if not function.url_name:
        return []
    try:
        return [reverse(function.url_name)]
    except NoReverseMatch:
        return []


def as_dicts() -> list[dict[str, Any]]:
    """The catalog as JSON-ready objects, in declaration order."""
    return [
        {
            "id": f.id,
            "name": f.name,
            "business": f.business,
            "title": f.title,
            "system": f.system,
            "roles": sorted(f.who),
            "surface": f.surface,
            "tso": f.tso,
            "menu": f.menu,
            "url_name": f.url_name,
            "urls": urls(f),
            "api_operation": f.api_operation,
            "built": f.built,
            "note": f.note,
        }
        for f in FUNCTIONS.values()
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else ""


def _tso(function: Function) -> str:
    if function.tso is None:
        return ""
    return "TSO" if function.tso else "hub"


def markdown_table() -> str:
    """The document docs/functions.md: one table per system, generated from the catalog."""
    lines = [
        "# 機能一覧 (Function catalog)",
        "",
        "<!-- Generated by `make docs` (`manage.py functions --markdown`) from kouiki/core/functions.py."
        " Do not edit. -->",
        "",
    ]
    total = len(FUNCTIONS)
    built = sum(f.built for f in FUNCTIONS.values())
    lines += [
        f"{total} functions, {built} built.",
        "",
        "who: M 会員, R 小売電気事業者, D 需要抑制契約者, C 容量市場の事業者, A 管理者, O 本機関;"
        " applicant 加入申請者, anyone 誰でも, system システムが行う処理・全員に適用する規則."
        " TSO: 一般送配電事業者へ取り次ぐ (TSO) / ハブで完結 (hub).",
        "",
    ]
    for system, label in SYSTEMS.items():
        lines += [f"## {label} ({system})", ""]
        lines += [
            "| id | 機能名 | who | surface | TSO | menu | URL | API operation | built |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for f in functions(system):
            name = f.title + (f" ({f.note})" if f.note else "")
            cells = [
                f.id,
                _cell(name),
                ", ".join(sorted(f.who)),
                f.surface,
                _tso(f),
                _cell(f.menu or ""),
                " ".join(f"`{url}`" for url in urls(f)),
                f"`{f.api_operation}`" if f.api_operation else "",
                "yes" if f.built else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
