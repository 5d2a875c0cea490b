"""What the switching API's operations share: the caller's right, the operation's catalog entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from kouiki.core import catalog
from kouiki.core.errors import Forbidden
from kouiki.core.systems import System
from kouiki.identity.selectors import role_codes

if TYPE_CHECKING:
    from kouiki.identity.models import User

SYSTEM = System.SWITCHING.value
NAMESPACE = "switching-api"


def actor(request: HttpRequest, function_id: str) -> User:
    """The calling user, when its role in the switching system allows the function; else 403."""
    user: User = request.auth  # type: ignore[attr-defined]
    if not catalog.allows(function_id, role_codes(user, SYSTEM)):
        raise Forbidden("この機能を利用する権限がありません。", code="forbidden")
    return user


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
    suffix: str = "",
    summary: str = "",
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an operation of a catalog function: its operationId, its 業務 as tag, its name."""
    function = catalog.get(function_id)
    register = getattr(router, method)
    return register(  # type: ignore[no-any-return]
        path,
        operation_id=operation_id(function_id, suffix),
        tags=[function.business or "共通"],
        summary=summary or f"{function.name} ({function.id})",
        url_name=operation_id(function_id, suffix),
        **kwargs,
    )


def status_url(reception_number: str) -> str:
    """Where the state of an application is read (SW-L14)."""
    return reverse(f"{NAMESPACE}:{operation_id('SW-L14')}", kwargs={"reception_number": reception_number})
