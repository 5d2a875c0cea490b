"""TOTP enrollment: required for staff (at first login), optional for participants' administrators."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.core.errors import ValidationFailed
from kouiki.identity import services
from kouiki.identity.access import function_required
from kouiki.identity.forms import OtpForm
from kouiki.identity.models import User
from kouiki.identity.selectors import pending_totp_device, role_in
from kouiki.identity.views.auth import confirmed_totp


def enrollment_context(user: User, *, new: bool) -> dict[str, str]:
    """QR code and key of the device being enrolled: a new one, or the pending one after a wrong
    code (so the QR code already scanned stays valid)."""
    device = services.start_totp_enrollment(user=user) if new else pending_totp_device(user)
    if device is None:
        return {"qr": "", "secret": ""}
    return {
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
        "secret": device.config_url.split("secret=")[1].split("&")[0],
    }


@function_required("MEM-U1")
@require_http_methods(["GET", "POST"])
def member_otp(request: HttpRequest, actor: User) -> HttpResponse:
    """二要素認証の設定 (administrators only: other users see the profile)."""
    user = actor
    if role_in(user, "member") != "admin":
        return redirect("member:profile")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(user=user, token=form.cleaned_data["token"]):
            messages.success(request, "二要素認証を有効にしました。次回のログインから確認コードが必要です。")
            return redirect("member:profile")
        form.add_error("token", "確認コードが正しくありません。もう一度お試しください。")
        context = enrollment_context(user, new=False)
    elif confirmed_totp(user) is not None:
        return render(
            request, "identity/member/otp.html", {"enabled": True, "form": OtpForm(), "title": "二要素認証"}
        )
    else:
        context = enrollment_context(user, new=True)
    return render(
        request,
        "identity/member/otp.html",
        {"form": form, "enabled": False, "title": "二要素認証", **context},
    )


@function_required("MEM-U1")
@require_POST
def member_otp_remove(request: HttpRequest, actor: User) -> HttpResponse:
    """Turning two-factor login off takes a current code from the authenticator app."""
    form = OtpForm(request.POST)
    if form.is_valid():
        try:
            services.remove_totp(actor=actor, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        except ValidationFailed as error:
            form.add_error("token", error.message)
        else:
            messages.success(request, "二要素認証を無効にしました。")
            return redirect("member:profile")
    return render(request, "identity/member/otp.html", {"enabled": True, "form": form, "title": "二要素認証"})
