"""The join screens (seed 003 chapter 1): link, provisional application, reception, main application.

Nobody is logged in here. The provisional application is opened from a signed, expiring link; the
main application from the 受付番号 and 管理者①メールアドレス, after which a signed, short-lived key in
the session lets that browser (and only it) see and correct the application.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from kouiki.core.catalog import implements
from kouiki.core.errors import Conflict, KouikiError, NotFound, ValidationFailed
from kouiki.core.views import ratelimited
from kouiki.membership.forms import AdministratorForm, CompanyForm
from kouiki.membership.forms.join import ConsentForm, JoinLinkForm, MainLookupForm, OrganizationCodeForm
from kouiki.membership.selectors.join import code_for
from kouiki.membership.services import join
from kouiki.membership.services.review_join import (
    ADMIN_NAMES,
    ADMINISTRATORS,
    admin_data,
    admin_key,
    administrator_problems,
    company_data,
)
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as review_services
from kouiki.reviews.services.guest_access import GuestAccess, remember_reception

if TYPE_CHECKING:
    from kouiki.reviews.models import Application
    from kouiki.terms.models import TermsDocument

SYSTEM_NAME = "会員情報管理システム"
RECEIVED_KEY = "kouiki_join_received"
DONE_KEY = "kouiki_join_main_done"
MAIN_KEY = "kouiki_join_main"
MAIN_SALT = "kouiki.membership.join.main"
# Idle time after which the 受付番号 and mail address must be entered again.
MAIN_MAX_AGE_SECONDS = 60 * 60
NOT_FOUND = "受付番号またはメールアドレスが正しくありません。"


def _render(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    return render(
        request, f"membership/join/{template}", {"system_name": SYSTEM_NAME, **context}, status=status
    )


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    return bool(is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True))


class ApplicationForms:
    """The forms of one application screen: company, administrators ① ②, code, consents.

    Administrator ② is optional: left wholly empty it is not validated and not filed.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        documents: list[TermsDocument],
        payload: Mapping[str, Any] | None = None,
        with_code: bool = False,
        email: str = "",
    ) -> None:
        self.data = data
        payload = payload or {}
        self.company = CompanyForm(data, initial=company_data(payload) if payload else None)
        self.admins: dict[int, AdministratorForm] = {}
        for number in ADMINISTRATORS:
            initial = admin_data(payload, number) if payload else {}
            if number == 1 and not payload and email:
                initial = {"email": email}
            if initial.get("email"):
                initial["email_confirm"] = initial["email"]
            self.admins[number] = AdministratorForm(data, prefix=f"admin{number}", initial=initial)
        self.code = (
            OrganizationCodeForm(data, initial={"organization_code": payload.get("organization_code", "")})
            if with_code
            else None
        )
        if data is not None and not self.admin_given(2):
            # Left empty: shown again empty, without the errors of a bound, empty form.
            self.admins[2] = AdministratorForm(prefix="admin2")
        self.consent = ConsentForm(data, documents=documents)

    def admin_given(self, number: int) -> bool:
        if number == 1:
            return True
        form = self.admins[number]
        if self.data is None:
            return any(str(value).strip() for value in form.initial.values())
        return any(str(self.data.get(form.add_prefix(name), "")).strip() for name in form.fields)

    def sections(self) -> list[tuple[str, Any]]:
        """(heading, form) of the forms to validate, in screen order, for the error summary."""
        found: list[tuple[str, Any]] = []
        if self.code is not None:
            found.append(("", self.code))
        found.append(("会社情報", self.company))
        found += [(ADMIN_NAMES[n], self.admins[n]) for n in ADMINISTRATORS if self.admin_given(n)]
        found.append(("規約への同意", self.consent))
        return found

    def is_valid(self, *, application: Application | None = None) -> bool:
        """Every section, and the rules across them on what is valid so far (two administrators with
        one ID; the main application's 事業者コード against the one issued to ``application``):
        every error at once, not one more after each correction (issue 17, point 14)."""
        valid = all([form.is_valid() for _heading, form in self.sections()])
        problems = administrator_problems(self._valid_values())
        code = self.code.cleaned_data.get("organization_code") if self.code is not None else None
        if application is not None and code:
            problems.update(join.code_problems(application, code))
        if problems:
            self.add_errors(ValidationFailed(errors=problems))
        return valid and not problems

    def _valid_values(self) -> dict[str, Any]:
        """The administrators' values that passed their fields' checks, keyed as in a payload."""
        return {
            admin_key(number, name): value
            for number in ADMINISTRATORS
            if self.admin_given(number)
            for name, value in getattr(self.admins[number], "cleaned_data", {}).items()
        }

    def payload(self) -> dict[str, Any]:
        data = self.company.payload()
        for number in ADMINISTRATORS:
            if self.admin_given(number):
                data.update(
                    {admin_key(number, name): value for name, value in self.admins[number].payload().items()}
                )
        return data

    def add_errors(self, error: KouikiError) -> None:
        """A service's errors, keyed as the payload is, next to the fields they belong to."""
        if not error.errors:
            self.company.add_error(None, error.message)
            return
        for key, field_messages in error.errors.items():
            form, field = self._locate(key)
            for message in field_messages:
                form.add_error(field, message)

    def _locate(self, key: str) -> tuple[Any, str | None]:
        if self.code is not None and key in self.code.fields:
            return self.code, key
        if key in self.consent.fields:
            return self.consent, key
        for number in ADMINISTRATORS:
            prefix = admin_key(number, "")
            if key.startswith(prefix) and key[len(prefix) :] in self.admins[number].fields:
                return self.admins[number], key[len(prefix) :]
        if key in self.company.fields:
            return self.company, key
        return self.company, None

    @property
    def has_errors(self) -> bool:
        return any(form.errors for _heading, form in self.sections())


