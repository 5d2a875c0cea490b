"""What the switching API's operations share: the caller's right, the operation's catalog entry,
and the lines (低圧, 高圧500kW未満, 低圧FIT電源・FIT卒業電源) an operation of a 業務 is served on.

An operation of a 業務 is written once, as `view(request, actor, ..., *, line)`, and declared with
`LineOperations`: each line that serves the 業務 (services/lines.py) serves it under its prefix,
as its own function (operationId `sw_h04` …), with the real system's service id of the line
(`x-occto-service-id`), and calls the one service with `line=line.key`."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cache, wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.urls import reverse
from ninja import Router

from kouiki.core import catalog
from kouiki.core.systems import System
from kouiki.identity.access import checked_operation
from kouiki.switching.api.schemas import line_schema
from kouiki.switching.models import PointClass
from kouiki.switching.services import lines
from kouiki.switching.services.lines import LINES, Business, Line

if TYPE_CHECKING:
    from kouiki.switching.models import Application

SYSTEM = System.SWITCHING.value
NAMESPACE = "switching-api"
PREFIX = "/api/switching/v1"  # where kouiki/urls.py mounts the API
# The OpenAPI extension naming the real system's service an operation corresponds to
# (SWITCHING-REAL.md "Service ids"; docs/guide/api.md has the table).
SERVICE_ID = "x-occto-service-id"


def operation_id(function_id: str, suffix: str = "") -> str:
    """`SW-L06` → `sw_l06`; a function's second operation adds a suffix (`sw_l06_list`)."""
    function = catalog.get(function_id)
    base = function.api_operation or function_id.lower().replace("-", "_")
    return f"{base}_{suffix}" if suffix else base


