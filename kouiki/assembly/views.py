"""Member screens of general meetings: MEM-G1 総会情報の一覧表示, MEM-G2 出欠・議決権の回答,
MEM-G3 総会当日の受付票発行 (seed 000 2.2 (2)). For member-system users holding the 担当業務 総会 and
administrators (the catalog's `duty`, checked by `function_required`); views parse input, call one
service or selector, and render."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.assembly import selectors
from kouiki.assembly.forms import AnswerForms
from kouiki.assembly.services import answers, tickets
from kouiki.core.errors import InvalidTransition, KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import list_page
from kouiki.core.pdf import pdf_response, render_pdf
from kouiki.identity import access
from kouiki.identity.access import function_required

if TYPE_CHECKING:
    from kouiki.assembly.models import Invitation, ReceptionTicket
    from kouiki.identity.models import User


def _state(invitation: Invitation, actor: User) -> dict[str, Any]:
    meeting = invitation.meeting
    return {
        "invitation": invitation,
        "meeting": meeting,
        "items": list(meeting.agenda_items.all()),
        "open": meeting.accepts_answers(),
        "may_ticket": access.may_use(actor, "MEM-G3"),
    }


# --- MEM-G1 総会情報の一覧表示 ------------------------------------------------------------------------------


@function_required("MEM-G1")
@require_GET
def meeting_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The meetings notified to the member, with the answer state and the deadline."""
    return list_page(
        request,
        select=partial(selectors.invitations_for, actor=actor),
        template="assembly/list.html",
        title="総会情報一覧",
    )


# --- MEM-G2 総会の出欠・議決権の回答 ------------------------------------------------------------------------


@function_required("MEM-G2")
@require_GET
def meeting_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One meeting: what the convocation says, the member's answer, its persons and their tickets."""
    invitation = selectors.invitation_for(actor=actor, meeting_id=pk)
    context = _state(invitation, actor)
    votes = selectors.votes_by_item(invitation)
    context["votes"] = [(item, votes.get(item.pk)) for item in context["items"]]
    context["attendees"] = list(invitation.attendees.all())
    context["title"] = invitation.meeting.name
    return render(request, "assembly/detail.html", context)


@function_required("MEM-G2")
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """Answer attendance, the persons and (with voting rights) the votes; until the deadline."""
    invitation = selectors.invitation_for(actor=actor, meeting_id=pk)
    context = _state(invitation, actor)
    if not context["open"]:
        messages.error(request, "回答期限を過ぎているため、回答の登録・変更はできません。")
        return redirect("assembly:detail", pk=pk)
    forms = AnswerForms(
        request.POST if request.method == "POST" else None, invitation=invitation, items=context["items"]
    )
    if request.method == "POST" and forms.is_valid():
        try:
            answers.answer_meeting(
                actor=actor,
                meeting_id=pk,
                attends=forms.answer.attends(),
                attendees=forms.attendee_inputs(),
                votes=forms.answer.votes(),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("assembly:detail", pk=pk)
        except KouikiError as error:
            errors_onto_form(forms.answer, error)
        else:
            messages.success(request, "回答を登録しました。回答期限までは変更できます。")
            return redirect("assembly:detail", pk=pk)
    context.update({"forms": forms, "title": f"出欠・議決権の回答 {invitation.meeting.name}"})
    return render(request, "assembly/answer.html", context)


# --- MEM-G3 総会当日の受付票発行 ----------------------------------------------------------------------------


def _ticket_context(ticket: ReceptionTicket) -> dict[str, Any]:
    code = tickets.ticket_code(ticket.token)
    return {
        "ticket": ticket,
        "meeting": ticket.meeting,
        "attendee": ticket.attendee,
        "organization": ticket.attendee.invitation.organization,
        "code": code,
        "qr": tickets.qr_data_uri(code),
    }


@function_required("MEM-G3")
@require_GET
def ticket(request: HttpRequest, actor: User, pk: int, attendee_pk: int) -> HttpResponse:
    """One person's reception ticket with its QR code, to show on a phone or print."""
    found = selectors.ticket_for(actor=actor, meeting_id=pk, attendee_id=attendee_pk)
    context = _ticket_context(found)
    context["title"] = f"受付票 {found.attendee.name}"
    return render(request, "assembly/ticket.html", context)


@function_required("MEM-G3")
@require_GET
def ticket_pdf(request: HttpRequest, actor: User, pk: int, attendee_pk: int) -> HttpResponse:
    """The same ticket as PDF (kouiki.core.pdf)."""
    found = selectors.ticket_for(actor=actor, meeting_id=pk, attendee_id=attendee_pk)
    context = _ticket_context(found)
    context["title"] = "受付票"
    pdf = render_pdf("assembly/ticket_pdf.html", context)
    return pdf_response(pdf, f"受付票_{found.meeting.held_at:%Y%m%d}_{found.attendee.name}.pdf")
