"""The function catalog: every function of FUNCTIONS.md declared once, and the questions asked of it.

The declarations live in `kouiki.core.functions`; this module indexes them by id and answers who may
use a function (`allows`), what a user's menu shows (`menu`), and gives the catalog as JSON
(`as_dicts`) and as the Markdown document docs/functions.md (`markdown_table`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
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
    "implements",
    "markdown_table",
    "menu",
    "place",
    "places",
    "tests_naming",
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

# The kinds of place a function has: the service that is its rule (a selector for a read), the
# screen, the API operation. The access layer's guards record them as they wrap the code.
PLACE_KINDS = ("service", "selector", "view", "operation")


@dataclass(frozen=True)
class Place:
    """One piece of code that implements a function: its kind, dotted path, source file (relative
    to the repository) and line, and where a user reaches it (URL paths, an API method and path)."""

    kind: str
    path: str
    file: str
    line: int
    reached_at: tuple[str, ...] = ()


_PLACES: dict[str, dict[Callable[..., Any], tuple[str, str]]] = {}
C = TypeVar("C", bound=Callable[..., Any])


def place(function_id: str, kind: str, code: Callable[..., Any], *, reached_at: str = "") -> None:
    """Record that `code` is the function's service, view or operation (a service in a selectors
    module is a selector). `reached_at` names what the URLconf cannot tell (an API operation's
    method and path)."""
    get(function_id)
    if kind not in PLACE_KINDS:
        raise ValueError(f"unknown kind of place {kind!r}")
    code = inspect.unwrap(code)
    if not code.__module__.startswith("kouiki.") or "<locals>" in code.__qualname__:
        return  # code of a test, or a function made on the fly: not a place of the project
    if kind == "service" and code.__module__.rsplit(".", 1)[-1] == "selectors":
        kind = "selector"
    _PLACES.setdefault(function_id, {})[code] = (kind, reached_at)


def implements(*function_ids: str) -> Callable[[C], C]:
    """Record code as a place of the function(s) without a check of the access layer: a public page
    (joining), a staff screen of the back office, a job the system runs, a service that checks
    the right itself in a way that depends on the actor (staff or member). The kind follows the
    module: views, API operations, selectors, else a service."""

    def decorator(code: C) -> C:
        module = code.__module__
        if ".views" in module:
            kind = "view"
        elif ".api." in module:
            kind = "operation"
        else:
            kind = "service"
        for function_id in function_ids:
            place(function_id, kind, code)
        return code

    return decorator


# Modules that hold no function's code (and settings that must not be imported twice).
_NOT_CODE = frozenset(
    {"migrations", "management", "settings", "test_settings", "wsgi", "asgi", "templatetags"}
)


def _load_code() -> None:
    """Import every module of the project once, so that every guard has recorded its place whatever
    the caller imported before (a task module that no view imports, a selector)."""
    import kouiki

    for module in pkgutil.walk_packages(kouiki.__path__, "kouiki."):
        if _NOT_CODE.isdisjoint(module.name.split(".")):
            importlib.import_module(module.name)


def _view_routes() -> dict[Callable[..., Any], list[str]]:
    """Every view of the URLconf (unwrapped) with the URL paths that reach it."""
    _load_code()
    routes: dict[Callable[..., Any], list[str]] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = inspect.unwrap(pattern.callback)
                routes.setdefault(view, []).append("/" + prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return routes


def _source(code: Callable[..., Any]) -> tuple[str, int]:
    try:
        file = Path(inspect.getsourcefile(code) or "")
        line = inspect.getsourcelines(code)[1]
    except (OSError, TypeError):  # pragma: no cover - code without a source file
        return "", 0
    root = Path(settings.BASE_DIR)
    return (str(file.relative_to(root)) if file.is_relative_to(root) else str(file)), line


def places(function_id: str) -> list[Place]:
    """Where the function lives: its services, selectors, views and operations, in that order."""
    get(function_id)
    routes = _view_routes()
    found = []
    for code, (kind, reached_at) in _PLACES.get(function_id, {}).items():
        file, line = _source(code)
        reached = (reached_at,) if reached_at else tuple(routes.get(code, ()))
        found.append(
            Place(
                kind=kind,
                path=f"{code.__module__}.{code.__qualname__}",
                file=file,
                line=line,
                reached_at=reached,
            )
        )
    return sorted(found, key=lambda p: (PLACE_KINDS.index(p.kind), p.path))


_TEST_DEF = re.compile(r"^(?:async )?def (test_\w+)", re.M)


def tests_naming(function_id: str) -> list[str]:
    """The tests that name the function: `file::test` for a test whose name holds its lower-case id
    (`test_sw_l06_...`), and `file` for a test module that mentions the id anywhere."""
    get(function_id)
    lower = function_id.lower().replace("-", "_")
    root = Path(settings.BASE_DIR)
    found = []
    for path in sorted((root / "tests").rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        named = [name for name in _TEST_DEF.findall(text) if lower in name]
        relative = str(path.relative_to(root))
        found += [f"{relative}::{name}" for name in named]
        if not named and (function_id in text or lower in text):
            found.append(relative)
    return found


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
            "places": [
                {
                    "kind": p.kind,
                    "path": p.path,
                    "file": p.file,
                    "line": p.line,
                    "reached_at": list(p.reached_at),
                }
                for p in places(f.id)
            ],
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
        lines += _where_table(system)
    return "\n".join(lines)


def _short(path: str) -> str:
    return f"`{path.removeprefix('kouiki.')}`"


def _where_table(system: str) -> list[str]:
    """Where the built functions of a system live: the code the access layer's guards recorded."""
    rows = []
    for f in functions(system):
        if not f.built:
            continue
        found = places(f.id)
        cells = [
            " ".join(_short(p.path) for p in found if p.kind in kinds)
            for kinds in (("service", "selector"), ("view",), ("operation",))
        ]
        rows.append(f"| {f.id} | " + " | ".join(cells) + " |")
    if not rows:
        return []
    return [
        f"### Where the code is ({system})",
        "",
        "| id | services, selectors | views | API operations |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
    ]
