"""What the participant's screens of applications share: one application's detail and history,
the acts its state allows, and a service's errors shown on a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
