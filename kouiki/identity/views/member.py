"""Member-system screens of identity: the menu, own profile (MEM-U1), user administration
(MEM-U2..U4). Views parse input, call one service or selector, and render."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.core.errors import Forbidden, KouikiError, ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import paginate, searched
from kouiki.core.systems import Role, System
from kouiki.identity import access, selectors, services
from kouiki.identity.access import function_required
from kouiki.identity.forms import MemberUserCreateForm, MemberUserForm, ProfileForm, UserSearchForm
from kouiki.identity.models import User

SYSTEM = System.MEMBER


def _profile_initial(user: User) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
    initial["email_confirm"] = user.email
    initial["duties"] = list(user.duties)
    return initial


def _profile_data(form: Any) -> dict[str, Any]:
    data = {name: form.cleaned_data.get(name, "") for name in services.PROFILE_FIELDS}
    if "duties" in form.cleaned_data:
        data["duties"] = form.cleaned_data["duties"]
    return data


@function_required("MEM-A1")
def menu(request: HttpRequest, actor: User) -> HttpResponse:
    """The member menu, generated from the function catalog for the user's roles."""
    groups = [
        (group, [{"name": function.name, "url": reverse(function.url_name)} for function in functions])
        for group, functions in access.menu(actor, SYSTEM)
    ]
    return render(request, "identity/member/menu.html", {"groups": groups, "title": "メニュー"})


@function_required("MEM-U1")
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, actor: User) -> HttpResponse:
    """MEM-U1 ユーザ情報変更: own profile; the password has its own screen."""
    is_admin = selectors.role_in(actor, SYSTEM) == Role.ADMIN
    return own_profile(
        request, actor, done="member:profile", template="identity/member/profile.html", is_admin=is_admin
    )


def own_profile(
    request: HttpRequest, actor: User, *, done: str, template: str, **context: Any
) -> HttpResponse:
    """The user's own contact details in any system (the password has its own screen); `done` is
    where the saved change leads."""
    form = ProfileForm(request.POST or None, initial=_profile_initial(actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_own_profile(actor=actor, **_profile_data(form))
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "ユーザ情報を変更しました。")
            return redirect(done)
    return render(request, template, {"form": form, "title": "ユーザ情報変更", **context})


@function_required("MEM-U2")
def user_list(request: HttpRequest, actor: User) -> HttpResponse:
    """MEM-U2 ユーザの一覧表示: the organization's users, searchable."""
    return users_page(
        request, actor, SYSTEM, template="identity/member/user_list.html", title="ユーザ情報一覧"
    )


def users_page(request: HttpRequest, actor: User, system: str, *, template: str, title: str) -> HttpResponse:
    """The organization's users of a system, searchable, each with its role and lockout, and the
    count of administrators and users (MEM-U2, CAP-U1)."""
    search = UserSearchForm(request.GET or None)
    page = paginate(request, searched(search, partial(selectors.users_for, actor=actor, system=system)))
    locked = selectors.locked_usernames([user.username for user in page.object_list])
    rows = [
        {"user": user, "role": selectors.role_in(user, system), "locked": user.username in locked}
        for user in page.object_list
    ]
    counts = selectors.count_by_role(organization=actor.organization, system=system)  # type: ignore[arg-type]
    context = {"search": search, "page": page, "rows": rows, "counts": counts, "title": title}
    return render(request, template, context)


def registered(request: HttpRequest, user: User) -> None:
    """Tell the administrator the user is registered and where its password went."""
    messages.success(
        request, f"ユーザ {user.login_id} を登録しました。パスワードを登録したメールアドレスに送信しました。"
    )


@function_required("MEM-U3")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest, actor: User) -> HttpResponse:
    """MEM-U3 ユーザの新規登録: the password goes to the user's address by mail."""
    form = MemberUserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_user(
                actor=actor,
                login_id=form.cleaned_data["user_id"],
                system=SYSTEM,
                **_profile_data(form),
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            registered(request, user)
            return redirect("member:user_detail", pk=user.pk)
    return render(request, "identity/member/user_form.html", {"form": form, "title": "ユーザ情報登録"})


@function_required("MEM-U4")
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """MEM-U4 ユーザの詳細情報表示および更新."""
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    role = selectors.role_in(user, SYSTEM)
    form = MemberUserForm(request.POST or None, initial=_profile_initial(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(actor=actor, user=user, system=SYSTEM, **_profile_data(form))
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "ユーザ情報を変更しました。")
            return redirect("member:user_detail", pk=user.pk)
    return render(
        request,
        "identity/member/user_detail.html",
        {
            "form": form,
            "target": user,
            "role": role,
            "is_admin": role == Role.ADMIN,
            "is_self": user.pk == actor.pk,
            "locked": user.username in selectors.locked_usernames([user.username]),
            "title": "ユーザ情報詳細",
        },
    )


def _user_action(request: HttpRequest, actor: User, pk: int, action: str) -> HttpResponse:
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    try:
        if action == "delete":
            services.delete_user(actor=actor, user=user, system=SYSTEM)
            messages.success(request, f"ユーザ {user.login_id} を削除しました。")
            return redirect("member:user_list")
        if action == "password":
            services.reset_password_by_admin(actor=actor, user=user, system=SYSTEM)
            messages.success(
                request, "パスワードを初期化し、新しいパスワードを登録メールアドレスに送信しました。"
            )
        elif action == "unlock":
            services.unlock_user(actor=actor, user=user, system=SYSTEM)
            messages.success(request, "ロックを解除しました。")
    except (Forbidden, ValidationFailed) as error:
        messages.error(request, error.message)
    return redirect("member:user_detail", pk=user.pk)


@function_required("MEM-U4")
@require_POST
def user_delete(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _user_action(request, actor, pk, "delete")


@function_required("MEM-U4")
@require_POST
def user_password_reset(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _user_action(request, actor, pk, "password")


@function_required("MEM-U4")
@require_POST
def user_unlock(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _user_action(request, actor, pk, "unlock")
