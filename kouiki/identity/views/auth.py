"""Login, logout, TOTP step, forced and voluntary password change, forgotten password.

Shared by the participants' systems (`/<system>/login/`) and the back office, which wraps these
with its own templates and rules (kouiki.backoffice.views.auth).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from kouiki.core.catalog import implements
from kouiki.core.errors import ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.systems import BACKOFFICE, System, site, site_of
from kouiki.core.views import ratelimited
from kouiki.identity import services
from kouiki.identity.access import function_required, is_participant, is_staff
from kouiki.identity.choices import participant_username
from kouiki.identity.forms import (
    OtpForm,
    ParticipantLoginForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    StaffLoginForm,
)
from kouiki.identity.models import User
from kouiki.identity.selectors import active_user, password_change_required, role_codes, role_in

LOGIN_FAILED = "ユーザIDもしくはパスワードが不正です"
LOCKED_OUT = "お使いのユーザIDは利用できません"
ORGANIZATION_INACTIVE = "会員資格を喪失しているため、本システムはご利用いただけません。"
# Switching and capacity: the participant's contract of use has ended (X-S3), not a membership.
CONTRACT_ENDED = "本システムのご利用契約が終了しているため、ご利用いただけません。"
OTP_FAILED = "確認コードが正しくありません。"
PENDING_KEY = "kouiki_pending_login"
BACKEND = "kouiki.identity.backends.KouikiBackend"


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    return bool(is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True))


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()  # type: ignore[no-any-return]


def finish_login(request: HttpRequest, user: User, system: str, device: TOTPDevice | None = None) -> None:
    """Log the user in: previous login kept for the header, success audited, session rotated."""
    services.record_login(user=user, system=system)
    auth_login(request, user, backend=BACKEND)
    if device is not None:
        otp_login(request, device)
    request.session["kouiki_system"] = system


def start_second_factor(request: HttpRequest, user: User, system: str, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "system": system, "next": next_url}


def pending_user(request: HttpRequest, system: str) -> tuple[User | None, str]:
    pending: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not pending or pending.get("system") != system:
        return None, ""
    user = active_user(pending["user"])
    return user, str(pending.get("next") or "")


def signed_in(request: HttpRequest) -> dict[str, str] | None:
    """Who is signed in in this browser and to which site, or None. A browser holds one login at
    a time (one session): the login pages say so before another login ends this one."""
    user = request.user
    if not user.is_authenticated:
        return None
    if is_staff(user):
        who = f"職員 {user.login_id}"  # type: ignore[union-attr]
    else:
        organization = user.organization  # type: ignore[union-attr]
        who = f"{organization.name}（事業者コード {organization.code}）のユーザ {user.login_id}"  # type: ignore[union-attr]
    where = site_of(request.session.get("kouiki_system"), BACKOFFICE if is_staff(user) else System.MEMBER)
    return {"who": who, "where": where.name, "home": where.home_url}


def _login_page(
    request: HttpRequest, system: str, form: ParticipantLoginForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "identity/login.html",
        {
            "form": form,
            "system": system,
            "system_name": site(system).name,
            "next": _safe_next(request, ""),
            "signed_in": signed_in(request),
        },
        status=status,
    )


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this for a locked username: the login page with the locked message."""
    system = request.path.strip("/").split("/")[0]
    services.record_lockout(username=str((credentials or {}).get("username", "")), system=system)
    if system == "backoffice":
        staff_form = StaffLoginForm(request.POST)
        staff_form.is_valid()
        staff_form.add_error(None, LOCKED_OUT)
        return render(request, "backoffice/login.html", {"form": staff_form}, status=403)
    if system not in System.values:
        system = "member"
    form = ParticipantLoginForm(request.POST)
    form.is_valid()
    form.add_error(None, LOCKED_OUT)
    return _login_page(request, system, form, status=403)


