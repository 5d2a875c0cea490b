"""Member information requests: MEM-I3 会員情報変更申請一覧 (and one request: edit, resubmit, withdraw),
MEM-I4 会員情報変更申請, MEM-I5 承継, MEM-I6 脱退 (seed 003 chapters 5-7). Views parse input, call one
service or selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core.errors import Conflict, KouikiError, ValidationFailed, refuse_together
from kouiki.core.forms import CodeField, TextField, errors_onto_form
from kouiki.core.lists import FilterForm, paginate, searched
from kouiki.identity.access import function_required
from kouiki.membership import selectors
from kouiki.membership.forms import AdministratorForm, CompanyForm
from kouiki.membership.selectors import CHANGE, SLOTS, SUCCESSION, admin_key, ratio_text
from kouiki.membership.services import changes, exits
from kouiki.membership.services.review_changes import TYPES
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as review_services
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

EXIT_WARNING = "「承継」「脱退」の場合、広域機関会員ではなくなるため申請の際はご注意ください"


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one: its errors must show), None for a GET."""
    return request.POST if request.method == "POST" else None


def pending_context(actor: User) -> dict[str, Any]:
    """The request waiting for the organization's decision, for the notice on the screens."""
    pending = selectors.open_request_for(actor=actor)
    return {"pending": pending, "pending_name": registry.name_of(pending.kind) if pending else ""}


# --- forms of these screens ------------------------------------------------------------------------------


class ChangeSearchForm(FilterForm):
    date_from = forms.DateField(
        label="申請日（開始）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日付を正しく入力してください。"},
    )
    date_to = forms.DateField(
        label="申請日（終了）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日付を正しく入力してください。"},
    )
    state = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("", "すべて"), *review_selectors.STATE_CHOICES],
        error_messages={"invalid_choice": "状態の選択が不正です。"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "申請日（終了）は申請日（開始）以降の日付を指定してください。")
        return data

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"state": data["state"] or None, "date_from": data["date_from"], "date_to": data["date_to"]}


class Administrator2Choice(forms.Form):
    none = forms.BooleanField(
        label="管理者②を登録しない（登録済みの場合は削除します）",
        required=False,
    )


