"""Switching system screens of identity: ユーザ管理（管理者機能）, SW-U01..U11 (seed 001 2.2.1 (3)).

The administrator of a retailer or a DR contractor lists (searchable, CSV), registers (one, or many
from a CSV file), changes, deletes, unlocks, enables and disables its users, reissues their
passwords, and chooses per user the functions it may use. Views parse input, call one service
(kouiki.identity.services.switching_users) or selector, and render.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.core import catalog, csvio
from kouiki.core.errors import Forbidden, KouikiError, ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import searched
from kouiki.core.systems import Role, System
from kouiki.identity import selectors
from kouiki.identity.access import function_required
from kouiki.identity.forms import (
    ProfileForm,
    RightsForm,
    SwitchingUserCreateForm,
    UserCsvForm,
    UserSearchForm,
)
from kouiki.identity.models import User
from kouiki.identity.services import PROFILE_FIELDS, switching_admin
from kouiki.identity.services import switching_users as users
from kouiki.identity.views.member import registered, users_page

SYSTEM = System.SWITCHING
TEMPLATES = "identity/switching"


def _profile(form: Any) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name, "") for name in PROFILE_FIELDS}


def _initial(user: User) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(user, name) for name in PROFILE_FIELDS}
    initial["email_confirm"] = user.email
    return initial


@function_required("SW-U01")
def user_list(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-U01 ユーザ一覧表示: the organization's switching users, searchable, paginated."""
    return users_page(request, actor, SYSTEM, template=f"{TEMPLATES}/user_list.html", title="ユーザ一覧")


def _rights_label(user: User) -> str:
    granted = selectors.granted_functions(user, SYSTEM)
    if granted is None:
        return "すべての機能"
    return "、".join(sorted(granted)) or "なし"


