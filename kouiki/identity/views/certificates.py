"""Client certificates (X-C1) on the switching and capacity systems (/<system>/certificates/): the
administrator's list (subject, fingerprint, validity, state), registering a certificate (its PEM),
reporting a lost or stolen one (revoked at once), and, in the sandbox, a certificate issued by the
built-in CA (a PKCS#12 file downloaded once, its password shown once)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kouiki.core import catalog
from kouiki.core.errors import InvalidTransition, KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.identity.access import View, enrolled_required
from kouiki.identity.forms import CertificateIssueForm, CertificateReasonForm, CertificateRegisterForm
from kouiki.identity.models import User
from kouiki.identity.services import certificate_authority, certificates

# The sandbox's PKCS#12 file waits this long in the shared cache for its one download.
BUNDLE_SECONDS = 600
BUNDLE_GONE = (
    "ダウンロードできる証明書ファイルはありません（一度だけ、発行から10分以内にダウンロードできます）。"
)


def _per_system(view: View) -> View:
    """The view for a user enrolled in the system of the URL (`system`); the services check that it
    is its organization's administrator."""
    guarded = {system.value: enrolled_required(system)(view) for system in certificates.SYSTEMS}

    @wraps(view)
    def dispatch(request: HttpRequest, system: str, *args: Any, **kwargs: Any) -> HttpResponse:
        return guarded[system](request, system, *args, **kwargs)

    return dispatch


def _bundle_key(pk: int, user_pk: int) -> str:
    return f"kouiki:client-cert-bundle:{pk}:{user_pk}"


@catalog.implements("X-C1")
@require_http_methods(["GET", "POST"])
@never_cache
@_per_system
def certificate_list(request: HttpRequest, actor: User, system: str) -> HttpResponse:
    rows = list(certificates.certificates_for(actor=actor))
    form = CertificateRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificates.register_certificate(
                actor=actor,
                name=form.cleaned_data["name"],
                pem=form.cleaned_data["pem"].read(certificates.MAX_PEM_BYTES + 1),
            )
        except KouikiError as error:
            errors_onto_form(form, error, default_field="pem")
        else:
            messages.success(
                request,
                f"クライアント証明書「{certificate.name}」を登録しました。本機関の承認後に利用できます。",
            )
            return redirect(f"{system}:certificates")
    return render(
        request,
        "identity/certificates/list.html",
        {
            "title": "クライアント証明書",
            "rows": rows,
            "form": form,
            "system": system,
            "sandbox": certificate_authority.uses_built_in_ca(),
            "required": certificates.required(),
        },
    )


@catalog.implements("X-C1")
@require_http_methods(["GET", "POST"])
@never_cache
@_per_system
def certificate_issue(request: HttpRequest, actor: User, system: str) -> HttpResponse:
    """The sandbox: issue a certificate; the answer shows the PKCS#12 password once."""
    form = CertificateIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate, bundle = certificates.issue_sandbox_certificate(
                actor=actor, name=form.cleaned_data["name"]
            )
        except KouikiError as error:
            errors_onto_form(form, error, default_field="name")
        else:
            cache.set(_bundle_key(certificate.pk, actor.pk), bundle.pkcs12, BUNDLE_SECONDS)
            return render(
                request,
                "identity/certificates/issued.html",
                {
                    "title": "クライアント証明書を発行しました",
                    "certificate": certificate,
                    "password": bundle.password,
                    "system": system,
                },
            )
    else:
        certificates.certificates_for(actor=actor)  # the administrator's screen only
    return render(
        request,
        "identity/certificates/issue.html",
        {
            "title": "クライアント証明書の発行（サンドボックス）",
            "form": form,
            "system": system,
            "sandbox": certificate_authority.uses_built_in_ca(),
        },
    )


@catalog.implements("X-C1")
@never_cache
@_per_system
def certificate_bundle(request: HttpRequest, actor: User, system: str, pk: int) -> HttpResponse:
    """The issued PKCS#12 file, once, for the administrator who issued it, within BUNDLE_SECONDS."""
    certificate = certificates.certificate_for(actor=actor, pk=pk)
    key = _bundle_key(certificate.pk, actor.pk)
    data = cache.get(key)
    if data is None:
        raise Http404(
            "ダウンロードできる証明書ファイルはありません（一度だけ、発行から10分以内にダウンロードできます）。"
        )
    cache.delete(key)
    response = HttpResponse(data, content_type="application/x-pkcs12")
    response["Content-Disposition"] = f'attachment; filename="client-{certificate.pk}.p12"'
    return response


@catalog.implements("X-C1")
@require_http_methods(["GET", "POST"])
@never_cache
@_per_system
def certificate_loss(request: HttpRequest, actor: User, system: str, pk: int) -> HttpResponse:
    """Seed 001 3.4.2: report a lost or stolen certificate; it is revoked at once."""
    certificate = certificates.certificate_for(actor=actor, pk=pk)
    form = CertificateReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificates.report_loss(actor=actor, certificate=certificate, reason=form.cleaned_data["reason"])
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(f"{system}:certificates")
        except KouikiError as error:
            errors_onto_form(form, error, default_field="reason")
        else:
            messages.success(request, f"クライアント証明書「{certificate.name}」を失効させました。")
            return redirect(f"{system}:certificates")
    return render(
        request,
        "identity/certificates/loss.html",
        {
            "title": "クライアント証明書の紛失・盗難等の報告",
            "certificate": certificate,
            "form": form,
            "system": system,
        },
    )