class ChangeForms:
    """会員情報変更申請: the company form, administrator ① and the optional administrator ②."""

    def __init__(
        self, data: Any = None, initial: dict[str, Any] | None = None, current: dict[str, Any] | None = None
    ) -> None:
        initial = initial or {}
        self.data = data
        # What is registered, for the rules that compare with it (a changed 資本関係 needs its ratio).
        self.current = current
        self.company = CompanyForm(
            data, initial={name: initial.get(name) for name in selectors.COMPANY_FIELDS}
        )
        self.admin2_choice = Administrator2Choice(data, prefix="admin2opt")
        self.admins = {
            slot: AdministratorForm(data, prefix=f"admin{slot}", initial=self._admin_initial(initial, slot))
            for slot in SLOTS
        }
        self.wants_administrator2 = self._administrator2_wanted()
        if not self.wants_administrator2:
            # Shown as typed but never validated: an optional section left out has no errors.
            self.admins[2] = AdministratorForm(prefix="admin2", initial=self._as_typed(self.admins[2]))
        self.non_field_errors: list[str] = []

    @staticmethod
    def _admin_initial(initial: dict[str, Any], slot: int) -> dict[str, Any]:
        values = {name: initial.get(admin_key(slot, name), "") for name in selectors.ADMIN_FIELDS}
        values["email_confirm"] = values["email"]
        return values

    @staticmethod
    def _as_typed(form: forms.Form) -> dict[str, str]:
        return {name: str(form.data.get(form.add_prefix(name), "")) for name in form.fields}

    def _administrator2_wanted(self) -> bool:
        """Whether administrator ② is to be registered: not when ticked off or left entirely blank."""
        if self.data is None:
            return True
        if self.admin2_choice.is_valid() and self.admin2_choice.cleaned_data["none"]:
            return False
        return any(value.strip() for value in self._as_typed(self.admins[2]).values())

    def is_valid(self) -> bool:
        """Every field, and the service's rules across fields on what is valid so far: every error
        at once, not one more after each correction (issue 17, point 14)."""
        valid = self.company.is_valid()
        valid = self.admins[1].is_valid() and valid
        if self.wants_administrator2:
            valid = self.admins[2].is_valid() and valid
        given = self._valid_values()
        try:
            refuse_together(
                lambda: changes.check_administrators(given),
                lambda: self._check_capital(given),
            )
        except ValidationFailed as error:
            self.add_error(error)
            valid = False
        return valid

    def _check_capital(self, given: dict[str, Any]) -> None:
        if self.current is not None and {"capital_relationship", "parent_share_ratio"} <= set(given):
            changes.check_capital(self.current, given)

    def _valid_values(self) -> dict[str, Any]:
        """The values that passed their fields' checks, keyed and shaped as in a payload."""
        given = dict(getattr(self.company, "cleaned_data", {}))
        if "parent_share_ratio" in given:
            given["parent_share_ratio"] = ratio_text(given["parent_share_ratio"])
        for slot in SLOTS:
            if slot == 1 or self.wants_administrator2:
                cleaned = getattr(self.admins[slot], "cleaned_data", {})
                given.update({admin_key(slot, name): value for name, value in cleaned.items()})
        return given

    def payload(self) -> dict[str, Any]:
        payload = self.company.payload()
        for slot in SLOTS:
            if slot == 2 and not self.wants_administrator2:
                payload.update({admin_key(slot, name): "" for name in selectors.ADMIN_FIELDS})
                continue
            admin = self.admins[slot].payload()
            payload.update({admin_key(slot, name): admin.get(name) or "" for name in selectors.ADMIN_FIELDS})
        return payload

    def add_error(self, error: KouikiError) -> None:
        if not error.errors:
            self.non_field_errors.append(error.message)
        for key, field_messages in error.errors.items():
            form, name = self._route(key)
            for message in field_messages:
                if form is None:
                    self.non_field_errors.append(message)
                else:
                    form.add_error(name, message)

    def _route(self, key: str) -> tuple[forms.Form | None, str | None]:
        if key in self.company.fields:
            return self.company, key
        for slot in SLOTS:
            prefix = f"admin{slot}_"
            if (
                key.startswith(prefix)
                and key[len(prefix) :] in self.admins[slot].fields
                and self.admins[slot].is_bound
            ):
                return self.admins[slot], key[len(prefix) :]
        return None, None

    @property
    def forms(self) -> list[forms.Form]:
        return [self.company, self.admins[1], self.admins[2]]

    @property
    def has_errors(self) -> bool:
        return bool(self.non_field_errors) or any(form.errors for form in self.forms)


