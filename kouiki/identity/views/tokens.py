"""API tokens of the organization's users (/switching/tokens/): the administrator issues one for a
user (the secret is shown once, on the answer to the issuing request) and revokes it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.systems import System
from kouiki.identity import selectors
from kouiki.identity.access import enrolled_required
from kouiki.identity.models import User
from kouiki.identity.services import tokens

SYSTEM = System.SWITCHING


class IssueForm(forms.Form):
    user = forms.TypedChoiceField(
        label="ユーザ", coerce=int, error_messages={"required": "ユーザを選択してください。"}
    )
    name = forms.CharField(
        label="名称",
        max_length=100,
        help_text="用途がわかる名前（例: 基幹システム連携）",
        error_messages={"required": "名称を入力してください。"},
    )

    def __init__(self, *args: object, users: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["user"].choices = [("", "選択してください")] + [  # type: ignore[attr-defined]
            (user.pk, f"{user.login_id} {user.display_name}") for user in users
        ]


@enrolled_required(SYSTEM)
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The tokens and the issuing form; a successful POST shows the secret once (no redirect)."""
    rows = list(tokens.tokens_for(actor=actor, system=SYSTEM))
    users = list(selectors.users_for(actor=actor, system=SYSTEM))
    form = IssueForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        user = selectors.user_for(actor=actor, pk=form.cleaned_data["user"], system=SYSTEM)
        confirmed = request.POST.get("confirmed") == "1"
        if not confirmed:
            return render(
                request,
                "identity/tokens/confirm_issue.html",
                {"title": "APIトークンの発行（確認）", "form": form, "target": user},
            )
        try:
            token, secret = tokens.issue_token(
                actor=actor, user=user, name=form.cleaned_data["name"], system=SYSTEM
            )
        except ValidationFailed as error:
            form.add_error(None, error.message)
        else:
            return render(
                request,
                "identity/tokens/issued.html",
                {"title": "APIトークンを発行しました", "token": token, "secret": secret},
            )
    return render(request, "identity/tokens/list.html", {"title": "APIトークン", "rows": rows, "form": form})


@enrolled_required(SYSTEM)
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """Confirm, then revoke."""
    token = tokens.token_for(actor=actor, pk=pk, system=SYSTEM)
    if request.method == "POST":
        try:
            tokens.revoke_token(actor=actor, token=token)
        except InvalidTransition as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"APIトークン「{token.name}」を失効させました。")
        return redirect("sw_tokens:list")
    return render(
        request, "identity/tokens/confirm_revoke.html", {"title": "APIトークンの失効（確認）", "token": token}
    )
