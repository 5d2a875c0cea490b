"""Back office: participants' use of the systems (X-S2 利用の中断, X-S3 契約の終了, SW-P4, X-L1).

- the list of participants not plainly in use: suspended, asking to end, ended;
- one participant's use of each system (`participant_use`): suspend one system or all with a reason
  (`?reason=` prefills it: an incident's page links here), lift, complete or send back its request
  to end, end a contract on a ground of that system's terms; for an ended contract, until when each
  kind of its data is kept;
- a terminated participant's retained cancel-forward data, each read with its purpose, recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core import catalog
from kouiki.core.errors import InvalidTransition, KouikiError, NotFound
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import FilterForm, list_page
from kouiki.core.systems import System, site
from kouiki.identity.access import staff_required
from kouiki.identity.choices import SUSPENDABLE_SYSTEMS, TERMINATION_GROUNDS, UseState
from kouiki.identity.selectors import enrolled_systems, organization_by_code, system_uses, uses_by_system
from kouiki.identity.services import system_use
from kouiki.switching.services.retained import retained_cancel_forwards

if TYPE_CHECKING:
    from kouiki.identity.models import Organization, User

PAGE_SIZE = 50
ALL = "all"
SYSTEM_CHOICES = [(system, site(system).name) for system in SUSPENDABLE_SYSTEMS]
TERMINABLE_CHOICES = [(system, site(system).name) for system in TERMINATION_GROUNDS]


class UseSearch(FilterForm):
    state = forms.ChoiceField(
        label="利用状態",
        required=False,
        choices=[("", "すべて"), *[c for c in UseState.choices if c[0] != UseState.ACTIVE]],
        error_messages={"invalid_choice": "利用状態の選択が不正です。"},
    )
    query = forms.CharField(label="事業者コード・会社名", required=False, max_length=100)


class SuspendForm(forms.Form):
    systems = forms.ChoiceField(
        label="中断するシステム",
        choices=[(ALL, "すべてのシステム（利用中のもの）"), *SYSTEM_CHOICES],
        error_messages={
            "required": "中断するシステムを選択してください。",
            "invalid_choice": "システムの選択が不正です。",
        },
    )
    reason = forms.CharField(
        label="中断の理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=system_use.REASON_MAX,
        help_text="禁止行為・漏えい・目的外利用の疑いなど。事業者の管理者に通知されます。",
        error_messages={
            "required": "中断の理由を入力してください。",
            "max_length": f"中断の理由は{system_use.REASON_MAX}文字以内で入力してください。",
        },
    )


class TerminateForm(forms.Form):
    system = forms.ChoiceField(
        label="システム",
        choices=TERMINABLE_CHOICES,
        error_messages={
            "required": "システムを選択してください。",
            "invalid_choice": "システムの選択が不正です。",
        },
    )
    ground = forms.ChoiceField(
        label="終了事由（利用規約 2.7.2）",
        choices=sorted(
            {(g.value, g.label) for grounds in TERMINATION_GROUNDS.values() for g in grounds},
            key=lambda choice: choice[0],
        ),
        error_messages={
            "required": "終了事由を選択してください。",
            "invalid_choice": "終了事由の選択が不正です。",
        },
    )
    text = forms.CharField(
        label="終了事由の内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=system_use.REASON_MAX,
        error_messages={
            "required": "終了事由の内容を入力してください。",
            "max_length": f"終了事由の内容は{system_use.REASON_MAX}文字以内で入力してください。",
        },
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="差戻しの理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=system_use.REASON_MAX,
        error_messages={
            "required": "差戻しの理由を入力してください。",
            "max_length": f"差戻しの理由は{system_use.REASON_MAX}文字以内で入力してください。",
        },
    )


class RetainedReadForm(forms.Form):
    purpose = forms.CharField(
        label="閲覧の目的",
        max_length=200,
        help_text="例：需要者からの問合せへの回答のため。閲覧は目的とともに記録されます。",
        error_messages={
            "required": "閲覧の目的を入力してください。",
            "max_length": "閲覧の目的は200文字以内で入力してください。",
        },
    )
    supply_point_number = forms.CharField(label="供給地点特定番号", required=False, max_length=22)


def _participant(code: str) -> Organization:
    organization = organization_by_code(code)
    if organization is None:
        raise NotFound("指定された事業者コードの事業者はありません。")
    return organization


@catalog.implements("X-S2", "X-S3")
@staff_required
@require_GET
def use_list(request: HttpRequest, actor: User) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        if organization_by_code(code) is not None:
            return redirect("backoffice:participant_use", code=code)
        messages.error(request, f"事業者コード {code} の事業者はありません。")
    return list_page(
        request,
        form=UseSearch(request.GET or None),
        select=lambda **filters: system_uses(**filters),
        template="backoffice/participants/list.html",
        title="事業者の利用状態",
        page_size=PAGE_SIZE,
    )


def _act(
    request: HttpRequest, actor: User, organization: Organization, act: str, bound: dict[str, Any]
) -> str:
    """Do the act the page's form asked for; the message of what was done."""
    system = request.POST.get("system", "")
    if act == "suspend":
        form = bound["suspend"]
        if not form.is_valid():
            raise _Invalid()
        chosen = form.cleaned_data["systems"]
        systems = _in_use(organization) if chosen == ALL else [chosen]
        system_use.suspend(
            actor=actor, organization=organization, systems=systems, reason=form.cleaned_data["reason"]
        )
        return (
            "利用を中断しました（"
            + "・".join(site(s).name for s in systems)
            + "）。事業者のセッションを終了しました。"
        )
    if act == "lift":
        system_use.lift_suspension(actor=actor, organization=organization, system=system)
        return f"{site(system).name}の利用の中断を解除しました。"
    if act == "complete":
        system_use.complete_termination(actor=actor, organization=organization, system=system)
        return f"{site(system).name}の利用契約の終了を完了し、事業者に通知しました。"
    if act == "reject":
        form = bound["reject"]
        if not form.is_valid():
            raise _Invalid()
        system_use.reject_termination(
            actor=actor, organization=organization, system=system, reason=form.cleaned_data["reason"]
        )
        return f"{site(system).name}の利用終了の申請を差し戻しました。"
    if act == "terminate":
        form = bound["terminate"]
        if not form.is_valid():
            raise _Invalid()
        data = form.cleaned_data
        system_use.terminate(
            actor=actor,
            organization=organization,
            system=data["system"],
            ground=data["ground"],
            text=data["text"],
        )
        return f"{site(data['system']).name}の利用契約を終了しました。"
    raise InvalidTransition("操作を選択してください。")