@implements("MEM-A1")
def participant_login(request: HttpRequest, system: str) -> HttpResponse:
    """MEM-A1: 事業者コード + ユーザID + パスワード; the same message for every failure."""
    menu_url = f"/{system}/"
    if is_participant(request.user) and role_codes(request.user, system):  # type: ignore[arg-type]
        return redirect(menu_url)
    form = ParticipantLoginForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "login", settings.KOUIKI_LOGIN_RATE):
            return ratelimited(request)
        if form.is_valid():
            username = participant_username(
                form.cleaned_data["organization_code"], form.cleaned_data["user_id"]
            )
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request, {"username": username})
            if user is None or is_staff(user) or role_in(user, system) is None:  # type: ignore[arg-type]
                services.record_login_failure(username=username, system=system, reason="credentials")
                form.add_error(None, LOGIN_FAILED)
            elif user.organization is None or not user.organization.is_active:  # type: ignore[union-attr]
                services.record_login_failure(
                    username=username, system=system, reason="organization_inactive"
                )
                form.add_error(None, ORGANIZATION_INACTIVE if system == "member" else CONTRACT_ENDED)
            else:
                next_url = _safe_next(request, menu_url)
                if confirmed_totp(user) is not None:  # type: ignore[arg-type]
                    start_second_factor(request, user, system, next_url)  # type: ignore[arg-type]
                    return redirect(f"/{system}/login/otp/")
                finish_login(request, user, system)  # type: ignore[arg-type]
                return HttpResponseRedirect(next_url)
    return _login_page(request, system, form)


def participant_otp(request: HttpRequest, system: str) -> HttpResponse:
    """Second step for users who enrolled a TOTP device (optional for participants' administrators)."""
    user, next_url = pending_user(request, system)
    if user is None:
        return redirect(f"/{system}/login/")
    form = OtpForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "login-otp", settings.KOUIKI_LOGIN_RATE):
            return ratelimited(request)
        if form.is_valid():
            device = confirmed_totp(user)
            if device is not None and device.verify_token(form.cleaned_data["token"]):
                del request.session[PENDING_KEY]
                finish_login(request, user, system, device)
                return HttpResponseRedirect(next_url or f"/{system}/")
            services.record_login_failure(username=user.username, system=system, reason="otp")
            form.add_error("token", OTP_FAILED)
    return render(
        request, "identity/otp.html", {"form": form, "system": system, "system_name": site(system).name}
    )


@require_POST
def logout_view(request: HttpRequest, system: str) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_logout(user=request.user, system=system)  # type: ignore[arg-type]
    auth_logout(request)
    return redirect(f"/{system}/login/")


def password_change(request: HttpRequest, user: User, system: str) -> HttpResponse:
    """Voluntary change (MEM-U1) and the forced change after 90 days or a mailed password, for the
    checked user."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                actor=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationFailed as error:
            errors_onto_form(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "パスワードを変更しました。")
            return redirect(f"/{system}/")
    return render(
        request,
        f"{'backoffice' if system == 'backoffice' else 'identity'}/password_change.html",
        {
            "form": form,
            "system": system,
            "forced": password_change_required(user),
            "title": "パスワード変更",
            "base_template": f"identity/{'member' if system == 'member' else 'system'}/base.html",
        },
    )


def password_reset_request(request: HttpRequest, system: str) -> HttpResponse:
    """ID／パスワードを忘れた方: the same answer whether or not the address exists."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "password-reset", settings.KOUIKI_RESET_RATE):
            return ratelimited(request)
        if form.is_valid():
            services.request_password_reset(
                organization_code=form.cleaned_data["organization_code"],
                email=form.cleaned_data["email"],
                system=system,
            )
            return render(
                request,
                "identity/password_reset_sent.html",
                {
                    "system": system,
                    "system_name": site(system).name,
                    "minutes": settings.KOUIKI_PASSWORD_RESET_MINUTES,
                },
            )
    return render(
        request,
        "identity/password_reset_request.html",
        {"form": form, "system": system, "system_name": site(system).name},
    )


def password_reset_confirm(request: HttpRequest, system: str, uidb64: str, token: str) -> HttpResponse:
    """The single-use link of the reset mail: valid for 30 minutes, dead once the password changed."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        pk = 0
    user = active_user(pk)
    valid = user is not None and default_token_generator.check_token(user, token)
    context: dict[str, Any] = {"system": system, "system_name": site(system).name, "valid": valid}
    if not valid or user is None:
        return render(request, "identity/password_reset_confirm.html", context, status=400)
    form = PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_password_reset(user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationFailed as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "パスワードを再設定しました。新しいパスワードでログインしてください。")
            return redirect(f"/{system}/login/")
    context.update({"form": form, "reset_user": user})
    return render(request, "identity/password_reset_confirm.html", context)


def protect(view: Any) -> Any:
    """The decorators every authentication form needs."""
    return sensitive_post_parameters()(csrf_protect(never_cache(require_http_methods(["GET", "POST"])(view))))


member_password_change = function_required("MEM-U1")(password_change)
