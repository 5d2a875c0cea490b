"""利用終了の申請 (X-S3) on the switching and capacity systems (/<system>/termination/): the
participant's administrator asks to end its contract of the system, with the reason, and may
withdraw the request until the organization completes the termination (seed 001/002 2.7.1)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kouiki.core import catalog
from kouiki.core.errors import InvalidTransition, KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.identity.access import require_administrator
from kouiki.identity.choices import UseState
from kouiki.identity.models import User
from kouiki.identity.selectors import uses_by_system
from kouiki.identity.services import system_use
from kouiki.identity.views.system import _per_system

ADMIN_ONLY = "利用終了の申請は、貴社の管理者が行います。"


class TerminationRequestForm(forms.Form):
    reason = forms.CharField(
        label="終了を申請する理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=system_use.REASON_MAX,
        error_messages={
            "required": "終了を申請する理由を入力してください。",
            "max_length": f"終了を申請する理由は{system_use.REASON_MAX}文字以内で入力してください。",
        },
    )
    confirm = forms.BooleanField(
        label="利用契約が終了すると、貴社のユーザはこのシステムを利用できなくなり、個人情報の共同利用も終了することを確認しました。",
        error_messages={"required": "確認事項にチェックしてください。"},
    )


@catalog.implements("X-S3")
@require_http_methods(["GET", "POST"])
@_per_system
def termination(request: HttpRequest, actor: User, system: str) -> HttpResponse:
    organization_id = require_administrator(actor, system, ADMIN_ONLY)
    act = request.POST.get("act", "") if request.method == "POST" else ""
    form = TerminationRequestForm(request.POST if act == "request" else None)
    if request.method == "POST":
        try:
            if act == "request" and form.is_valid():
                system_use.request_termination(actor=actor, system=system, reason=form.cleaned_data["reason"])
                messages.success(
                    request,
                    "利用終了を申請しました。本機関が終了の措置を完了し通知した時点で、利用契約は終了します。",
                )
                return redirect(f"{system}:termination")
            if act == "withdraw":
                system_use.withdraw_termination(actor=actor, system=system)
                messages.success(request, "利用終了の申請を取り下げました。")
                return redirect(f"{system}:termination")
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(f"{system}:termination")
        except KouikiError as error:
            errors_onto_form(form, error, default_field="reason")
    use = uses_by_system(organization_id).get(system)
    return render(
        request,
        "identity/system/termination.html",
        {
            "title": "利用終了の申請",
            "form": form,
            "use": use,
            "requested": use is not None and use.state == UseState.TERMINATION_REQUESTED,
            "contact": settings.KOUIKI_USE_CONTACT,
        },
    )
