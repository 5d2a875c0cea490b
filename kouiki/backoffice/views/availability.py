"""Back office: 利用の停止・制限 (X-S1) — stopping a participant system (maintenance, a disaster, an
operational need; now or scheduled with a notice) and a participant's tighter API request limit."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.backoffice.services import availability as services
from kouiki.core import maintenance
from kouiki.core.catalog import implements
from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.systems import System
from kouiki.identity.access import staff_required
from kouiki.identity.services import request_limits

if TYPE_CHECKING:
    from kouiki.identity.models import User

# Windows over for longer than this leave the list (the audit log keeps them).
RECENT_DAYS = 90
_DATETIME = {"type": "datetime-local"}
_FORMAT = "%Y-%m-%dT%H:%M"


class StopForm(forms.Form):
    system = forms.ChoiceField(
        label="対象システム",
        choices=[(maintenance.ALL_SYSTEMS, "全システム"), *System.choices],
        error_messages={"required": "対象システムを選択してください。"},
    )
    kind = forms.ChoiceField(
        label="事由",
        choices=maintenance.MaintenanceKind.choices,
        widget=forms.RadioSelect,
        help_text="利用規約「利用の停止又は制限」の事由です（要求数の上限は下の「利用制限」で設定します）。",
        error_messages={"required": "事由を選択してください。"},
    )
    starts_at = forms.DateTimeField(
        label="開始日時",
        required=False,
        widget=forms.DateTimeInput(attrs=_DATETIME, format=_FORMAT),
        help_text="空欄のときは今すぐ停止します。先の日時のときは、お知らせ（メンテナンス情報）を今から掲載します。",
        error_messages={"invalid": "開始日時を正しく入力してください。"},
    )
    ends_at = forms.DateTimeField(
        label="終了予定日時",
        required=False,
        widget=forms.DateTimeInput(attrs=_DATETIME, format=_FORMAT),
        help_text="空欄のときは「終了」を押すまで停止します。",
        error_messages={"invalid": "終了予定日時を正しく入力してください。"},
    )
    message = forms.CharField(
        label="利用者への案内",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="停止中の画面・APIの応答とお知らせに表示されます。",
        error_messages={
            "required": "利用者への案内を入力してください。",
            "max_length": "利用者への案内は1000文字以内で入力してください。",
        },
    )


class LimitForm(forms.Form):
    organization_code = forms.CharField(
        label="事業者コード",
        max_length=4,
        error_messages={
            "required": "事業者コードを入力してください。",
            "max_length": "事業者コードは4桁で入力してください。",
        },
    )
    system = forms.ChoiceField(
        label="対象システム",
        choices=[(system, System(system).label) for system in request_limits.LIMITED_SYSTEMS],
        error_messages={"required": "対象システムを選択してください。"},
    )
    count = forms.IntegerField(
        label="上限回数",
        min_value=1,
        max_value=1_000_000,
        error_messages={
            "required": "上限回数を入力してください。",
            "invalid": "上限回数は整数で入力してください。",
            "min_value": "上限回数には1以上の整数を入力してください。",
            "max_value": "上限回数は1,000,000以下で入力してください。",
        },
    )
    period = forms.ChoiceField(
        label="単位",
        choices=[(key, f"1{label}あたり") for key, label in request_limits.PERIODS.items()],
        initial="m",
        error_messages={"required": "単位を選択してください。"},
    )
    reason = forms.CharField(
        label="理由",
        max_length=request_limits.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="事業者の管理者へのメール、メニュー、上限を超えたときのAPIの応答に表示されます。",
        error_messages={
            "required": "理由を入力してください（事業者に通知されます）。",
            "max_length": f"理由は{request_limits.MAX_REASON}文字以内で入力してください。",
        },
    )


@implements("X-S1")
@staff_required
@require_http_methods(["GET", "POST"])
def stops(request: HttpRequest, actor: User) -> HttpResponse:
    """The windows running, ahead and recent, and the form that stops a system now or later."""
    form = StopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            window = services.stop(actor=actor, **form.cleaned_data)
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            now = timezone.now()
            what = "停止しました" if window.active_at(now) else "停止を予定し、お知らせを掲載しました"
            if not window.active_at(now) and not window.notice_ids:
                what = "停止を予定しました"
            messages.success(request, f"{window.system_label}の{what}。")
            return redirect("backoffice:availability")
    now = timezone.now()
    listed = maintenance.windows(since=now - timedelta(days=RECENT_DAYS))
    return render(
        request,
        "backoffice/availability/stops.html",
        {
            "form": form,
            "rows": [(window, window.state_at(now)) for window in listed],
            "now": now,
            "title": "利用の停止",
        },
    )


@implements("X-S1")
@staff_required
@require_POST
def stop_end(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    try:
        window = services.end(actor=actor, pk=pk)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        done = "停止を中止しました" if window.cancelled else "停止を終了しました"
        if window.notice_ids:
            done += "（お知らせは取り下げました）"
        messages.success(request, f"{window.system_label}の{done}。")
    return redirect("backoffice:availability")


@implements("X-S1")
@staff_required
@require_http_methods(["GET", "POST"])
def limits(request: HttpRequest, actor: User) -> HttpResponse:
    """The request limits set, and the form that sets (or changes) one."""
    form = LimitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            limit = request_limits.set_limit(actor=actor, **form.cleaned_data)
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request,
                f"{limit.organization.name}（{limit.organization.code}）の利用制限を"
                f"{request_limits.rate_text(limit.rate)}に設定し、管理者に通知しました。",
            )
            return redirect("backoffice:request_limits")
    return render(
        request,
        "backoffice/availability/limits.html",
        {
            "form": form,
            "limits": [
                (limit, request_limits.rate_text(limit.rate)) for limit in request_limits.limits(actor=actor)
            ],
            "default_text": request_limits.rate_text(str(settings.KOUIKI_API_RATE)),
            "title": "利用制限（要求数の上限）",
        },
    )


@implements("X-S1")
@staff_required
@require_POST
def limit_remove(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    try:
        limit = request_limits.remove_limit(actor=actor, pk=pk)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{limit.organization.name}（{limit.organization.code}）の利用制限を解除し、管理者に通知しました。",
        )
    return redirect("backoffice:request_limits")
