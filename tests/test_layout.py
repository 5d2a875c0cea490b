"""The app layout of docs/layout.md, checked: every app is laid out the same way, so that a newcomer
finds anything without searching, and no module only re-imports another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

KOUIKI = Path(settings.BASE_DIR) / "kouiki"

# The kernel is a library of shared mechanisms, not a domain app (docs/layout.md).
KERNEL = "core"
APPS = sorted(
    path.name
    for path in KOUIKI.iterdir()
    if path.is_dir() and (path / "apps.py").exists() and path.name != KERNEL
)

# What a domain app may hold at its top level: a module (`name.py`) or a package (`name/`).
LAYOUT = {
    # Django's own
    "__init__",
    "apps",
    "admin",
    "models",
    "migrations",
    "management",
    "templatetags",
    # ours, in every app that needs them
    "choices",
    "services",
    "selectors",
    "forms",
    "views",
    "urls",
    "api",
    "tasks",
    "demo",
}
# Plug-in points Django finds by dotted path in settings, and the one access layer: identity only.
IDENTITY = {"access", "backends", "hashers", "middleware", "validators"}
# The contract the systems register their bulk functions with (ADR 30).
EXTRA = {"identity": IDENTITY, "bulk": {"registry"}}
# Folders of files that are not Python.
DATA = {"templates", "static", "fonts", "texts", "__pycache__"}


def top_level(app: str) -> set[str]:
    found = set()
    for path in (KOUIKI / app).iterdir():
        if path.name in DATA or path.name.startswith("."):
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            found.add(path.name)
        elif path.suffix == ".py":
            found.add(path.stem)
    return found


def test_the_apps_are_the_ones_the_layout_describes() -> None:
    layout = (Path(settings.BASE_DIR) / "docs" / "layout.md").read_text(encoding="utf-8")
    for app in [*APPS, KERNEL]:
        assert f"`{app}`" in layout, f"docs/layout.md does not describe the app {app}"


@pytest.mark.parametrize("app", APPS)
def test_every_app_holds_only_the_modules_of_the_layout(app: str) -> None:
    allowed = LAYOUT | EXTRA.get(app, set())
    unexpected = sorted(top_level(app) - allowed)
    assert not unexpected, (
        f"kouiki/{app} has {unexpected} outside the layout of docs/layout.md: "
        "a write or a rule belongs in services/, a read in selectors/, input in forms/, a screen in views/"
    )


@pytest.mark.parametrize("app", APPS)
def test_templates_of_an_app_live_under_its_own_name(app: str) -> None:
    templates = KOUIKI / app / "templates"
    if templates.exists():
        assert sorted(p.name for p in templates.iterdir()) in ([app], ["includes", app], [app, "includes"]), (
            f"kouiki/{app}/templates holds {sorted(p.name for p in templates.iterdir())}"
        )


def _only_imports(tree: ast.Module) -> bool:
    body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))  # a docstring
        and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
        and not (
            isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
        )
    ]
    return bool(body) and all(isinstance(node, ast.Import | ast.ImportFrom) for node in body)


def test_no_module_only_re_imports_another() -> None:
    offenders = []
    for path in sorted(KOUIKI.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        if path.parent.name == "models" and path.name == "__init__.py":
            continue  # Django finds an app's models in `app.models`: a models package imports them
        if _only_imports(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(str(path.relative_to(KOUIKI.parent)))
    assert not offenders, f"modules that only re-import others (import the owner instead): {offenders}"
