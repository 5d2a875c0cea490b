"""View guards: who may open a screen, decided from the function catalog.

`function_required("MEM-U2")` lets in the users whose roles the catalog names for that function;
`staff_required` guards the back office. An anonymous visitor is sent to the login page of the
system; a logged-in user without the right gets the Japanese 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from kouiki.core import catalog
from kouiki.core.errors import Forbidden
from kouiki.identity.choices import Duty
from kouiki.identity.selectors import has_duty, role_codes

View = Callable[..., HttpResponse]

LOGIN_URLS = {
    "member": "/member/login/",
    "switching": "/switching/login/",
    "capacity": "/capacity/login/",
    "backoffice": "/backoffice/login/",
}


def _to_login(request: HttpRequest, system: str) -> HttpResponse:
    return HttpResponseRedirect(f"{LOGIN_URLS[system]}?next={quote(request.get_full_path())}")


def staff_required(view: View) -> View:
    """Only the organization's staff (the back office)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return _to_login(request, "backoffice")
        if not user.is_kouiki_staff:  # type: ignore[union-attr]
            raise PermissionDenied
        if not request.session.get("staff_verified"):
            return _to_login(request, "backoffice")
        return view(request, *args, **kwargs)

    return wrapped


def function_required(function_id: str) -> Callable[[View], View]:
    """Only users whose role codes the catalog allows for `function_id` in its system, and, for a
    member-system screen of one 担当業務, only administrators and the users holding that duty."""
    function = catalog.get(function_id)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or user.is_kouiki_staff:  # type: ignore[union-attr]
                return _to_login(request, function.system)
            if not catalog.allows(function_id, role_codes(user, function.system)):  # type: ignore[arg-type]
                raise PermissionDenied
            if function.duty and not has_duty(user, function.duty, function.system):  # type: ignore[arg-type]
                raise Forbidden(
                    f"この機能は、担当業務「{Duty(function.duty).label}」のユーザと管理者が利用できます。"
                    "担当業務の変更は貴社の管理者にご依頼ください。"
                )
            request.kouiki_system = function.system  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def enrolled_required(system: str) -> Callable[[View], View]:
    """Any participant's user enrolled in `system` (its menu, its own profile and password)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or user.is_kouiki_staff:  # type: ignore[union-attr]
                return _to_login(request, system)
            if not role_codes(user, system):  # type: ignore[arg-type]
                raise PermissionDenied
            request.kouiki_system = system  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
