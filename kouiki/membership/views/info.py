"""Member information screens: MEM-I2 会員情報確認 and its history, MEM-I1 加入証跡 (seed 003 chapter 4,
seed 000 2.2), and the public verification of a proof of membership. Views parse input, call one
service or selector, and render."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from kouiki.core.errors import KouikiError
from kouiki.core.lists import list_page
from kouiki.core.pdf import pdf_response, render_pdf
from kouiki.core.views import ratelimited
from kouiki.identity.access import function_required, may_use
from kouiki.membership import selectors
from kouiki.membership.services import certificates
from kouiki.membership.views.changes import pending_context, posted

if TYPE_CHECKING:
    from kouiki.identity.models import User

SYSTEM = "member"


class VerifyForm(forms.Form):
    number = forms.CharField(
        label="発行番号",
        max_length=30,
        help_text="加入証跡に記載の発行番号（例: ABCD-EFGH-JKLM-NPQR）",
        error_messages={"required": "発行番号を入力してください。"},
    )


# --- MEM-I2 会員情報確認 ----------------------------------------------------------------------------------


@function_required("MEM-I2")
@require_GET
def info(request: HttpRequest, actor: User) -> HttpResponse:
    """The registered member information; a request waiting for approval is shown beside it."""
    profile = selectors.member_profile_for(actor=actor)
    return render(
        request,
        "membership/info/info.html",
        {
            "info": selectors.member_info(profile) if profile is not None else None,
            **pending_context(actor),
            "can_request": may_use(actor, "MEM-I3"),
            "title": "会員情報確認",
        },
    )


@function_required("MEM-I2")
@require_GET
def info_history(request: HttpRequest, actor: User) -> HttpResponse:
    """Every approved version of the member information, newest first."""
    profile = selectors.member_profile_for(actor=actor)
    versions = selectors.history_of(profile) if profile is not None else []
    return render(
        request, "membership/info/history.html", {"versions": versions, "title": "会員情報の変更履歴"}
    )


# --- MEM-I1 加入証跡 --------------------------------------------------------------------------------------


@function_required("MEM-I1")
@require_http_methods(["GET", "POST"])
def certificate(request: HttpRequest, actor: User) -> HttpResponse:
    """The proof of membership: what it states, the ones issued, and a button that issues a new one."""
    if request.method == "POST":
        try:
            issued = certificates.issue_certificate(actor=actor)
        except KouikiError as error:
            messages.error(request, error.message)
            return redirect("membership:certificate")
        return redirect("membership:certificate_pdf", number=issued.number)
    return list_page(
        request,
        select=partial(selectors.certificates_for, actor=actor),
        template="membership/info/certificate.html",
        title="加入証跡",
        context={"organization": actor.organization},
    )


@function_required("MEM-I1")
@require_GET
def certificate_pdf(request: HttpRequest, actor: User, number: str) -> HttpResponse:
    """One issued proof of membership as PDF (kouiki.core.pdf)."""
    issued = selectors.certificate_for(actor=actor, number=number)
    verify_url = f"{settings.SITE_URL}/member/verify/"
    pdf = render_pdf(
        "membership/info/certificate_pdf.html",
        {"certificate": issued, "verify_url": verify_url, "title": "加入証跡"},
    )
    return pdf_response(pdf, f"加入証跡_{issued.number}.pdf")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone checks an issue number and sees what the certificate states, nothing else."""
    form = VerifyForm(posted(request))
    result = None
    searched = False
    if request.method == "POST":
        limited = is_ratelimited(
            request,
            group="membership-verify",
            key="ip",
            rate=settings.KOUIKI_RESET_RATE,
            method="POST",
            increment=True,
        )
        if limited:
            return ratelimited(request)
        if form.is_valid():
            searched = True
            result = selectors.verify_certificate(number=form.cleaned_data["number"])
    return render(
        request,
        "membership/info/verify.html",
        {
            "form": form,
            "result": result,
            "searched": searched,
            "system_name": "会員情報管理システム",
            "title": "加入証跡の確認",
        },
    )