class SuccessionForm(forms.Form):
    successor_code = CodeField(
        label="承継事業者コード",
        max_length=10,
        help_text="半角数字4桁",
        error_messages={"required": "承継事業者コードを入力してください。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    successor_name = TextField(
        label="承継事業者名",
        max_length=200,
        help_text="全角で入力してください。",
        error_messages={"required": "承継事業者名を入力してください。"},
    )
    confirm = forms.BooleanField(
        label="広域機関会員ではなくなることを確認のうえ申請します",
        error_messages={"required": "申請の前に、確認欄にチェックを入れてください。"},
    )


class WithdrawalForm(forms.Form):
    confirm = forms.BooleanField(
        label="広域機関会員ではなくなることを確認のうえ申請します",
        error_messages={"required": "申請の前に、確認欄にチェックを入れてください。"},
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


# --- MEM-I3 会員情報変更申請一覧 and one request ----------------------------------------------------


@function_required("MEM-I3")
@require_GET
def change_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Past change, succession and withdrawal requests, searchable by date and state."""
    search = ChangeSearchForm(request.GET or None)
    page = paginate(request, searched(search, partial(selectors.change_requests_for, actor=actor)))
    rows = [(application, registry.name_of(application.kind)) for application in page.object_list]
    return render(
        request,
        "membership/info/change_list.html",
        {
            "search": search,
            "page": page,
            "rows": rows,
            **pending_context(actor),
            "title": "会員情報変更申請一覧",
        },
    )


def _detail_context(application: Application) -> dict[str, Any]:
    application_type = TYPES[application.kind]
    edit_act = changes.edit_act(application)
    return {
        "application": application,
        "kind_name": application_type.name,
        "differences": application_type.differences(application),
        "rows": application_type.rows(application.payload),
        "transitions": [
            (transition, review_services.ACT_NAMES.get(transition.action, transition.action))
            for transition in application.transitions.all()
        ],
        "editable": edit_act is not None,
        "resubmit": edit_act == "resubmit",
        "withdrawable": review_services.may("withdraw", application.state),
    }


@function_required("MEM-I3")
@require_GET
def change_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One request: the requested values against the registered ones, the decision and the history."""
    application = selectors.change_request_for(actor=actor, pk=pk)
    context = _detail_context(application)
    context["version_form"] = VersionForm(initial={"version": application.version})
    context["title"] = f"{context['kind_name']} {application.reception_number}"
    return render(request, "membership/info/change_detail.html", context)


@function_required("MEM-I3")
@require_POST
def change_withdraw(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """取下げ: the member takes back a request the organization has not decided yet."""
    application = selectors.change_request_for(actor=actor, pk=pk)
    form = VersionForm(request.POST)
    expected = form.cleaned_data["version"] if form.is_valid() else None
    try:
        changes.withdraw_request(actor=actor, application=application, expected_version=expected)
    except KouikiError as error:
        messages.error(request, error.message)
        return redirect("membership:change_detail", pk=application.pk)
    messages.success(request, f"受付番号 {application.reception_number} の申請を取り下げました。")
    return redirect("membership:change_list")


def _edited(request: HttpRequest, application: Application, *, resubmitted: bool) -> HttpResponse:
    verb = "修正して再申請しました" if resubmitted else "変更しました"
    messages.success(request, f"受付番号 {application.reception_number} の申請を{verb}。")
    return redirect("membership:change_detail", pk=application.pk)


@function_required("MEM-I3")
@require_http_methods(["GET", "POST"])
def change_edit(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """Edit a request not yet approved; after a hold or a rejection the edit is a resubmission."""
    application = selectors.change_request_for(actor=actor, pk=pk)
    context = _detail_context(application)
    if not context["editable"]:
        messages.error(request, f"状態が「{application.get_state_display()}」の申請は変更できません。")
        return redirect("membership:change_detail", pk=application.pk)
    version = VersionForm(posted(request), initial={"version": application.version})
    expected = version.cleaned_data["version"] if request.method == "POST" and version.is_valid() else None
    context.update({"version_form": version, "title": f"{context['kind_name']}の変更"})
    if application.kind == CHANGE:
        profile = selectors.member_profile_for(actor=actor)
        current = selectors.snapshot(profile) if profile is not None else None
        change_forms = ChangeForms(posted(request), initial=application.payload, current=current)
        if request.method == "POST" and change_forms.is_valid():
            try:
                edited = changes.edit_request(
                    actor=actor,
                    application=application,
                    payload=change_forms.payload(),
                    expected_version=expected,
                )
            except KouikiError as error:
                change_forms.add_error(error)
            else:
                return _edited(request, edited, resubmitted=context["resubmit"])
        context.update({"change_forms": change_forms, "editing": application})
        return render(request, "membership/info/change_form.html", context)
    if application.kind == SUCCESSION:
        form: forms.Form = SuccessionForm(posted(request), initial=application.payload)
        template = "membership/info/succession.html"
    else:
        form = WithdrawalForm(posted(request))
        template = "membership/info/withdrawal.html"
    if request.method == "POST" and form.is_valid():
        try:
            edited = changes.edit_request(
                actor=actor, application=application, payload=form.cleaned_data, expected_version=expected
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            return _edited(request, edited, resubmitted=context["resubmit"])
    context.update({"form": form, "editing": application, "warning": EXIT_WARNING})
    return render(request, template, context)


# --- MEM-I4 会員情報変更申請 --------------------------------------------------------------------------------


@function_required("MEM-I4")
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest, actor: User) -> HttpResponse:
    """The change form: administrators only → applied at once; anything else → a request for approval."""
    profile = selectors.member_profile_for(actor=actor)
    context: dict[str, Any] = {"title": "会員情報変更申請", **pending_context(actor)}
    if profile is None:
        return render(request, "membership/info/change_form.html", {**context, "change_forms": None})
    current = selectors.snapshot(profile)
    change_forms = ChangeForms(posted(request), initial=current, current=current)
    if request.method == "POST" and change_forms.is_valid():
        try:
            outcome = changes.request_change(actor=actor, payload=change_forms.payload())
        except KouikiError as error:
            change_forms.add_error(error)
        else:
            if outcome.application is not None:
                messages.success(
                    request,
                    f"会員情報の変更を申請しました（受付番号 {outcome.application.reception_number}）。"
                    "本機関の承認後に会員情報へ反映されます。",
                )
                return redirect("membership:change_detail", pk=outcome.application.pk)
            if outcome.actor_removed:
                logout(request)
                return render(
                    request,
                    "membership/info/administrator_replaced.html",
                    {
                        "notes": outcome.notes,
                        "system_name": "会員情報管理システム",
                        "title": "管理者を交代しました",
                    },
                )
            messages.success(
                request, f"管理者情報を変更し、会員情報に反映しました（{'、'.join(outcome.notes)}）。"
            )
            return redirect("membership:info")
    context["change_forms"] = change_forms
    return render(request, "membership/info/change_form.html", context)


# --- MEM-I5 承継, MEM-I6 脱退 --------------------------------------------------------------------------


def _filed(request: HttpRequest, application: Application) -> HttpResponse:
    messages.success(
        request,
        f"{registry.name_of(application.kind)}を受け付けました（受付番号 {application.reception_number}）。"
        "本機関からの承認連絡をお待ちください。",
    )
    return redirect("membership:change_detail", pk=application.pk)


@function_required("MEM-I5")
@require_http_methods(["GET", "POST"])
def succession(request: HttpRequest, actor: User) -> HttpResponse:
    """承継申請: the successor's 事業者コード and name; approval ends this membership."""
    form = SuccessionForm(posted(request))
    return _exit_request(
        request,
        actor,
        form,
        lambda: exits.request_succession(
            actor=actor,
            successor_code=form.cleaned_data["successor_code"],
            successor_name=form.cleaned_data["successor_name"],
        ),
        template="membership/info/succession.html",
        title="承継申請",
    )


@function_required("MEM-I6")
@require_http_methods(["GET", "POST"])
def withdrawal(request: HttpRequest, actor: User) -> HttpResponse:
    """脱退申請: approval ends this membership."""
    return _exit_request(
        request,
        actor,
        WithdrawalForm(posted(request)),
        lambda: exits.request_withdrawal(actor=actor),
        template="membership/info/withdrawal.html",
        title="脱退申請",
    )


def _exit_request(
    request: HttpRequest,
    actor: User,
    form: forms.Form,
    file: Callable[[], Application],
    *,
    template: str,
    title: str,
) -> HttpResponse:
    """A succession or withdrawal request: the form, then `file()` (the service); its refusals on the
    form, the filed application's page after it."""
    if request.method == "POST" and form.is_valid():
        try:
            application = file()
        except ValidationFailed as error:
            errors_onto_form(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            return _filed(request, application)
    return render(
        request, template, {"form": form, "warning": EXIT_WARNING, **pending_context(actor), "title": title}
    )
