"""Back office: client certificates of every participant (X-C1) — the list (subject, fingerprint,
validity, state), approving or rejecting a registered certificate, and revoking one (seed 001
3.4.4, or on a participant's report by other means). Every revocation republishes the CRL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core import catalog
from kouiki.core.errors import InvalidTransition, KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import FilterForm, list_page
from kouiki.identity.access import staff_required
from kouiki.identity.choices import CertificateState
from kouiki.identity.forms import CertificateReasonForm
from kouiki.identity.services import certificate_authority, certificates

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50


class CertificateSearch(FilterForm):
    query = forms.CharField(
        label="事業者コード・会社名・フィンガープリント",
        required=False,
        max_length=100,
        help_text="フィンガープリントは先頭の数文字でも検索できます",
    )
    state = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("", "すべて"), *CertificateState.choices],
        error_messages={"invalid_choice": "状態の選択が不正です。"},
    )


@catalog.implements("X-C1")
@staff_required
@require_GET
def certificate_list(request: HttpRequest, actor: User) -> HttpResponse:
    return list_page(
        request,
        form=CertificateSearch(request.GET or None),
        select=lambda **filters: certificates.all_certificates(actor=actor, **filters),
        template="backoffice/certificates/list.html",
        title="クライアント証明書",
        page_size=PAGE_SIZE,
        context={
            "required": certificates.required(),
            "sandbox": certificate_authority.uses_built_in_ca(),
        },
    )


@catalog.implements("X-C1")
@staff_required
@require_http_methods(["GET", "POST"])
def certificate_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One certificate, with the acts its state allows: approve / reject (pending), revoke."""
    certificate = certificates.staff_certificate(actor=actor, pk=pk)
    act = request.POST.get("act", "")
    form = CertificateReasonForm(request.POST if act in {"reject", "revoke"} else None)
    if request.method == "POST":
        try:
            if act == "approve":
                certificates.approve_certificate(actor=actor, certificate=certificate)
                messages.success(request, f"クライアント証明書「{certificate.name}」を承認しました。")
                return redirect("backoffice:certificate_detail", pk=certificate.pk)
            if act in {"reject", "revoke"} and form.is_valid():
                reason = form.cleaned_data["reason"]
                if act == "reject":
                    certificates.reject_certificate(actor=actor, certificate=certificate, reason=reason)
                    messages.success(request, f"クライアント証明書「{certificate.name}」を却下しました。")
                else:
                    certificates.revoke_certificate(actor=actor, certificate=certificate, reason=reason)
                    messages.success(request, f"クライアント証明書「{certificate.name}」を失効させました。")
                return redirect("backoffice:certificate_detail", pk=certificate.pk)
            if act not in {"approve", "reject", "revoke"}:
                messages.error(request, "操作を選択してください。")
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("backoffice:certificate_detail", pk=certificate.pk)
        except KouikiError as error:
            errors_onto_form(form, error, default_field="reason")
    return render(
        request,
        "backoffice/certificates/detail.html",
        {"title": "クライアント証明書", "certificate": certificate, "form": form, "act": act},
    )