@function_required("SW-U02")
def user_csv(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-U02 ユーザ一覧ファイルダウンロード: the list as searched, as CSV (UTF-8, or CP932)."""
    found = searched(
        UserSearchForm(request.GET or None), partial(selectors.users_for, actor=actor, system=SYSTEM)
    )
    rows = list(found)
    locked = selectors.locked_usernames([user.username for user in rows])
    header = [
        "ユーザID",
        "氏名",
        "氏名カナ",
        "所属・役職",
        "メールアドレス",
        "電話番号",
        "権限",
        "状態",
        "利用できる機能",
        "最終ログイン日時",
    ]
    data = [
        [
            user.login_id,
            user.display_name,
            user.display_name_kana,
            user.department_title,
            user.email,
            user.phone,
            "管理者" if selectors.role_in(user, SYSTEM) == Role.ADMIN else "一般",
            "ロック中" if user.username in locked else ("有効" if user.is_active else "無効"),
            _rights_label(user),
            timezone.localtime(user.last_login).strftime("%Y/%m/%d %H:%M") if user.last_login else "",
        ]
        for user in rows
    ]
    encoding: csvio.Encoding = "cp932" if request.GET.get("encoding") == "cp932" else "utf-8-sig"
    try:
        body = csvio.write_csv(data, header, encoding=encoding)
    except csvio.CsvEncodeError as error:
        messages.error(request, error.message)
        return redirect("switching:user_list")
    return csvio.csv_response(f"ユーザ一覧_{timezone.localdate():%Y%m%d}.csv", body, encoding=encoding)


@function_required("SW-U04")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-U04 ユーザ登録: the ID and the password go to the user's address in two mails."""
    form = SwitchingUserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = users.organization_kind(actor.organization_id or 0)
        try:
            user = users.register_user(
                actor=actor,
                login_id=form.cleaned_data["user_id"],
                functions=users.preset_functions(form.cleaned_data["preset"], kind),
                **_profile(form),
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            registered(request, user)
            return redirect("switching:user_detail", pk=user.pk)
    return render(request, f"{TEMPLATES}/user_form.html", {"form": form, "title": "ユーザ登録"})


@function_required("SW-U05")
@require_http_methods(["GET", "POST"])
def user_bulk(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-U05 ユーザ一括登録（CSV）: every user of the file, or none, with every bad row listed."""
    form = UserCsvForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = users.register_users_from_csv(actor=actor, data=form.cleaned_data["file"].read())
        except ValidationFailed as error:
            form.add_error(None, error.message)
            problems = error.errors.get("file", [])
        else:
            messages.success(
                request,
                f"{len(created)}名のユーザを登録しました。ユーザIDとパスワードを各ユーザのメールアドレスに送信しました。",
            )
            return redirect("switching:user_list")
    columns = [column.label for column in users.CSV_COLUMNS]
    return render(
        request,
        f"{TEMPLATES}/user_bulk.html",
        {"form": form, "problems": problems, "columns": columns, "title": "ユーザ一括登録（CSV）"},
    )


@function_required("SW-U03")
def user_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """SW-U03 ユーザ詳細表示, with the change form (SW-U06) and the acts on the user."""
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    return _detail(request, actor, user, ProfileForm(initial=_initial(user)))


def _detail(request: HttpRequest, actor: User, user: User, form: ProfileForm) -> HttpResponse:
    role = selectors.role_in(user, SYSTEM)
    granted = selectors.granted_functions(user, SYSTEM)
    return render(
        request,
        f"{TEMPLATES}/user_detail.html",
        {
            "form": form,
            "target": user,
            "is_admin": role == Role.ADMIN,
            "is_self": user.pk == actor.pk,
            "locked": user.username in selectors.locked_usernames([user.username]),
            "granted": None if granted is None else [catalog.get(f) for f in sorted(granted)],
            "title": "ユーザ詳細",
        },
    )


@function_required("SW-U06")
@require_POST
def user_update(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """SW-U06 ユーザ修正: the user is told by mail."""
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    form = ProfileForm(request.POST, initial=_initial(user))
    if form.is_valid():
        try:
            users.update_user(actor=actor, user=user, **_profile(form))
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "ユーザ情報を変更しました。変更をユーザにメールでお知らせしました。")
            return redirect("switching:user_detail", pk=user.pk)
    return _detail(request, actor, user, form)


def _act(request: HttpRequest, actor: User, pk: int, act: str) -> HttpResponse:
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    try:
        if act == "delete":
            users.delete_user(actor=actor, user=user)
            messages.success(request, f"ユーザ {user.login_id} を削除しました。")
            return redirect("switching:user_list")
        if act == "unlock":
            users.unlock_user(actor=actor, user=user)
            messages.success(request, "ロックを解除しました。")
        elif act in {"enable", "disable"}:
            users.set_active(actor=actor, user=user, active=act == "enable")
            messages.success(
                request, "ユーザを有効にしました。" if act == "enable" else "ユーザを無効にしました。"
            )
        elif act == "password":
            users.reissue_user_password(actor=actor, user=user)
            messages.success(request, "パスワードを再発行し、ユーザの登録メールアドレスに送信しました。")
    except (Forbidden, ValidationFailed) as error:
        messages.error(request, error.message)
    return redirect("switching:user_detail", pk=user.pk)


@function_required("SW-U07")
@require_POST
def user_delete(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """SW-U07 ユーザ削除."""
    return _act(request, actor, pk, "delete")


@function_required("SW-U08")
@require_POST
def user_unlock(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """SW-U08 ロック解除."""
    return _act(request, actor, pk, "unlock")


@function_required("SW-U09")
@require_POST
def user_active(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """SW-U09 有効/無効切替 (`active`: 1 enables, 0 disables)."""
    return _act(request, actor, pk, "enable" if request.POST.get("active") == "1" else "disable")


@function_required("SW-U10")
@require_POST
def user_password(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """SW-U10 パスワード再発行."""
    return _act(request, actor, pk, "password")


@function_required("SW-U11")
@require_http_methods(["GET", "POST"])
def user_rights(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """SW-U11 利用者権限設定: the organization's functions by 業務, a preset or one by one."""
    user = selectors.user_for(actor=actor, pk=pk, system=SYSTEM)
    kind = users.organization_kind(user.organization_id or 0)
    granted = selectors.granted_functions(user, SYSTEM)
    # Every function a participant's user may hold: the service says why a kind may not.
    choices = [
        (f.id, f.title) for f in catalog.functions(SYSTEM) if f.who & {"R", "D"} and f.surface != "system"
    ]
    initial = {"preset": "all" if granted is None else "custom", "functions": sorted(granted or [])}
    form = RightsForm(request.POST or None, initial=initial, choices=choices)
    if request.method == "POST" and form.is_valid():
        preset = form.cleaned_data["preset"]
        try:
            functions = (
                form.cleaned_data["functions"] if preset == "custom" else users.preset_functions(preset, kind)
            )
            users.set_rights(actor=actor, user=user, functions=functions)
        except KouikiError as error:
            errors_onto_form(form, error, default_field="functions")
        else:
            messages.success(request, "利用者権限を設定しました。")
            return redirect("switching:user_detail", pk=user.pk)
    chosen = set(form["functions"].value() or [])
    groups = function_matrix(users.function_groups(kind), chosen)
    return render(
        request,
        f"{TEMPLATES}/user_rights.html",
        {
            "form": form,
            "target": user,
            "groups": groups,
            "is_admin": selectors.role_in(user, SYSTEM) == Role.ADMIN,
            "title": "利用者権限設定",
        },
    )


class AdminChangeForm(ProfileForm):
    """管理者変更申請: the new administrator's user ID and profile."""

    user_id = SwitchingUserCreateForm.base_fields["user_id"]
    field_order = ["user_id"]

    def clean_user_id(self) -> str:
        return SwitchingUserCreateForm.clean_user_id(self)  # type: ignore[arg-type]


@function_required("SW-U04")
@require_http_methods(["GET", "POST"])
def admin_change(request: HttpRequest, actor: User) -> HttpResponse:
    """管理者変更申請 (X-I1, seed 001 3.2.2): the organization reviews it and issues the new
    administrator's ID; an administrator is never added on the user screens."""
    form = AdminChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = switching_admin.request_change(
                actor=actor, login_id=form.cleaned_data["user_id"], **_profile(form)
            )
        except KouikiError as error:
            errors_onto_form(form, error, with_summary=True)
        else:
            messages.success(
                request,
                f"管理者変更申請を受け付けました（受付番号 {application.reception_number}）。"
                "本機関の審査後、新しい管理者のユーザIDとパスワードをメールでお送りします。",
            )
            return redirect("switching:admin_change")
    return render(
        request,
        f"{TEMPLATES}/admin_change.html",
        {
            "form": form,
            "administrators": switching_admin.administrators(actor.organization_id or 0),
            "pending": switching_admin.pending(actor=actor),
            "title": "管理者変更申請",
        },
    )


def function_matrix(
    groups: list[tuple[str, list[catalog.Function]]], checked: set[str]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The checkbox matrix of includes/function_matrix.html: each 業務's functions, ticked or not."""
    return [
        (heading, [{"function": f, "checked": f.id in checked} for f in functions])
        for heading, functions in groups
    ]
