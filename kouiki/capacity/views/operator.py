"""A registered participant's operator information: CAP-R1 照会・変更申請・削除申請, CAP-R2 審査状況.

Views parse input, call one service or selector, and render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.capacity import selectors
from kouiki.capacity.forms import ReasonForm
from kouiki.capacity.forms.screens import OperatorForms
from kouiki.capacity.selectors import OPERATOR_CHANGE, OPERATOR_KINDS
from kouiki.capacity.services import operators, payloads
from kouiki.capacity.views import common
from kouiki.core.errors import ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.identity.access import function_required
from kouiki.identity.services import capacity_users as identity_capacity
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import User


def _pending(request: HttpRequest, actor: User) -> dict[str, object]:
    pending = selectors.open_operator_application(actor=actor)
    return {"pending": pending, "pending_name": registry.name_of(pending.kind) if pending else ""}


def _not_registered(request: HttpRequest) -> HttpResponse:
    return render(request, "capacity/operator/not_registered.html", {"title": "事業者情報"}, status=404)


@function_required("CAP-R1")
@require_GET
def detail(request: HttpRequest, actor: User) -> HttpResponse:
    """CAP-R1 照会: the registered operator information and its administrator ID notice."""
    operator = selectors.operator_or_none(actor=actor)
    if operator is None:
        return _not_registered(request)
    return render(
        request,
        "capacity/operator/detail.html",
        {
            "operator": operator,
            "administrators": identity_capacity.administrators(organization_id=operator.organization_id),
            "rows": payloads.rows(selectors.operator_snapshot(operator), payloads.OPERATOR_LABELS),
            "title": "事業者情報",
            **_pending(request, actor),
        },
    )


@function_required("CAP-R1")
@require_GET
def history(request: HttpRequest, actor: User) -> HttpResponse:
    """The approved versions of the operator information, newest first, with what each changed."""
    operator = selectors.operator_or_none(actor=actor)
    if operator is None:
        return _not_registered(request)
    return render(
        request,
        "capacity/operator/history.html",
        {
            "operator": operator,
            "history": payloads.version_history(
                selectors.operator_versions(operator), payloads.OPERATOR_LABELS
            ),
            "title": "事業者情報の履歴",
        },
    )


@function_required("CAP-R1")
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, actor: User) -> HttpResponse:
    """事業者情報変更申請: the registered values quoted for correction."""
    operator = selectors.operator_or_none(actor=actor)
    if operator is None:
        return _not_registered(request)
    forms = OperatorForms(
        common.posted(request), payload=selectors.operator_snapshot(operator), registration=False
    )
    if request.method == "POST" and forms.is_valid():
        try:
            application = operators.file_change(actor=actor, payload=forms.payload())
        except ValidationFailed as error:
            forms.add_errors(error)
        else:
            messages.success(
                request, f"事業者情報変更申請を受け付けました（受付番号 {application.reception_number}）。"
            )
            return redirect("cap:operator_application", pk=application.pk)
    return render(
        request,
        "capacity/operator/change_form.html",
        {"forms": forms, "operator": operator, "title": "事業者情報変更申請", **_pending(request, actor)},
    )


@function_required("CAP-R1")
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, actor: User) -> HttpResponse:
    """事業者情報削除申請 = the end of the system-use contract on the participant's request (2.7.1)."""
    operator = selectors.operator_or_none(actor=actor)
    if operator is None:
        return _not_registered(request)
    form = ReasonForm(common.posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            application = operators.file_deletion(actor=actor, reason=form.cleaned_data["reason"])
        except ValidationFailed as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request, f"事業者情報削除申請を受け付けました（受付番号 {application.reception_number}）。"
            )
            return redirect("cap:operator_application", pk=application.pk)
    return render(
        request,
        "capacity/operator/delete_form.html",
        {"form": form, "operator": operator, "title": "事業者情報削除申請", **_pending(request, actor)},
    )


@function_required("CAP-R2")
@require_GET
def applications(request: HttpRequest, actor: User) -> HttpResponse:
    """CAP-R2 事業者情報審査管理: the organization's operator applications and their review state."""
    return common.application_list(
        request,
        actor,
        found=selectors.operator_applications,
        template="capacity/operator/applications.html",
        title="事業者情報の審査状況",
    )


@function_required("CAP-R2")
@require_GET
def application(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    found = selectors.application_of(actor=actor, pk=pk, kinds=OPERATOR_KINDS)
    context = common.application_context(found)
    context["correctable"] = context["correctable"] and found.kind != selectors.REGISTRATION
    return render(request, "capacity/operator/application.html", {"title": context["kind_name"], **context})


@function_required("CAP-R1")
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """A change or deletion corrected after a hold or a rejection, and filed again."""
    found = selectors.application_of(
        actor=actor, pk=pk, kinds=(selectors.OPERATOR_CHANGE, selectors.OPERATOR_DELETION)
    )
    return common.resubmit_application(
        request,
        actor,
        found,
        screen=(
            (lambda data: OperatorForms(data, payload=found.payload, registration=False))
            if found.kind == OPERATOR_CHANGE
            else None
        ),
        screen_name="forms",
        resubmit=operators.resubmit_request,
        detail="cap:operator_application",
        template="capacity/operator/application_edit.html",
    )


@function_required("CAP-R1")
@require_POST
def application_withdraw(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    found = selectors.application_of(
        actor=actor, pk=pk, kinds=(selectors.OPERATOR_CHANGE, selectors.OPERATOR_DELETION)
    )
    return common.withdraw_application(request, actor, found, detail="cap:operator_application")
