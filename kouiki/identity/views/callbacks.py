"""The organization's callback URL and the list of its deliveries (/switching/callbacks/).

Every user of the organization sees the deliveries; only its administrator registers, changes or
stops the URL, makes a new signing key, sends a test event or sends a failed delivery again.
"""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import paginate, searched
from kouiki.core.systems import System
from kouiki.identity.access import enrolled_required
from kouiki.identity.models import User
from kouiki.identity.services import callbacks

SYSTEM = System.SWITCHING
PAGE_SIZE = 50
STATES = [
    ("", "すべて"),
    ("pending", "送信待ち"),
    ("sending", "送信中"),
    ("delivered", "送信済"),
    ("failed", "送信失敗"),
]


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="通知先URL",
        max_length=500,
        assume_scheme="https",
        help_text="https:// で始まるURL。各イベントを署名付きのJSONでPOSTします。",
        error_messages={
            "required": "通知先URLを入力してください。",
            "invalid": "URLの形式が正しくありません。",
        },
    )


class StateForm(forms.Form):
    state = forms.ChoiceField(label="状態", choices=STATES, required=False)

    def filters(self) -> dict[str, str]:
        """The selector's keyword arguments; every delivery while the input is invalid."""
        if not self.is_valid():
            return {}
        return {"state": self.cleaned_data["state"]}


@enrolled_required(SYSTEM)
@never_cache
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest, actor: User) -> HttpResponse:
    """The URL (form for the administrator, with a confirmation step) and the deliveries."""
    current = callbacks.endpoint_for(actor=actor, system=SYSTEM)
    admin = callbacks.is_admin(actor, SYSTEM)
    form = EndpointForm(request.POST or None, initial={"url": current.url if current else ""})
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") != "1":
            return render(
                request,
                "identity/callbacks/confirm.html",
                {"title": "通知先の登録（確認）", "form": form, "current": current},
            )
        try:
            saved, secret = callbacks.register(actor=actor, url=form.cleaned_data["url"], system=SYSTEM)
        except ValidationFailed as error:
            errors_onto_form(form, error)
        else:
            if secret:
                return render(
                    request,
                    "identity/callbacks/secret.html",
                    {"title": "署名鍵", "secret": secret, "endpoint": saved},
                )
            messages.success(request, "通知先を変更しました。")
            return redirect("sw_callbacks:endpoint")
    state_form = StateForm(request.GET or None)
    deliveries = searched(state_form, partial(callbacks.deliveries_for, actor=actor, system=SYSTEM))
    page = paginate(request, deliveries, PAGE_SIZE)
    return render(
        request,
        "identity/callbacks/endpoint.html",
        {
            "title": "イベント通知（コールバック）",
            "current": current,
            "admin": admin,
            "form": form,
            "state_form": state_form,
            "page": page,
        },
    )


@enrolled_required(SYSTEM)
@never_cache
@require_POST
def action(request: HttpRequest, actor: User, name: str) -> HttpResponse:
    """The administrator's buttons: a new signing key, stop sending, a test event."""
    try:
        if name == "rotate":
            secret = callbacks.rotate_secret(actor=actor, system=SYSTEM)
            return render(request, "identity/callbacks/secret.html", {"title": "署名鍵", "secret": secret})
        if name == "stop":
            callbacks.stop(actor=actor, system=SYSTEM)
            messages.success(request, "通知先への送信を停止しました。")
        elif name == "ping":
            sequence = callbacks.ping(actor=actor, system=SYSTEM)
            messages.success(request, f"テストイベント（通番 {sequence}）を送りました。")
    except InvalidTransition as error:
        messages.error(request, error.message)
    return redirect("sw_callbacks:endpoint")


@enrolled_required(SYSTEM)
@require_POST
def retry(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    try:
        callbacks.retry(actor=actor, delivery_id=pk, system=SYSTEM)
    except InvalidTransition as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "再送を受け付けました。")
    return redirect("sw_callbacks:endpoint")
