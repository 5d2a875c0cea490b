"""What the participant's screens of applications share: one application's detail and history,
the acts its state allows, and a service's errors shown on a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kouiki.capacity.forms import ReasonForm
from kouiki.core.errors import Conflict, KouikiError, ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import paginate
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as review_services
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one: its errors must show), None for a GET."""
    return request.POST if request.method == "POST" else None


def application_context(application: Application) -> dict[str, Any]:
    """The detail of one application as its screens show it (labels, differences, history)."""
    application_type = registry.get(application.kind)
    return {
        "application": application,
        "kind_name": application_type.name,
        "rows": application_type.rows(application.payload or {}),
        "differences": application_type.differences(application),
        "transitions": [
            (transition, review_services.ACT_NAMES.get(transition.action, transition.action))
            for transition in application.transitions.all()
        ],
        # The applicant corrects and resubmits after a hold or a rejection; it withdraws what is open.
        "correctable": review_services.may("resubmit", application.state),
        "withdrawable": review_services.may("withdraw", application.state),
        "pending": application.state in review_services.PENDING,
        "version_form": VersionForm(initial={"version": application.version}),
    }


def rows_with_names(applications: Any) -> list[tuple[Application, str]]:
    return [(application, registry.name_of(application.kind)) for application in applications]


def application_list(
    request: HttpRequest, actor: User, *, found: Callable[..., Any], template: str, title: str
) -> HttpResponse:
    """CAP-R2 / CAP-P2: the organization's applications of one kind, filtered by review state.
    `found(actor=, state=)` is the scoped selector."""
    state = request.GET.get("state") or None
    if state not in dict(review_selectors.STATE_CHOICES):
        state = None
    page = paginate(request, found(actor=actor, state=state))
    context = {
        "page": page,
        "rows": rows_with_names(page.object_list),
        "states": review_selectors.STATE_CHOICES,
        "state": state or "",
        "title": title,
    }
    return render(request, template, context)


def resubmit_application(
    request: HttpRequest,
    actor: User,
    found: Application,
    *,
    screen: Callable[[Any], Any] | None,
    screen_name: str,
    resubmit: Callable[..., Any],
    detail: str,
    template: str,
) -> HttpResponse:
    """An application corrected after a hold or a rejection and filed again (CAP-R1, CAP-P1): its
    own screen of forms (`screen(data)`, shown as `screen_name`) for a registration or a change,
    the reason form for a deletion (`screen` None); `resubmit(actor=, application=, payload=)` is
    the service, `detail` the URL name of the application's page."""
    if not review_services.may("resubmit", found.state):
        messages.error(request, "この申請は修正できません。")
        return redirect(detail, pk=found.pk)
    context = application_context(found)
    if screen is not None:
        forms_shown = screen(posted(request))
        valid = request.method == "POST" and forms_shown.is_valid()
        payload = forms_shown.payload() if valid else {}
        context[screen_name] = forms_shown
    else:
        form = ReasonForm(posted(request), initial={"reason": found.payload.get("reason", "")})
        valid = request.method == "POST" and form.is_valid()
        payload = dict(form.cleaned_data) if valid else {}
        context["form"] = form
    if valid:
        try:
            resubmit(actor=actor, application=found, payload=payload)
        except (ValidationFailed, Conflict) as error:
            if screen is not None:
                context[screen_name].add_errors(error)
            else:
                errors_onto_form(context["form"], error)
        else:
            messages.success(request, f"受付番号 {found.reception_number} の申請を再申請しました。")
            return redirect(detail, pk=found.pk)
    return render(request, template, {"title": f"{context['kind_name']}の修正", **context})


def withdraw_application(
    request: HttpRequest, actor: User, found: Application, *, detail: str
) -> HttpResponse:
    """The applicant takes back an undecided application; `detail` is the URL name of its page."""
    form = VersionForm(request.POST)
    try:
        review_services.withdraw(
            actor=actor,
            application=found,
            expected_version=form.cleaned_data["version"] if form.is_valid() else None,
        )
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"受付番号 {found.reception_number} の申請を取り下げました。")
    return redirect(detail, pk=found.pk)
