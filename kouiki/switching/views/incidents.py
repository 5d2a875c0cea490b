"""漏えい等事案 (SW-P3), the participant's screens: its incidents, recording one, and on the
incident's page the customers added, their notification, the publication or its exception, and
closing. The back office's screens (kouiki.backoffice.views.incidents) act through the same forms
and the shared page below."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import paginate, searched
from kouiki.identity.access import function_required
from kouiki.switching import forms
from kouiki.switching.selectors import incidents as selectors
from kouiki.switching.services import incidents as services
from kouiki.switching.views.common import PAGE_SIZE, function_title, page

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.models import LeakIncident

FUNCTION = "SW-P3"

# The acts of an incident's page: (form, service, the message once done).
ACTS: dict[str, tuple[type[django_forms.Form], Callable[..., Any], str]] = {
    "points": (forms.IncidentPointsForm, services.add_points, "対象の供給地点を{result}件追加しました。"),
    "notification": (
        forms.NotificationForm,
        services.record_notifications,
        "{result}件の需要者への連絡を記録しました。",
    ),
    "publication": (forms.PublicationForm, services.record_publication, "公表を記録しました。"),
    "exception": (forms.ExceptionForm, services.record_exception, "公表しない例外とその根拠を記録しました。"),
    "close": (django_forms.Form, services.close_incident, "漏えい等事案を完了しました。"),
}


def incident_context(
    actor: User, incident: LeakIncident, bound: dict[str, django_forms.Form]
) -> dict[str, Any]:
    """What an incident's page shows, on the participant's screens and in the back office: the
    incident, its customers, what still stands between it and its closing, and the forms of its
    acts (``bound``: the one just refused, with its errors)."""
    return {
        "incident": incident,
        "points": selectors.incident_points(incident),
        "missing": services.closing_refusals(incident) if incident.is_open else [],
        "act_forms": {name: bound.get(name) or form() for name, (form, _call, _done) in ACTS.items()},
        "title": f"{function_title(FUNCTION)} {incident.number}",
    }


def act_on(request: HttpRequest, actor: User, incident_id: int, act: str) -> tuple[bool, dict[str, Any]]:
    """Do one act of the incident's page from the POST: (done, the bound forms to show again)."""
    form_class, call, done = ACTS[act]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = call(actor=actor, incident_id=incident_id, **form.cleaned_data)
        except KouikiError as error:
            errors_onto_form(form, error, with_summary=True)
        else:
            messages.success(request, done.format(result=result))
            return True, {}
    return False, {act: form}


@function_required(FUNCTION)
@require_GET
def incident_list(request: HttpRequest, actor: User) -> HttpResponse:
    form = forms.IncidentFilterForm(request.GET or None)
    listing = paginate(request, searched(form, partial(selectors.incidents, actor=actor)), PAGE_SIZE)
    return page(
        request,
        "switching/incidents/list.html",
        {"form": form, "page": listing, "title": function_title(FUNCTION)},
        line=None,
    )


@function_required(FUNCTION)
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, actor: User) -> HttpResponse:
    form = forms.IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.record_incident(actor=actor, **form.cleaned_data)
        except KouikiError as error:
            errors_onto_form(form, error, with_summary=True)
        else:
            messages.success(
                request,
                f"漏えい等事案を {incident.number} で登録し、本機関に通知しました。"
                "対象の需要者への連絡と、公表（又は公表しない例外）を記録してください。",
            )
            return redirect("sw:incident", incident_id=incident.pk)
    return page(
        request, "switching/incidents/new.html", {"form": form, "title": "漏えい等事案の登録"}, line=None
    )


@function_required(FUNCTION)
@require_GET
def incident_detail(request: HttpRequest, actor: User, incident_id: int) -> HttpResponse:
    incident = services.read_incident(actor=actor, incident_id=incident_id)
    return page(request, "switching/incidents/detail.html", incident_context(actor, incident, {}), line=None)


@function_required(FUNCTION)
@require_POST
def incident_act(request: HttpRequest, actor: User, incident_id: int, act: str) -> HttpResponse:
    """One act of the incident's page; refused, the page again with the form's errors."""
    if act not in ACTS:
        raise Http404
    done, bound = act_on(request, actor, incident_id, act)
    if done:
        return redirect("sw:incident", incident_id=incident_id)
    incident = services.read_incident(actor=actor, incident_id=incident_id)
    return page(
        request, "switching/incidents/detail.html", incident_context(actor, incident, bound), line=None
    )
