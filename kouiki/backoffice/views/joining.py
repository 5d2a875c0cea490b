"""Back office: 事業者マスタ登録 — the provisional join applications and the 事業者コード issued to
them (seed 003 1.1 steps 5-6). The review of the main application is the common review queue."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core.catalog import implements
from kouiki.core.errors import KouikiError, NotFound
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import paginate, searched
from kouiki.identity.access import staff_required
from kouiki.membership.forms.join import CodeAssignmentForm
from kouiki.membership.selectors import join as selectors_join
from kouiki.membership.services import join
from kouiki.reviews.services import registry
from kouiki.terms import selectors as terms_selectors

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

PAGE_SIZE = 50


class JoiningFilterForm(forms.Form):
    status = forms.ChoiceField(label="表示", choices=selectors_join.LIST_CHOICES, required=False)
    q = forms.CharField(
        label="キーワード", max_length=100, required=False, help_text="受付番号、会社名、メールアドレス"
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": selectors_join.WAITING}
        return {
            "status": self.cleaned_data["status"] or selectors_join.WAITING,
            "query": self.cleaned_data["q"].strip(),
        }


def _application(request: HttpRequest, actor: User, pk: int) -> Application:
    try:
        return selectors_join.join_application(actor=actor, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


@implements("MEM-J4")
@staff_required
@require_GET
def joining_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Join applications; by default the provisional ones still waiting for a 事業者コード, oldest first."""
    form = JoiningFilterForm(request.GET or None)
    page = paginate(
        request, searched(form, partial(selectors_join.join_applications, actor=actor)), PAGE_SIZE
    )
    rows = []
    for application in page.object_list:
        assignment = getattr(application, "code_assignment", None)
        rows.append(
            (application, assignment, selectors_join.join_state(application, assigned=assignment is not None))
        )
    return render(
        request,
        "backoffice/joining/list.html",
        {"form": form, "page": page, "rows": rows, "title": "事業者マスタ登録"},
    )


@implements("MEM-J4")
@staff_required
@require_http_methods(["GET", "POST"])
def joining_assign(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One join application and the form that issues its 事業者コード."""
    application = _application(request, actor, pk)
    form = CodeAssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = join.assign_code(
                actor=actor,  # type: ignore[arg-type]
                application=application,
                code=form.cleaned_data["code"],
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request,
                f"受付番号 {application.reception_number} に事業者コード {assignment.code} を発番し、"
                "申請者にメールで通知しました。",
            )
            return redirect("backoffice:joining_list")
    application_type = registry.get(application.kind)
    code = selectors_join.code_for(application)
    state_label, state_tone = selectors_join.join_state(application, assigned=code is not None)
    return render(
        request,
        "backoffice/joining/assign.html",
        {
            "application": application,
            "state_label": state_label,
            "state_tone": state_tone,
            "code": code,
            "provisional": selectors_join.is_provisional(application),
            "rows": application_type.rows(application.payload),
            "consents": terms_selectors.consents_for(application=application),
            "form": form,
            "title": f"事業者マスタ登録 {application.reception_number}",
        },
    )
