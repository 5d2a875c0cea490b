"""Forced password change: after 90 days (seed 003 2.2), or after a mailed password, nothing
else can be used before the password is changed."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kouiki.identity.access import is_staff
from kouiki.identity.selectors import password_change_required

# Paths that stay reachable while a change is required.
_EXEMPT_SUFFIXES = ("/password/change/", "/logout/")


def _system_prefix(path: str) -> str:
    for prefix in ("/switching", "/capacity"):
        if path.startswith(prefix + "/"):
            return prefix
    return "/member"


class PasswordExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(("/static/", "/api/"))
            and not request.path.endswith(_EXEMPT_SUFFIXES)
            and password_change_required(user)
        ):
            prefix = "/backoffice" if is_staff(user) else _system_prefix(request.path)
            return redirect(f"{prefix}/password/change/")
        return self.get_response(request)