class _Invalid(Exception):
    """A form of the page did not validate: the page is shown again with its errors."""


def _in_use(organization: Organization) -> list[str]:
    """The systems "all" suspends: those the participant uses that are neither suspended nor ended."""
    uses = uses_by_system(organization.pk)
    return [
        system
        for system in enrolled_systems(organization.pk)
        if system in SUSPENDABLE_SYSTEMS
        and (system not in uses or uses[system].state not in (UseState.SUSPENDED, UseState.TERMINATED))
    ]


@catalog.implements("X-S2", "X-S3", "X-L1")
@staff_required
@require_http_methods(["GET", "POST"])
def participant_use(request: HttpRequest, actor: User, code: str) -> HttpResponse:
    organization = _participant(code)
    act = request.POST.get("act", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None
    bound = {
        "suspend": SuspendForm(
            post if act == "suspend" else None, initial={"reason": request.GET.get("reason", "")}
        ),
        "terminate": TerminateForm(post if act == "terminate" else None),
        "reject": RejectForm(post if act == "reject" else None),
    }
    if request.method == "POST":
        try:
            done = _act(request, actor, organization, act, bound)
        except _Invalid:
            pass
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("backoffice:participant_use", code=organization.code)
        except KouikiError as error:
            form = bound.get(act)
            if form is None:
                messages.error(request, error.message)
                return redirect("backoffice:participant_use", code=organization.code)
            errors_onto_form(form, error)
        else:
            messages.success(request, done)
            return redirect("backoffice:participant_use", code=organization.code)
    uses = uses_by_system(organization.pk)
    enrolled = enrolled_systems(organization.pk)
    rows = []
    for system in SUSPENDABLE_SYSTEMS:
        use = uses.get(system)
        state = use.state if use is not None else UseState.ACTIVE
        rows.append(
            {
                "system": system,
                "name": site(system).name,
                "enrolled": system in enrolled,
                "use": use,
                "state": state,
                "state_label": UseState(state).label,
                "terminable": system in TERMINATION_GROUNDS,
                "retention": system_use.retention(use.terminated_at, system)
                if use is not None and use.terminated_at
                else [],
            }
        )
    return render(
        request,
        "backoffice/participants/use.html",
        {
            "title": f"利用状態 {organization.code} {organization.name}",
            "organization": organization,
            "rows": rows,
            "act": act,
            "grounds": {
                system: [(g.value, g.label) for g in grounds]
                for system, grounds in TERMINATION_GROUNDS.items()
            },
            "switching_terminated": uses.get(System.SWITCHING) is not None
            and uses[System.SWITCHING].state == UseState.TERMINATED,
            **{f"{name}_form": form for name, form in bound.items()},
        },
    )


@catalog.implements("SW-P4", "X-L1")
@staff_required
@require_GET
def retained_data(request: HttpRequest, actor: User, code: str) -> HttpResponse:
    """A terminated participant's cancel-forward data (with the customers' identification): shown
    only once the reader names the purpose; each read is recorded."""
    organization = _participant(code)
    form = RetainedReadForm(request.GET or None)
    retained = None
    if form.is_valid():
        try:
            retained = retained_cancel_forwards(
                actor=actor,
                organization=organization,
                purpose=form.cleaned_data["purpose"],
                supply_point_number=form.cleaned_data["supply_point_number"],
            )
        except NotFound:
            raise
        except KouikiError as error:
            errors_onto_form(form, error)
    return render(
        request,
        "backoffice/participants/retained.html",
        {
            "title": f"保存データ {organization.code} {organization.name}",
            "organization": organization,
            "form": form,
            "retained": retained,
        },
    )
