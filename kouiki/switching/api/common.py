"""What the switching API's operations share: the caller's right, the operation's catalog entry."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.urls import reverse
from ninja import Router

from kouiki.core import catalog
from kouiki.core.systems import System
from kouiki.identity.access import checked_operation

if TYPE_CHECKING:
    pass

SYSTEM = System.SWITCHING.value
NAMESPACE = "switching-api"
PREFIX = "/api/switching/v1"  # where kouiki/urls.py mounts the API


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
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an operation of a catalog function, naming the function once: its operationId, its
    業務 as tag, its name; the operation is called as `operation(request, actor, ...)` with the
    token's user checked for the function by the access layer.

    The docs are the integrators': `description` is required and Japanese (ninja would otherwise
    show the engineers' English docstring), and a function's second operation (`suffix`) gives its
    own `summary` (otherwise both would carry the function's name)."""
    function = catalog.get(function_id)
    if suffix and not summary:
        raise ValueError(f"{function_id} operation {suffix!r}: a second operation needs its own summary.")
    register = getattr(router, method)(
        path,
        operation_id=operation_id(function_id, suffix),
        tags=[function.business or "共通"],
        summary=summary or f"{function.name} ({function.id})",
        description=description,
        url_name=operation_id(function_id, suffix),
        **kwargs,
    )

    reached_at = f"{method.upper()} {PREFIX}{path} ({operation_id(function_id, suffix)})"

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        register(checked_operation(function_id, view, reached_at=reached_at))
        return view

    return decorator


def status_url(reception_number: str) -> str:
    """Where the state of an application is read (SW-L14): reversed once, not once per answer item
    (a many-status answer has up to 1,000)."""
    return _status_url_prefix() + quote(reception_number, safe="")


@cache
def _status_url_prefix() -> str:
    sample = "0"
    url = reverse(f"{NAMESPACE}:{operation_id('SW-L14')}", kwargs={"reception_number": sample})
    return url[: -len(sample)]
