"""Back office: 職員管理 — the organization's own staff accounts (issue 15), for staff administrators
(the area's role, kouiki.backoffice.urls.AREAS; the services check it again)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core import japanese
from kouiki.core.errors import KouikiError
from kouiki.core.forms import TextField, errors_onto_form
from kouiki.core.lists import FilterForm, list_page
from kouiki.identity.access import staff_required
from kouiki.identity.choices import StaffRole
from kouiki.identity.services import staff as services
from kouiki.identity.views.auth import confirmed_totp

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


class StaffFilterForm(FilterForm):
    q = forms.CharField(
        label="キーワード",
        max_length=100,
        required=False,
        help_text="職員ID・氏名・カナ・メールアドレス・所属",
    )
    role = forms.ChoiceField(
        label="職員権限",
        required=False,
        choices=[("", "すべて"), *StaffRole.choices],
        error_messages={"invalid_choice": "職員権限の選択が不正です。"},
    )
    active = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("", "すべて"), ("1", "有効"), ("0", "無効")],
        error_messages={"invalid_choice": "状態の選択が不正です。"},
    )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"query": data["q"].strip(), "role": data["role"], "active": data["active"]}


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="職員権限",
        required=False,
        choices=StaffRole.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "職員権限の選択が不正です。"},
        help_text="職員権限ごとに利用できる業務は下の表のとおりです。",
    )


class StaffCreateForm(RolesForm):
    login_id = forms.CharField(
        label="職員ID",
        max_length=20,
        error_messages=_required("職員ID"),
        help_text="半角英字で始まる半角英数字・記号（. _ -）3〜20文字。",
    )
    last_name = TextField(label="氏名（姓）", max_length=50, error_messages=_required("氏名（姓）"))
    first_name = TextField(label="氏名（名）", max_length=50, error_messages=_required("氏名（名）"))
    last_name_kana = TextField(
        label="氏名カナ（セイ）", max_length=50, required=False, error_messages=_required("氏名カナ（セイ）")
    )
    first_name_kana = TextField(
        label="氏名カナ（メイ）", max_length=50, required=False, error_messages=_required("氏名カナ（メイ）")
    )
    department_title = TextField(label="所属・役職", max_length=100, required=False)
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={**_required("メールアドレス"), "invalid": "有効なメールアドレスを入力してください。"},
        help_text="初期パスワードをこのアドレスに送付します。",
    )
    field_order = ["login_id", "last_name", "first_name", "last_name_kana", "first_name_kana"]

    def clean_login_id(self) -> str:
        return japanese.normalize_user_login_id(self.cleaned_data["login_id"])

    def clean_last_name_kana(self) -> str:
        value = self.cleaned_data.get("last_name_kana", "")
        return japanese.normalize_kana(value) if value else ""

    def clean_first_name_kana(self) -> str:
        value = self.cleaned_data.get("first_name_kana", "")
        return japanese.normalize_kana(value) if value else ""


@staff_required
@require_GET
def staff_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The staff accounts, searchable by ID, name, role and state."""
    return list_page(
        request,
        form=StaffFilterForm(request.GET or None),
        select=partial(services.staff_members, actor=actor),
        template="backoffice/staff/list.html",
        title="職員一覧",
        context={"role_labels": dict(StaffRole.choices)},
        page_size=PAGE_SIZE,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest, actor: User) -> HttpResponse:
    """Register a staff account: its first password is mailed; TOTP is enrolled at its first login."""
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            user = services.register_staff(actor=actor, **data)
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request,
                f"職員 {user.login_id} を登録しました。初期パスワードを {user.email} に送付しました。",
            )
            return redirect("backoffice:staff_detail", pk=user.pk)
    return render(
        request, "backoffice/staff/form.html", {"form": form, "title": "職員登録", "role_areas": role_areas()}
    )


def role_areas() -> list[tuple[str, list[str]]]:
    """Each staff role with the names of the back-office areas it opens (read from AREAS)."""
    from kouiki.backoffice.urls import AREAS

    return [
        (str(label), [area.name for area in AREAS if value in area.roles])
        for value, label in StaffRole.choices
    ]


def _detail(request: HttpRequest, actor: User, user: User, form: RolesForm) -> HttpResponse:
    return render(
        request,
        "backoffice/staff/detail.html",
        {
            "target": user,
            "form": form,
            "roles": services.role_labels(user),
            "is_self": user.pk == actor.pk,
            "otp_enrolled": confirmed_totp(user) is not None,
            "role_areas": role_areas(),
            "title": f"職員詳細 {user.login_id}",
        },
    )


@staff_required
@require_GET
def staff_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    user = services.staff_member(actor=actor, pk=pk)
    return _detail(request, actor, user, RolesForm(initial={"roles": user.staff_roles}))


@staff_required
@require_POST
def staff_roles(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    user = services.staff_member(actor=actor, pk=pk)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            services.change_roles(actor=actor, user=user, roles=form.cleaned_data["roles"])
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "職員権限を変更しました。")
            return redirect("backoffice:staff_detail", pk=user.pk)
    return _detail(request, actor, user, form)


def _act(request: HttpRequest, actor: User, pk: int, act: Any, done: str) -> HttpResponse:
    user = services.staff_member(actor=actor, pk=pk)
    try:
        act(actor=actor, user=user)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("backoffice:staff_detail", pk=user.pk)


@staff_required
@require_POST
def staff_active(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    return _act(
        request,
        actor,
        pk,
        partial(services.set_active, active=active),
        "職員アカウントを有効にしました。" if active else "職員アカウントを無効にしました。",
    )


@staff_required
@require_POST
def staff_password(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _act(
        request, actor, pk, services.reset_password, "パスワードを再発行し、職員にメールで送付しました。"
    )


@staff_required
@require_POST
def staff_otp_reset(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _act(
        request,
        actor,
        pk,
        services.reset_second_factor,
        "二要素認証をリセットしました。次回のログイン時に認証アプリを登録し直します。",
    )
