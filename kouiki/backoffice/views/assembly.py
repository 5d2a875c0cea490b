"""Back office: general meetings (総会). Register a meeting and its agenda, choose the members with
voting rights, send the convocation (e-mail or paper), see the answers and the tally, export the
results as CSV, and check in the persons at the venue (MEM-G4). Staff only."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.assembly import selectors
from kouiki.assembly.forms import CheckInForm, MeetingForm, VotingRightsForm
from kouiki.assembly.services import checkin, meetings
from kouiki.core.catalog import implements
from kouiki.core.csvio import csv_response, write_csv
from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import list_page
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50
# The header the check-in page's script sends: answer with the result fragment only.
PARTIAL_HEADER = "X-Requested-With"


@staff_required
@require_GET
def meeting_list(request: HttpRequest, actor: User) -> HttpResponse:
    return list_page(
        request,
        select=partial(selectors.meetings, actor=actor),
        template="backoffice/assembly/list.html",
        title="総会一覧",
        page_size=PAGE_SIZE,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, actor: User) -> HttpResponse:
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.create_meeting(actor=actor, **form.service_kwargs())
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "総会を登録しました。議決権を設定し、招集通知を送信してください。")
            return redirect("backoffice:assembly_detail", pk=meeting.pk)
    return render(
        request, "backoffice/assembly/form.html", {"form": form, "meeting": None, "title": "総会の登録"}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    meeting = selectors.meeting(actor=actor, pk=pk)
    form = MeetingForm(
        request.POST if request.method == "POST" else None, initial=MeetingForm.initial_of(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            meetings.update_meeting(actor=actor, meeting=meeting, **form.service_kwargs())
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "総会の内容を変更しました。")
            return redirect("backoffice:assembly_detail", pk=meeting.pk)
    return render(
        request, "backoffice/assembly/form.html", {"form": form, "meeting": meeting, "title": "総会の変更"}
    )


@staff_required
@require_GET
def meeting_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    meeting = selectors.meeting(actor=actor, pk=pk)
    return render(
        request,
        "backoffice/assembly/detail.html",
        {
            "meeting": meeting,
            "items": list(meeting.agenda_items.all()),
            "summary": selectors.convocation_summary(actor=actor, meeting=meeting),
            "paper": selectors.paper_notices(actor=actor, meeting=meeting),
            "title": meeting.name,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def voting_rights(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """Choose the members with voting rights, before the convocation."""
    meeting = selectors.meeting(actor=actor, pk=pk)
    choices = selectors.voting_rights_choices(actor=actor, meeting=meeting)
    form = VotingRightsForm(
        request.POST if request.method == "POST" else None,
        organization_ids=[choice.organization_id for choice in choices],
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = meetings.set_voting_rights(
                actor=actor, meeting=meeting, organization_ids=form.cleaned_data["organizations"]
            )
        except KouikiError as error:
            errors_onto_form(form, error, default_field="organizations")
        else:
            messages.success(request, f"議決権を有する会員を{count}社に設定しました。")
            return redirect("backoffice:assembly_detail", pk=meeting.pk)
    return render(
        request,
        "backoffice/assembly/voting_rights.html",
        {"meeting": meeting, "choices": choices, "form": form, "title": f"議決権の設定 {meeting.name}"},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def convene(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """招集通知: confirm, then mail the consenting members and list the others for paper."""
    meeting = selectors.meeting(actor=actor, pk=pk)
    if request.method == "POST":
        try:
            result = meetings.send_convocation(actor=actor, meeting=meeting)
        except KouikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"招集通知を送信しました（電子メール {len(result.emailed)}社、書面 {len(result.paper)}社）。"
                "書面で通知する会員は下の一覧のとおりです。",
            )
        return redirect("backoffice:assembly_detail", pk=meeting.pk)
    return render(
        request,
        "backoffice/assembly/convene.html",
        {
            "meeting": meeting,
            "items": list(meeting.agenda_items.all()),
            "choices": selectors.voting_rights_choices(actor=actor, meeting=meeting),
            "summary": selectors.convocation_summary(actor=actor, meeting=meeting),
            "title": f"招集通知の送信 {meeting.name}",
        },
    )


@staff_required
@require_GET
def answers(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """Every member's answer, and the tally per agenda item."""
    meeting = selectors.meeting(actor=actor, pk=pk)
    items = list(meeting.agenda_items.all())
    rows = []
    for invitation in selectors.invitations(actor=actor, meeting=meeting):
        votes = selectors.votes_by_item(invitation)
        rows.append((invitation, list(invitation.attendees.all()), [votes.get(item.pk) for item in items]))
    return render(
        request,
        "backoffice/assembly/answers.html",
        {
            "meeting": meeting,
            "items": items,
            "rows": rows,
            "tally": selectors.tally(actor=actor, meeting=meeting),
            "title": f"回答一覧・集計 {meeting.name}",
        },
    )


def _csv(name: str, table: tuple[list[str], list[list[Any]]]) -> HttpResponse:
    header, rows = table
    return csv_response(f"{name}_{timezone.localtime():%Y%m%d%H%M}.csv", write_csv(rows, header))


@staff_required
@require_GET
def results_csv(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    meeting = selectors.meeting(actor=actor, pk=pk)
    return _csv(f"総会回答_{meeting.pk}", selectors.results_table(actor=actor, meeting=meeting))


@staff_required
@require_GET
def tally_csv(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    meeting = selectors.meeting(actor=actor, pk=pk)
    return _csv(f"総会集計_{meeting.pk}", selectors.tally_table(actor=actor, meeting=meeting))


@staff_required
@require_GET
def paper_csv(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """The members to post the convocation to, with their address (for a mail merge)."""
    meeting = selectors.meeting(actor=actor, pk=pk)
    header = ["事業者コード", "会員名", "郵便番号", "住所", "代表者", "理由"]
    rows: list[list[Any]] = [
        [
            notice.invitation.organization.code,
            notice.invitation.organization.name,
            notice.postal_code,
            notice.address,
            notice.representative,
            notice.invitation.get_paper_reason_display(),
        ]
        for notice in selectors.paper_notices(actor=actor, meeting=meeting)
    ]
    return _csv(f"総会書面通知_{meeting.pk}", (header, rows))


# --- MEM-G4 総会当日の受付 ----------------------------------------------------------------------------------


@implements("MEM-G4")
@staff_required
@require_http_methods(["GET", "POST"])
def checkin_page(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """The venue's page: a reader (USB or camera) sends a ticket's code; the person shows at once."""
    meeting = selectors.meeting(actor=actor, pk=pk)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = checkin.check_in(actor=actor, meeting=meeting, code=form.cleaned_data["code"])
        form = CheckInForm()
    if request.headers.get(PARTIAL_HEADER) == "fetch":
        return render(
            request,
            "backoffice/assembly/_checkin_result.html",
            {"result": result, "form_errors": form.errors},
        )
    return render(
        request,
        "backoffice/assembly/checkin.html",
        {
            "meeting": meeting,
            "form": form,
            "result": result,
            "arrivals": selectors.arrivals(actor=actor, meeting=meeting),
            "title": f"総会当日の受付 {meeting.name}",
        },
    )


@implements("MEM-G4")
@staff_required
@require_GET
def checkin_counts(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """The live count of arrivals, polled by the check-in page."""
    meeting = selectors.meeting(actor=actor, pk=pk)
    response = render(
        request,
        "backoffice/assembly/_checkin_counts.html",
        {"meeting": meeting, "arrivals": selectors.arrivals(actor=actor, meeting=meeting)},
    )
    response["Cache-Control"] = "no-store"
    return response
