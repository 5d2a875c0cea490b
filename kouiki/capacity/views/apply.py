"""The application to use the capacity market system (事業者情報登録申請, CAP-R1) and its review
state for the applicant (CAP-R2), before the applicant has an account.

Nobody is logged in here. The application is reopened with the 受付番号 and the administrator's
e-mail address (as in the member system's joining); a signed, short-lived key in the session then
lets that browser, and only it, see and correct it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from kouiki.capacity.forms import LookupForm
from kouiki.capacity.forms.screens import OperatorForms
from kouiki.capacity.services import operators
from kouiki.capacity.views.common import application_context
from kouiki.core.catalog import implements
from kouiki.core.errors import Conflict, NotFound, ValidationFailed
from kouiki.core.views import ratelimited
from kouiki.reviews.services.guest_access import GuestAccess, remember_reception
from kouiki.terms import selectors as terms_selectors

if TYPE_CHECKING:
    from kouiki.reviews.models import Application

SYSTEM_NAME = "容量市場システム"
RECEIVED_KEY = "kouiki_capacity_received"
STATUS_KEY = "kouiki_capacity_status"
STATUS_SALT = "kouiki.capacity.apply.status"
# Idle time after which the 受付番号 and the address must be entered again.
STATUS_MAX_AGE_SECONDS = 60 * 60
NOT_FOUND = "受付番号またはメールアドレスが正しくありません。"


def _render(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    return render(
        request, f"capacity/apply/{template}", {"system_name": SYSTEM_NAME, **context}, status=status
    )


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    return bool(is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True))


@implements("CAP-R1")
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """事業者情報登録申請 = 容量市場システムの利用申請 (seed 002 2.1.1)."""
    terms = operators.current_terms()
    forms = OperatorForms(request.POST or None, terms=terms)
    if request.method == "POST" and terms is not None:
        if _limited(request, "capacity-apply", settings.KOUIKI_RESET_RATE):
            return ratelimited(request)
        if forms.is_valid():
            try:
                application = operators.file_registration(
                    payload=forms.payload(), agreed_terms_id=forms.agreed_terms_id()
                )
            except ValidationFailed as error:
                forms.add_errors(error)
            else:
                remember_reception(request, RECEIVED_KEY, application)
                return redirect("cap:apply_received")
    return _render(request, "form.html", forms=forms, terms=terms, title="容量市場システム 利用申請")


@implements("CAP-R1")
@never_cache
@require_GET
def received(request: HttpRequest) -> HttpResponse:
    """The reception screen: the 受付番号 and what comes next."""
    data = request.session.get(RECEIVED_KEY)
    if not data:
        return redirect("cap:apply")
    return _render(request, "received.html", received=data, title="利用申請の受付")


STATUS_ACCESS = GuestAccess(
    session_key=STATUS_KEY,
    salt=STATUS_SALT,
    max_age_seconds=STATUS_MAX_AGE_SECONDS,
    find=operators.find_registration,
)


@implements("CAP-R1")
@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """CAP-R2 for the applicant: 受付番号 + 管理者メールアドレス; a wrong pair gets one message."""
    form = LookupForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "capacity-lookup", settings.KOUIKI_LOGIN_RATE):
            return ratelimited(request)
        if form.is_valid():
            try:
                application = operators.find_registration(
                    reception_number=form.cleaned_data["reception_number"], email=form.cleaned_data["email"]
                )
            except NotFound:
                form.add_error(
                    None,
                    f"{NOT_FOUND}承認済みの申請は、通知された管理者IDでログインして確認してください。",
                )
            else:
                STATUS_ACCESS.grant(request, application, form.cleaned_data["email"])
                return redirect("cap:apply_status")
    return _render(request, "lookup.html", form=form, title="利用申請の審査状況確認")


def _terms_to_agree(application: Application) -> Any:
    """The terms in force when this application has not agreed to them yet (revised meanwhile)."""
    terms = operators.current_terms()
    if terms is None or terms.pk in terms_selectors.consented_document_ids(application=application):
        return None
    return terms


@implements("CAP-R1")
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """The review state, the reviewer's reason, and after a hold or a rejection the correction."""
    granted = STATUS_ACCESS.granted(request)
    if granted is None:
        messages.info(request, "受付番号と管理者メールアドレスを入力して、申請を表示してください。")
        return redirect("cap:apply_lookup")
    application, email = granted
    context = application_context(application)
    forms = None
    if context["correctable"]:
        forms = OperatorForms(
            request.POST or None, payload=application.payload, terms=_terms_to_agree(application)
        )
        if request.method == "POST" and forms.is_valid():
            try:
                filed = operators.resubmit_registration(
                    email=email,
                    application=application,
                    payload=forms.payload(),
                    agreed_terms_id=forms.agreed_terms_id(),
                )
            except (ValidationFailed, Conflict) as error:
                forms.add_errors(error)
            else:
                messages.success(request, f"受付番号 {filed.reception_number} の申請を再申請しました。")
                return redirect("cap:apply_status")
    return _render(request, "status.html", forms=forms, title="利用申請の審査状況", **context)
