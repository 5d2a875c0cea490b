"""Back office: the review queue, an application's detail and the reviewer's decision. Staff only."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kouiki.core.catalog import implements
from kouiki.core.errors import Conflict, NotFound, ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import paginate, searched
from kouiki.identity.access import staff_required
from kouiki.reviews import selectors, services
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

PAGE_SIZE = 50


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label="申請種別", required=False)
    state = forms.ChoiceField(
        label="状態", required=False, choices=[("", "すべて"), *selectors.QUEUE_STATE_CHOICES]
    )
    q = forms.CharField(
        label="キーワード",
        max_length=100,
        required=False,
        help_text="受付番号、件名、事業者名、事業者コード、メールアドレス",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "すべて")] + [(t.key, t.name) for t in registry.types()]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; no filter at all while the form is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data["kind"] or None,
            "state": data["state"] or None,
            "query": data["q"].strip() or None,
        }


class DecisionForm(forms.Form):
    """The reviewer's decision; the service decides whether a reason is required."""

    decision = forms.ChoiceField(
        label="審査結果",
        choices=[(act, services.ACT_NAMES[act]) for act in services.DECISIONS],
        widget=forms.HiddenInput,
        error_messages={
            "required": "審査結果（承認・保留・却下）を選択してください。",
            "invalid_choice": "審査結果（承認・保留・却下）を選択してください。",
        },
    )
    reason = forms.CharField(
        label="理由",
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="保留・却下の場合は必須です。申請者へのメールに記載されます。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Set only by the confirmation step's button: an approval is applied on the second POST.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


DECIDE = {"approve": services.approve, "hold": services.hold, "reject": services.reject}


@staff_required
@require_GET
def queue(request: HttpRequest, actor: User) -> HttpResponse:
    """Applications by type, state and text; those waiting for review, oldest submission first."""
    # Opened without a query, the queue shows what waits for a decision.
    form = QueueFilterForm(request.GET or {"state": selectors.PENDING})
    page = paginate(request, searched(form, partial(selectors.review_queue, actor=actor)), PAGE_SIZE)
    rows = [(application, registry.name_of(application.kind)) for application in page.object_list]
    return render(
        request,
        "backoffice/reviews/queue.html",
        {"form": form, "page": page, "rows": rows, "title": "審査一覧"},
    )


def _application(request: HttpRequest, actor: User, pk: int) -> Application:
    try:
        return selectors.application_for(actor=actor, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _application_type(application: Application) -> registry.ApplicationType:
    return registry.find(application.kind) or registry.ApplicationType(
        key=application.kind, name=application.kind
    )


def _render_detail(
    request: HttpRequest, application: Application, form: DecisionForm | None = None
) -> HttpResponse:
    application_type = _application_type(application)
    differences = application_type.differences(application)
    changed = {label for label, _current, _requested in differences}
    rows = [(label, value, label in changed) for label, value in application_type.rows(application.payload)]
    decisions = [act for act in services.DECISIONS if services.may(act, application.state)]
    if form is None:
        form = DecisionForm(initial={"version": application.version})
    return render(
        request,
        "backoffice/reviews/detail.html",
        {
            "application": application,
            "kind_name": application_type.name,
            "rows": rows,
            "differences": differences,
            "transitions": [
                (transition, services.ACT_NAMES.get(transition.action, transition.action))
                for transition in application.transitions.all()
            ],
            "decisions": [(act, services.ACT_NAMES[act]) for act in decisions],
            "form": form,
            "title": f"審査 {application.reception_number}",
        },
    )


def _render_approval_check(
    request: HttpRequest, application: Application, form: DecisionForm
) -> HttpResponse:
    """承認してよろしいですか: the application's summary and a button that posts the approval again,
    confirmed. Hold and reject need no such step: their required reason is the deliberate act."""
    application_type = _application_type(application)
    return render(
        request,
        "backoffice/reviews/confirm_approve.html",
        {
            "application": application,
            "kind_name": application_type.name,
            "differences": application_type.differences(application),
            "form": form,
            "title": f"承認の確認 {application.reception_number}",
        },
    )


@staff_required
@require_GET
def detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One application: applicant, requested values against the registered ones, history, decision."""
    return _render_detail(request, _application(request, actor, pk))


@implements("CAP-R3")  # approving a capacity operator's registration notifies its administrator ID
@staff_required
@require_POST
def decide(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """Approve (after a confirmation step), hold or reject through the service; errors come back next
    to the field."""
    application = _application(request, actor, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, application, form)
    act = form.cleaned_data["decision"]
    if act == "approve" and not form.cleaned_data["confirmed"] and services.may(act, application.state):
        return _render_approval_check(request, application, form)
    try:
        decided = DECIDE[act](
            actor=actor,  # type: ignore[arg-type]
            application=application,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationFailed as error:
        errors_onto_form(form, error)
        return _render_detail(request, application, form)
    except Conflict as error:
        # Show what is there now; the reviewer decides again on the current version.
        application = _application(request, actor, pk)
        data = request.POST.copy()
        data["version"] = str(application.version)
        form = DecisionForm(data)
        form.is_valid()
        form.add_error(None, error.message)
        return _render_detail(request, application, form)
    messages.success(
        request, f"受付番号 {decided.reception_number} の申請を{services.ACT_NAMES[act]}しました。"
    )
    return redirect("backoffice:review_queue")
