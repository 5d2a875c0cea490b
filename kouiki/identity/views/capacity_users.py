"""Capacity market system screens of identity: CAP-U1 ユーザ情報管理 (seed 002 3.2.2, 3.3).

The administrator registers, changes, deletes and views its users, unlocks them, reissues their
passwords (mailed), changes itself, and hands the administrator role over when the administrator
changes. Views parse input, call one service (kouiki.identity.services.capacity_users) or selector,
and render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.core import japanese
from kouiki.core.errors import Forbidden, KouikiError, ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.systems import Role, System
from kouiki.identity import selectors
from kouiki.identity.access import function_required
from kouiki.identity.forms import ProfileForm
from kouiki.identity.models import User
from kouiki.identity.services import PROFILE_FIELDS
from kouiki.identity.services import capacity_users as capacity
from kouiki.identity.views.member import registered, users_page

SYSTEM = System.CAPACITY
FUNCTION = "CAP-U1"
TEMPLATES = "identity/capacity"


class CapacityUserCreateForm(ProfileForm):
    """A new user: its ID, the person's profile, and the confirmation that it is one natural person."""

    user_id = forms.CharField(
        label="ユーザID",
        max_length=6,
        error_messages={"required": "ユーザIDを入力してください。"},
        help_text="半角英数字6桁で入力してください。",
    )
    natural_person = forms.BooleanField(
        label="このユーザIDは自然人1名が使用し、他の方と共用しません",
        error_messages={
            "required": "ユーザIDは自然人に限り、1人に1つ発行できます（容量市場システム利用規約 3.3）。"
            "確認してください。"
        },
    )
    field_order = ["user_id"]

    def clean_user_id(self) -> str:
        value = japanese.normalize_user_login_id(self.cleaned_data["user_id"])
        try:
            japanese.validate_user_login_id(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return value


def _initial(user: User) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(user, name) for name in PROFILE_FIELDS}
    initial["email_confirm"] = user.email
    return initial


def _profile(form: forms.Form) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name, "") for name in PROFILE_FIELDS}


@function_required(FUNCTION)
def user_list(request: HttpRequest, actor: User) -> HttpResponse:
    """ユーザ一覧: the organization's users of the capacity market system, searchable."""
    return users_page(request, actor, SYSTEM, template=f"{TEMPLATES}/user_list.html", title="ユーザ情報管理")


@function_required(FUNCTION)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest, actor: User) -> HttpResponse:
    """ユーザ登録: the password goes to the user's own address by mail."""
    form = CapacityUserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = capacity.register_user(
                actor=actor, login_id=form.cleaned_data["user_id"], **_profile(form)
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            registered(request, user)
            return redirect("cap:user_detail", pk=user.pk)
    return render(request, f"{TEMPLATES}/user_form.html", {"form": form, "title": "ユーザ登録"})


@function_required(FUNCTION)
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """ユーザ照会・変更: any user of the organization, the administrator itself included."""
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    form = ProfileForm(request.POST or None, initial=_initial(user))
    if request.method == "POST" and form.is_valid():
        try:
            capacity.update_user(actor=actor, user=user, **_profile(form))
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "ユーザ情報を変更しました。")
            return redirect("cap:user_detail", pk=user.pk)
    role = selectors.role_in(user, SYSTEM)
    return render(
        request,
        f"{TEMPLATES}/user_detail.html",
        {
            "form": form,
            "target": user,
            "is_admin": role == Role.ADMIN,
            "is_self": user.pk == actor.pk,
            "locked": user.username in selectors.locked_usernames([user.username]),
            "title": "ユーザ情報詳細",
        },
    )


def _act(request: HttpRequest, actor: User, pk: int, act: str) -> HttpResponse:
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    try:
        if act == "delete":
            capacity.delete_user(actor=actor, user=user)
            messages.success(request, f"ユーザ {user.login_id} を削除しました。")
            return redirect("cap:user_list")
        if act == "password":
            capacity.reissue_password(actor=actor, user=user)
            messages.success(request, "パスワードを再発行し、ユーザの登録メールアドレスに送信しました。")
        elif act == "unlock":
            capacity.unlock_user(actor=actor, user=user)
            messages.success(request, "ロックを解除しました。")
        elif act == "handover":
            capacity.hand_over_administrator(actor=actor, user=user)
            messages.success(
                request,
                f"管理者を {user.login_id}（{user.display_name}）に変更しました。"
                "あなたは一般ユーザになりました。",
            )
            return redirect("capacity:menu")
    except (Forbidden, ValidationFailed) as error:
        messages.error(request, error.message)
    return redirect("cap:user_detail", pk=user.pk)


@function_required(FUNCTION)
@require_POST
def user_delete(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _act(request, actor, pk, "delete")


@function_required(FUNCTION)
@require_POST
def user_password(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _act(request, actor, pk, "password")


@function_required(FUNCTION)
@require_POST
def user_unlock(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _act(request, actor, pk, "unlock")


@function_required(FUNCTION)
@require_POST
def user_handover(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _act(request, actor, pk, "handover")
