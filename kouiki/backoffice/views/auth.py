"""Back-office login: staff ID + password, then TOTP (enrolled at first login when required)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django_otp.plugins.otp_totp.models import TOTPDevice

from kouiki.core.views import ratelimited
from kouiki.identity import access, services
from kouiki.identity.access import is_staff, staff_required
from kouiki.identity.choices import staff_username
from kouiki.identity.forms import OtpForm, StaffLoginForm
from kouiki.identity.views import auth as identity_auth
from kouiki.identity.views.otp import enrollment_context

if TYPE_CHECKING:
    from kouiki.identity.models import User

SYSTEM = "backoffice"
HOME = "/backoffice/"


def _verified_login(request: HttpRequest, user: User, device: TOTPDevice | None) -> HttpResponse:
    pending = request.session.pop(identity_auth.PENDING_KEY, None) or {}
    identity_auth.finish_login(request, user, SYSTEM, device)
    request.session[access.STAFF_VERIFIED] = True
    return HttpResponseRedirect(pending.get("next") or identity_auth._safe_next(request, HOME))


def _login(request: HttpRequest) -> HttpResponse:
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST":
        if identity_auth._limited(request, "login", settings.KOUIKI_LOGIN_RATE):
            return ratelimited(request)
        if form.is_valid():
            username = staff_username(form.cleaned_data["user_id"])
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if getattr(request, "axes_locked_out", False):
                return identity_auth.lockout_response(request, {"username": username})
            if user is None or not is_staff(user):
                services.record_login_failure(username=username, system=SYSTEM, reason="credentials")
                form.add_error(None, identity_auth.LOGIN_FAILED)
            else:
                next_url = identity_auth._safe_next(request, HOME)
                if identity_auth.confirmed_totp(user) is not None:  # type: ignore[arg-type]
                    identity_auth.start_second_factor(request, user, SYSTEM, next_url)  # type: ignore[arg-type]
                    return redirect("backoffice:login_otp")
                if settings.KOUIKI_STAFF_OTP_REQUIRED:
                    identity_auth.start_second_factor(request, user, SYSTEM, next_url)  # type: ignore[arg-type]
                    return redirect("backoffice:otp_setup")
                return _verified_login(request, user, None)  # type: ignore[arg-type]
    return render(
        request,
        "backoffice/login.html",
        {
            "form": form,
            "next": identity_auth._safe_next(request, ""),
            "signed_in": identity_auth.signed_in(request),
        },
    )


login_view = identity_auth.protect(_login)


def _otp(request: HttpRequest) -> HttpResponse:
    user, _next = identity_auth.pending_user(request, SYSTEM)
    if user is None:
        return redirect("backoffice:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST":
        if identity_auth._limited(request, "login-otp", settings.KOUIKI_LOGIN_RATE):
            return ratelimited(request)
        if form.is_valid():
            device = identity_auth.confirmed_totp(user)
            if device is not None and device.verify_token(form.cleaned_data["token"]):
                return _verified_login(request, user, device)
            services.record_login_failure(username=user.username, system=SYSTEM, reason="otp")
            form.add_error("token", identity_auth.OTP_FAILED)
    return render(request, "backoffice/otp.html", {"form": form})


otp_view = identity_auth.protect(_otp)


def _otp_setup(request: HttpRequest) -> HttpResponse:
    """First login of a staff member without a device: enroll TOTP before anything else."""
    user, _next = identity_auth.pending_user(request, SYSTEM)
    if user is None:
        return redirect("backoffice:login")
    form = OtpForm(request.POST or None)
    new = True
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(user=user, token=form.cleaned_data["token"]):
            return _verified_login(request, user, identity_auth.confirmed_totp(user))
        form.add_error("token", identity_auth.OTP_FAILED)
        new = False
    return render(request, "backoffice/otp_setup.html", {"form": form, **enrollment_context(user, new=new)})


otp_setup_view = identity_auth.protect(_otp_setup)


def logout_view(request: HttpRequest) -> HttpResponse:
    return identity_auth.logout_view(request, SYSTEM)


@staff_required
def password_change_view(request: HttpRequest, actor: User) -> HttpResponse:
    return identity_auth.password_change(request, actor, SYSTEM)


protect_password_change = identity_auth.protect(password_change_view)