# --- MEM-J1 -------------------------------------------------------------------------------------


@implements("MEM-J1")
@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """加入申請リンク確認: the same answer whatever the address (seed 003 1.2)."""
    form = JoinLinkForm(request.POST or None)
    days = join.LINK_MAX_AGE.days
    if request.method == "POST":
        if _limited(request, "join-link", settings.KOUIKI_RESET_RATE):
            return ratelimited(request)
        if form.is_valid():
            join.request_join_link(email=form.cleaned_data["email"], name=form.cleaned_data["name"])
            return _render(request, "link_sent.html", days=days, title="メールを送信しました")
    return _render(request, "link.html", form=form, days=days, title="加入申請リンク確認")


# --- MEM-J2 / J3 --------------------------------------------------------------------------------


@implements("MEM-J2")
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def provisional(request: HttpRequest, token: str) -> HttpResponse:
    """加入(仮)申請 from the mailed link; on success the reception screen (MEM-J3)."""
    try:
        join_link = join.read_join_link(token)
    except (join.JoinLinkExpired, join.JoinLinkInvalid) as error:
        return _render(request, "link_invalid.html", status=400, message=error.message, title="URLが無効です")
    forms = ApplicationForms(request.POST or None, documents=join.join_documents(), email=join_link.email)
    if request.method == "POST" and forms.is_valid():
        try:
            application = join.file_provisional(
                link=join_link,
                payload=forms.payload(),
                agreed_document_ids=forms.consent.agreed_document_ids(),
            )
        except ValidationFailed as error:
            forms.add_errors(error)
        else:
            remember_reception(request, RECEIVED_KEY, application)
            return redirect("join:received")
    return _render(
        request,
        "provisional.html",
        forms=forms,
        link=join_link,
        expires_at=join_link.expires_at,
        title="加入（仮）申請",
    )


@implements("MEM-J3")
@never_cache
@require_GET
def received(request: HttpRequest) -> HttpResponse:
    """MEM-J3 受付表示: the 加入申請受付番号 and what comes next."""
    data = request.session.get(RECEIVED_KEY)
    if not data:
        return redirect("join:link")
    return _render(
        request, "received.html", received=data, main_url=join.MAIN_PATH, title="加入（仮）申請の受付"
    )


# --- MEM-J4 -------------------------------------------------------------------------------------


MAIN_ACCESS = GuestAccess(
    session_key=MAIN_KEY, salt=MAIN_SALT, max_age_seconds=MAIN_MAX_AGE_SECONDS, find=join.find_for_main
)


@implements("MEM-J4")
@never_cache
@require_http_methods(["GET", "POST"])
def main(request: HttpRequest) -> HttpResponse:
    """加入(本)申請の再表示: 受付番号 + 管理者①メールアドレス; a wrong pair gets one message."""
    form = MainLookupForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "join-main", settings.KOUIKI_LOGIN_RATE):
            return ratelimited(request)
        if form.is_valid():
            try:
                application = join.find_for_main(
                    reception_number=form.cleaned_data["reception_number"], email=form.cleaned_data["email"]
                )
            except NotFound:
                form.add_error(None, NOT_FOUND)
            else:
                MAIN_ACCESS.grant(request, application, form.cleaned_data["email"])
                return redirect("join:main_edit")
    return _render(request, "main.html", form=form, title="加入（本）申請")


@implements("MEM-J4")
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def main_edit(request: HttpRequest) -> HttpResponse:
    """The provisional data quoted for correction, the 事業者コード, and the (re)submission."""
    granted = MAIN_ACCESS.granted(request)
    if granted is None:
        messages.info(request, "受付番号と管理者①メールアドレスを入力して、申請内容を再表示してください。")
        return redirect("join:main")
    application, email = granted
    state_label = review_selectors.state_label(application.state)
    act = join.main_act(application)
    if act is None:
        return _render(
            request,
            "main_status.html",
            application=application,
            state_label=state_label,
            pending=application.state in review_services.PENDING,
            title="加入（本）申請",
        )
    code_issued = code_for(application) is not None
    forms = ApplicationForms(
        request.POST or None,
        documents=join.documents_to_consent(application),
        payload=application.payload,
        with_code=True,
    )
    if request.method == "POST" and forms.is_valid(application=application):
        assert forms.code is not None
        try:
            filed = join.submit_main(
                email=email,
                application=application,
                payload=forms.payload(),
                code=forms.code.cleaned_data["organization_code"],
                agreed_document_ids=forms.consent.agreed_document_ids(),
            )
        except ValidationFailed as error:
            forms.add_errors(error)
        except Conflict as error:
            forms.company.add_error(None, error.message)
        else:
            request.session[DONE_KEY] = {
                "reception_number": filed.reception_number,
                "company_name": filed.subject,
                "resubmitted": act == "resubmit",
                "refund_account": join.needs_refund_account(filed.payload),
            }
            return redirect("join:main_done")
    return _render(
        request,
        "main_form.html",
        forms=forms,
        application=application,
        state_label=state_label,
        act=act,
        code_issued=code_issued,
        title="加入（本）申請",
    )


@implements("MEM-J4")
@never_cache
@require_GET
def main_done(request: HttpRequest) -> HttpResponse:
    """The main application was filed: what happens next."""
    data = request.session.get(DONE_KEY)
    if not data:
        return redirect("join:main")
    return _render(request, "main_done.html", done=data, title="加入（本）申請の受付")
