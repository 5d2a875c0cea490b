"""Switching system screens of identity: 業務委託（受託者, X-I2, ADR 32).

- The administrator of a retailer or a DR contractor (the principal) lists the grants it gave,
  grants a registered contractor company chosen functions from a day (until a day), and revokes.
- A contractor's users see the principals that let them act (委託元一覧) and choose the one they act
  for now (the selector in the header; kept in the session, `access.choose`).
Views parse input, call one service (kouiki.identity.services.contractors) or selector, and render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.core.errors import Forbidden, KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.systems import System
from kouiki.identity import selectors
from kouiki.identity.access import (
    act_for,
    choose,
    enrolled_required,
    is_administrator,
    is_contractor,
)
from kouiki.identity.models import User
from kouiki.identity.services import contractors
from kouiki.identity.views.switching_users import function_matrix

SYSTEM = System.SWITCHING
TEMPLATES = "identity/contractors"


class GrantForm(forms.Form):
    """A grant: the contractor by its 事業者コード, the functions, the first and the last day."""

    contractor_code = forms.CharField(
        label="受託者の事業者コード",
        max_length=4,
        help_text="受託者としてスイッチング支援システムに登録された事業者の4桁の事業者コード",
        error_messages={"required": "受託者の事業者コードを入力してください。"},
    )
    functions = forms.MultipleChoiceField(
        label="委託する機能",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "委託する機能を1つ以上選択してください。",
            "invalid_choice": "%(value)s は委託できない機能です。",
        },
    )
    valid_from = forms.DateField(
        label="開始日",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "開始日を入力してください。",
            "invalid": "開始日は YYYY-MM-DD の形式で入力してください。",
        },
    )
    valid_until = forms.DateField(
        label="終了日",
        required=False,
        help_text="空欄のときは取り消すまで",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "終了日は YYYY-MM-DD の形式で入力してください。"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["functions"].choices = choices  # type: ignore[attr-defined]


def _principal_only(actor: User) -> None:
    """The grant screens are the principal administrator's (a retailer's or a DR contractor's)."""
    if not is_administrator(actor, SYSTEM) or is_contractor(actor, SYSTEM):
        raise Forbidden("業務委託の登録・取消は、委託する事業者の管理者が行います。")


@enrolled_required(SYSTEM)
def grant_list(request: HttpRequest, actor: User) -> HttpResponse:
    """業務委託一覧: the grants the administrator's organization gave (in force, ended, revoked)."""
    _principal_only(actor)
    rows = selectors.grants_of_principal(principal_id=actor.organization_id or 0, system=SYSTEM)
    today = timezone.localdate()
    return render(
        request,
        f"{TEMPLATES}/grant_list.html",
        {"title": "業務委託（受託者）", "rows": [(grant, _state(grant, today)) for grant in rows]},
    )


def _state(grant: Any, today: Any) -> str:
    if grant.revoked_at is not None:
        return "取消済み"
    if grant.valid_until is not None and grant.valid_until < today:
        return "期間終了"
    if grant.valid_from > today:
        return "開始前"
    return "有効"


@enrolled_required(SYSTEM)
@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest, actor: User) -> HttpResponse:
    """業務委託の登録: a contractor, the functions, the days; 確認 before 登録."""
    _principal_only(actor)
    kind = contractors.organization_kind(actor.organization_id or 0)
    choices = [(f.id, f"{f.id} {f.title}") for f in contractors.delegable_functions(kind)]
    form = GrantForm(request.POST or None, choices=choices, initial={"valid_from": timezone.localdate()})
    checked = set(request.POST.getlist("functions")) if request.method == "POST" else set()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirmed") == "1":
            try:
                contractors.grant(
                    actor=actor,
                    contractor_code=data["contractor_code"],
                    functions=data["functions"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                )
            except KouikiError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, "業務委託を登録しました。")
                return redirect("switching:contractor_grants")
        else:
            try:
                contractor = contractors.contractor_by_code(data["contractor_code"])
            except KouikiError as error:
                errors_onto_form(form, error)
            else:
                return render(
                    request,
                    f"{TEMPLATES}/grant_confirm.html",
                    {
                        "title": "業務委託の登録（確認）",
                        "form": form,
                        "contractor": contractor,
                        "chosen": [label for value, label in choices if value in data["functions"]],
                    },
                )
    return render(
        request,
        f"{TEMPLATES}/grant_form.html",
        {
            "title": "業務委託の登録",
            "form": form,
            "groups": function_matrix(contractors.function_groups(kind), checked),
        },
    )


@enrolled_required(SYSTEM)
@require_http_methods(["GET", "POST"])
def grant_revoke(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """業務委託の取消: confirm, then revoke (the contractor's next request for it is refused)."""
    _principal_only(actor)
    grant = contractors.grant_for(actor=actor, pk=pk)
    if request.method == "POST":
        try:
            contractors.revoke(actor=actor, grant=grant)
        except KouikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{grant.contractor.name}への業務委託を取り消しました。")
        return redirect("switching:contractor_grants")
    return render(request, f"{TEMPLATES}/grant_revoke.html", {"title": "業務委託の取消", "grant": grant})


@enrolled_required(SYSTEM)
def principal_list(request: HttpRequest, actor: User) -> HttpResponse:
    """委託元一覧: a contractor's users see the principals that let it act, and what for."""
    if not is_contractor(actor, SYSTEM):
        raise Forbidden("委託元一覧は受託者のユーザが利用できます。")
    rows = selectors.grants_of_contractor(contractor_id=actor.organization_id or 0, system=SYSTEM)
    today = timezone.localdate()
    return render(
        request,
        f"{TEMPLATES}/principal_list.html",
        {"title": "委託元一覧", "rows": [(grant, _state(grant, today)) for grant in rows]},
    )


@enrolled_required(SYSTEM)
@require_POST
def acting_choose(request: HttpRequest, actor: User) -> HttpResponse:
    """The header's selector: act for the chosen principal (its grant in force), or for nobody."""
    code = request.POST.get("principal", "").strip()
    if not is_contractor(actor, SYSTEM):
        raise Forbidden("委託者を選択できるのは受託者のユーザです。")
    if code:
        act_for(actor, code, SYSTEM)  # Forbidden when no grant is in force
        choose(request, SYSTEM, code)
        messages.success(request, f"{actor.acting_for.principal.name}の受託者として操作します。")  # type: ignore[attr-defined]
    else:
        choose(request, SYSTEM, None)
        messages.info(request, "委託者の選択を解除しました。")
    return redirect("switching:menu")
