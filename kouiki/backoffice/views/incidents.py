"""Back office: leak incidents (漏えい等事案, SW-P3) of every participant of the switching system —
the list, recording one for a participant, an incident's page (every read recorded: it names the
customers' supply points) with the staff's notes, the same acts as the participant's page, and the
way to suspend the participant from it (利用の中断, X-S2: the participant's use screen, the reason
filled in)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core.catalog import implements
from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import list_page
from kouiki.identity.access import staff_required
from kouiki.switching import forms
from kouiki.switching.selectors import incidents as selectors
from kouiki.switching.services import incidents as services
from kouiki.switching.views.incidents import ACTS, act_on, incident_context

if TYPE_CHECKING:
    from django import forms as django_forms

    from kouiki.identity.models import User
    from kouiki.switching.models import LeakIncident

PAGE_SIZE = 50


def suspend_url(incident: LeakIncident) -> str:
    """The participant's use screen (X-S2) with the suspension's reason filled in."""
    url = reverse("backoffice:participant_use", args=[incident.organization.code])
    kind = incident.get_kind_display()
    reason = f"漏えい等事案 {incident.number}（{kind}、発覚日 {incident.found_on:%Y-%m-%d}）"
    return f"{url}?{urlencode({'reason': reason})}"


def _detail(request: HttpRequest, actor: User, incident: LeakIncident, bound: dict[str, Any]) -> HttpResponse:
    note_form: django_forms.Form = bound.pop("note", None) or forms.IncidentNoteForm()
    context = {
        **incident_context(actor, incident, bound),
        "notes": selectors.incident_notes(actor, incident),
        "note_form": note_form,
        "suspend_url": suspend_url(incident),
    }
    return render(request, "backoffice/incidents/detail.html", context)


@implements("SW-P3")
@staff_required
@require_GET
def incident_list(request: HttpRequest, actor: User) -> HttpResponse:
    return list_page(
        request,
        form=forms.StaffIncidentFilterForm(request.GET or None),
        select=partial(selectors.staff_incidents, actor=actor),
        template="backoffice/incidents/list.html",
        title="漏えい等事案",
        page_size=PAGE_SIZE,
    )


@implements("SW-P3")
@staff_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, actor: User) -> HttpResponse:
    form = forms.StaffIncidentForm(
        request.POST or None, initial={"organization_code": request.GET.get("code", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.record_incident(actor=actor, **form.cleaned_data)
        except KouikiError as error:
            errors_onto_form(form, error, with_summary=True)
        else:
            messages.success(request, f"漏えい等事案を {incident.number} で登録しました。")
            return redirect("backoffice:switching_incident", incident_id=incident.pk)
    return render(request, "backoffice/incidents/new.html", {"form": form, "title": "漏えい等事案の登録"})


@implements("SW-P3")
@staff_required
@require_GET
def incident_detail(request: HttpRequest, actor: User, incident_id: int) -> HttpResponse:
    incident = services.read_incident(actor=actor, incident_id=incident_id)
    return _detail(request, actor, incident, {})


@implements("SW-P3")
@staff_required
@require_POST
def incident_act(request: HttpRequest, actor: User, incident_id: int, act: str) -> HttpResponse:
    """An act of the incident's page, or a note of the staff; refused, the page with the errors."""
    if act == "note":
        form = forms.IncidentNoteForm(request.POST)
        if form.is_valid():
            try:
                services.add_note(actor=actor, incident_id=incident_id, body=form.cleaned_data["body"])
            except KouikiError as error:
                errors_onto_form(form, error, with_summary=True)
            else:
                messages.success(request, "メモを記録しました。")
                return redirect("backoffice:switching_incident", incident_id=incident_id)
        bound: dict[str, Any] = {"note": form}
    elif act in ACTS:
        done, bound = act_on(request, actor, incident_id, act)
        if done:
            return redirect("backoffice:switching_incident", incident_id=incident_id)
    else:
        raise Http404
    incident = services.read_incident(actor=actor, incident_id=incident_id)
    return _detail(request, actor, incident, bound)