def operation(
    router: Router,
    method: str,
    path: str,
    function_id: str,
    *,
    description: str,
    suffix: str = "",
    summary: str = "",
    service_id: str | None = None,
    line: Line | None = None,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an operation of a catalog function, naming the function once: its operationId, its
    業務 as tag, its name; the operation is called as `operation(request, actor, ...)` with the
    token's user checked for the function by the access layer (and `line=line` when given).

    The docs are the integrators': `description` is required and Japanese (ninja would otherwise
    show the engineers' English docstring), and a function's second operation (`suffix`) gives its
    own `summary` (otherwise both would carry the function's name)."""
    function = catalog.get(function_id)
    if suffix and not summary:
        raise ValueError(f"{function_id} operation {suffix!r}: a second operation needs its own summary.")
    extra = dict(kwargs.pop("openapi_extra", None) or {})
    if service_id:
        extra[SERVICE_ID] = service_id
    register = getattr(router, method)(
        path,
        operation_id=operation_id(function_id, suffix),
        tags=[function.business or "共通"],
        summary=summary or f"{function.name} ({function.id})",
        description=description,
        url_name=operation_id(function_id, suffix),
        openapi_extra=extra or None,
        **kwargs,
    )

    reached_at = f"{method.upper()} {PREFIX}{path} ({operation_id(function_id, suffix)})"

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        served = view if line is None else _on_line(view, line)
        register(checked_operation(function_id, served, reached_at=reached_at))
        return view

    return decorator


def _on_line(view: Callable[..., Any], line: Line) -> Callable[..., Any]:
    """`view(request, actor, ..., *, line)` as the operation of one line: `line` is given, and the
    signature ninja reads has no `line`, its annotations resolved in the view's module (an input
    schema as the line words it: `schemas.line_schema`)."""
    signature = inspect.signature(view)
    kept = [p for name, p in signature.parameters.items() if name not in ("actor", "line")]

    def annotated() -> None:  # carries the kept annotations for typing.get_type_hints
        pass

    annotated.__annotations__ = {p.name: p.annotation for p in kept if p.annotation is not p.empty}
    hints = typing.get_type_hints(annotated, globalns=view.__globals__, include_extras=True)
    parameters = [
        p.replace(annotation=_as_line_takes(hints[p.name], line)) if p.name in hints else p
        for p in signature.parameters.values()
        if p.name != "line"
    ]

    @wraps(view)
    def on_line(*args: Any, **kwargs: Any) -> Any:
        return view(*args, line=line, **kwargs)

    on_line.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return on_line


def _as_line_takes(annotation: Any, line: Line) -> Any:
    """An input schema (a body, or `Query[...]`'s) as the line's variant of it."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *metadata = typing.get_args(annotation)
        return typing.Annotated[(_as_line_takes(inner, line), *metadata)]  # type: ignore[valid-type]
    if inspect.isclass(annotation):
        return line_schema(annotation, line)
    return annotation


@dataclass(frozen=True)
class _Declared:
    view: Callable[..., Any]
    method: str
    path: str
    business: Business
    description: str | Mapping[str, str]
    suffix: str
    summary: str
    on: Collection[str] | None
    kwargs: dict[str, Any]


class LineOperations:
    """The operations of a module's 業務, each written once and served on every line that serves
    its 業務, in the order declared (`router(line)` gives a line's router).

    `path` is below the line's prefix (`/cancel-forwards` → `/high-voltage/cancel-forwards`).
    `description` and `summary` are templates, formatted with the line's words: `{point}`
    (供給地点 / 受電地点), `{customer}` (需要者 / 発電者), `{label}` (低圧 …), `{prefix}` (the line's
    path prefix) and `{function}` (the line's function id); a literal brace is doubled.
    `description` may be a template per line key where a line says something of its own; the
    classes a line's operation takes, where they are not the line's, are added to it. `on` limits
    the lines."""

    def __init__(self) -> None:
        self._declared: list[_Declared] = []

    def __call__(
        self,
        method: str,
        path: str,
        business: Business,
        *,
        description: str | Mapping[str, str],
        suffix: str = "",
        summary: str = "",
        on: Collection[str] | None = None,
        **kwargs: Any,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            self._declared.append(
                _Declared(view, method, path, business, description, suffix, summary, on, kwargs)
            )
            return view

        return decorator

    def router(self, line: Line) -> Router:
        """The operations the line serves, declared on a router of their own."""
        router = Router()
        for declared in self._declared:
            if not line.serves(declared.business) or (
                declared.on is not None and line.key not in declared.on
            ):
                continue
            function_id = line.function(declared.business)
            template = declared.description
            if not isinstance(template, str):
                template = template[line.key]
            operation(
                router,
                declared.method,
                f"{line.api_prefix}{declared.path}",
                function_id,
                description=_words(template, line, function_id) + _scope(line, declared.business),
                suffix=declared.suffix,
                summary=_words(declared.summary, line, function_id),
                service_id=line.service_id(declared.business),
                line=line,
                **declared.kwargs,
            )(declared.view)
        return router


def _words(template: str, line: Line, function_id: str) -> str:
    return template.format(
        label=line.label,
        point=line.point_label,
        customer=line.customer_label,
        prefix=line.api_prefix,
        function=function_id,
    )


def _scope(line: Line, business: Business) -> str:
    """What the line's operation of ``business`` takes, where it is not just the line's classes (a
    FIT switch: FIT卒業電源 only; 高圧 使用量情報照会: ≥ 500 kW and extra-high voltage too)."""
    classes = line.classes_of(business)
    if classes == line.classes:
        return ""
    named = "・".join(label for value, label in PointClass.choices if value in classes)
    if classes < line.classes:
        return f"{named}の{line.point_label}のみが対象です。"
    return f"{named}の{line.point_label}が対象です。"


def status_url(reception_number: str, point_class: str) -> str:
    """Where the state of an application is read (SW-L14, SW-H11, SW-F11: the status operation of
    the line of its point's class): reversed once per line, not once per answer item (a
    many-status answer has up to 1,000)."""
    return _status_url_prefix(lines.line_for_class(point_class).key) + quote(reception_number, safe="")


@cache
def _status_url_prefix(line_key: str) -> str:
    sample = "0"
    function_id = LINES[line_key].function(Business.STATUS)
    url = reverse(f"{NAMESPACE}:{operation_id(function_id)}", kwargs={"reception_number": sample})
    return url[: -len(sample)]


def filed_through(line: Line, application: Application) -> Application:
    """The application, read or changed through the line's operation of its 業務: one of a point the
    line serves for it; another is refused naming the function that serves it, as its filing would
    have been."""
    lines.require_class(line, lines.KIND_BUSINESS[application.kind], application.point_class)
    return application
