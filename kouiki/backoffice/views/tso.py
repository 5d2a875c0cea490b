"""Back office: the messages to the area operators (送配電連携), their answers, and the simulated
operators' clock (sandbox only)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core.errors import KouikiError, NotFound
from kouiki.core.forms import errors_onto_form
from kouiki.core.japanese import Area
from kouiki.core.lists import list_page
from kouiki.identity.access import staff_required
from kouiki.tso import selectors
from kouiki.tso.selectors import FinalOutcome, MessageState
from kouiki.tso.services import sandbox
from kouiki.tso.services.gateway import OPERATION_LABELS

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50


class MessageFilterForm(forms.Form):
    state = forms.ChoiceField(label="状態", choices=[("", "すべて"), *MessageState.choices], required=False)
    area = forms.ChoiceField(label="エリア", choices=[("", "すべて"), *Area.choices], required=False)
    operation = forms.ChoiceField(
        label="電文種別", choices=[("", "すべて"), *OPERATION_LABELS.items()], required=False
    )
    final_outcome = forms.ChoiceField(
        label="最終回答", choices=[("", "すべて"), *FinalOutcome.choices[1:]], required=False
    )
    reference = forms.CharField(label="受付番号", max_length=40, required=False, help_text="部分一致")
    failing = forms.BooleanField(label="送信エラー中のみ", required=False)
    unanswered = forms.BooleanField(label="受付後に回答がないままのもののみ", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = settings.KOUIKI_TSO_UNANSWERED_HOURS
        self.fields["unanswered"].label = f"受付後{hours}時間以上回答がないもののみ"

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "state": data["state"],
            "area": data["area"],
            "operation": data["operation"],
            "final_outcome": data["final_outcome"],
            "reference": data["reference"].strip(),
            "failing": data["failing"],
            "unanswered": data["unanswered"],
        }


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


@staff_required
@require_GET
def message_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Every message to the operators, newest first, with its state, attempts and last error."""
    return list_page(
        request,
        form=MessageFilterForm(request.GET or None),
        select=selectors.operator_messages,
        template="backoffice/tso/list.html",
        title="送配電連携",
        context={
            "unanswered_count": selectors.unanswered_count(),
            "unanswered_hours": settings.KOUIKI_TSO_UNANSWERED_HOURS,
        },
        page_size=PAGE_SIZE,
    )


@staff_required
@require_GET
def message_detail(request: HttpRequest, actor: User, message_id: str) -> HttpResponse:
    """One message: its content, its delivery and every answer received."""
    try:
        message = selectors.operator_message(message_id)
    except NotFound as error:
        raise Http404(error.message) from error
    payload = selectors.masked(message.payload)
    answers = [
        (answer, _pretty(selectors.masked(answer.data)) if answer.data else "")
        for answer in selectors.answers_of(message)
    ]
    return render(
        request,
        "backoffice/tso/detail.html",
        {"message": message, "payload": _pretty(payload), "answers": answers, "title": "送配電連携 電文詳細"},
    )


class ClockForm(forms.Form):
    day = forms.DateField(
        label="この日の終わりまで進める",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "日付を入力してください。", "invalid": "日付を正しく入力してください。"},
    )

    def clean_day(self) -> Any:
        try:
            return sandbox.check_day(self.cleaned_data["day"])
        except KouikiError as error:
            raise forms.ValidationError(error.message) from error


def _work(jobs: Any) -> list[dict[str, Any]]:
    return [
        {
            "due_at": job.due_at,
            "area": Area(job.receipt.area).label,
            "operation": OPERATION_LABELS.get(job.receipt.operation, job.receipt.operation),
            "reference": job.receipt.reference,
        }
        for job in jobs
    ]


@staff_required
@require_http_methods(["GET", "POST"])
def operators_clock(request: HttpRequest, actor: User) -> HttpResponse:
    """模擬時計: the simulated operators' pending work; a day, 確認 (what will be done), then 実行."""
    form = ClockForm(request.POST or None)
    context: dict[str, Any] = {
        "form": form,
        "sandbox": sandbox.is_sandbox(),
        "title": "模擬時計（送配電連携）",
    }
    if not context["sandbox"]:
        if request.method == "POST":
            messages.error(request, sandbox.NOT_A_SANDBOX)
        return render(request, "backoffice/tso/clock.html", context)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["day"]
        if request.POST.get("confirmed"):
            try:
                advanced = sandbox.advance_operators_clock(actor=actor, day=day)
            except KouikiError as error:
                errors_onto_form(form, error)
            else:
                messages.success(
                    request,
                    f"模擬の一般送配電事業者の時計を {day:%Y/%m/%d} の終わりまで進めました（回答 "
                    f"{advanced.given:,}件、スイッチング支援システムの受信 {advanced.received:,}件）。",
                )
                return redirect("backoffice:tso_clock")
        else:
            due = _work(selectors.simulated_work(until=sandbox.end_of(day)))
            return render(request, "backoffice/tso/clock_confirm.html", {**context, "day": day, "due": due})
    context["pending"] = _work(selectors.simulated_work()[:200])
    return render(request, "backoffice/tso/clock.html", context)
