"""Forced password change: after 90 days (seed 003 2.2), or after a mailed password, nothing
else can be used before the password is changed."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kouiki.identity.access import is_staff
from kouiki.identity.selectors import password_change_required
from kouiki.identity.services import certificates

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


# The screens a participant's administrator needs without an active certificate (X-C1): the
# certificates' own screens (to register the first one, or report a loss), and logging out.
_CERTIFICATE_EXEMPT = ("/certificates/", "/logout/")


class ClientCertificateMiddleware:
    """X-C1 on the screens: with KOUIKI_CLIENT_CERTIFICATES=required, a signed-in participant's user
    of the switching or capacity system whose request carries no verified active certificate of its
    organization gets the Japanese 403 page (the API checks in services.tokens.authenticate_bearer)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not certificates.required():
            return self.get_response(request)
        path = request.path_info
        system = next((s for s in certificates.SYSTEMS if path.startswith(f"/{s}/")), None)
        user = getattr(request, "user", None)
        if (
            system is not None
            and user is not None
            and user.is_authenticated
            and not any(path.startswith(f"/{system}{suffix}") for suffix in _CERTIFICATE_EXEMPT)
        ):
            refused = certificates.refusal(request, user, system)
            if refused is not None:
                return render(
                    request,
                    "errors/error.html",
                    {"title": "クライアント証明書を確認できません", "message": refused.message},
                    status=403,
                )
        return self.get_response(request)
