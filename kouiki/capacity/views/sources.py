"""Power sources of a participant: CAP-P1 照会・登録申請・変更申請・削除申請・CSV一括登録・CSV出力,
CAP-P2 審査状況. Views parse input, call one service or selector, and render."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.capacity import selectors
from kouiki.capacity.choices import Area, SourceCategory, SourceStatus
from kouiki.capacity.forms import CsvEncodingForm, CsvImportForm, ReasonForm
from kouiki.capacity.forms.screens import SourceForms
from kouiki.capacity.selectors import SOURCE_CHANGE, SOURCE_KINDS, SOURCE_REGISTRATION
from kouiki.capacity.services import payloads, sources, sources_csv
from kouiki.capacity.views.common import (
    application_context,
    application_list,
    posted,
    resubmit_application,
    withdraw_application,
)
from kouiki.core.csvio import Encoding, RowError, csv_response
from kouiki.core.errors import KouikiError, ValidationFailed
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import list_page
from kouiki.identity.access import function_required
from kouiki.reviews import services as review_services

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The rows of a refused CSV listed on the page; the rest are counted (a broken file can have
# hundreds of thousands).
SHOWN_ROW_ERRORS = 100


class SourceSearchForm(forms.Form):
    q = forms.CharField(
        label="検索語",
        required=False,
        max_length=100,
        help_text="電源等識別番号・名称・所在地・受電地点特定番号",
    )
    category = forms.ChoiceField(
        label="電源等の区分", required=False, choices=[("", "すべて"), *SourceCategory.choices]
    )
    area = forms.ChoiceField(label="エリア", required=False, choices=[("", "すべて"), *Area.choices])
    status = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("registered", "登録済"), ("deleted", "削除済"), ("all", "すべて")],
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": SourceStatus.REGISTERED}
        data = self.cleaned_data
        status = data["status"] or SourceStatus.REGISTERED
        return {
            "query": data["q"].strip(),
            "category": data["category"],
            "area": data["area"],
            "status": "" if status == "all" else status,
        }


@function_required("CAP-P1")
@require_GET
def source_list(request: HttpRequest, actor: User) -> HttpResponse:
    """CAP-P1 照会: the organization's power sources, searchable."""
    search = SourceSearchForm(request.GET or None)
    return list_page(
        request,
        form=search,
        select=partial(selectors.sources_for, actor=actor),
        template="capacity/sources/list.html",
        title="電源等情報",
        context={
            "search": search,
            "pending_ids": selectors.open_source_ids(actor=actor),
            "waiting": selectors.source_applications(actor=actor, kind=SOURCE_REGISTRATION)
            .filter(state__in=review_services.OPEN)
            .count(),
            "encoding_form": CsvEncodingForm(),
        },
    )


@function_required("CAP-P1")
@require_http_methods(["GET", "POST"])
def source_new(request: HttpRequest, actor: User) -> HttpResponse:
    """電源等情報登録申請: one power source; its 電源等識別番号 is issued when approved."""
    screen = SourceForms(posted(request))
    if request.method == "POST" and screen.is_valid():
        try:
            application = sources.file_registration(actor=actor, payload=screen.payload())
        except ValidationFailed as error:
            screen.add_errors(error)
        else:
            messages.success(
                request,
                f"電源等情報登録申請を受け付けました（受付番号 {application.reception_number}）。"
                "本機関の審査後に電源等識別番号を発番します。",
            )
            return redirect("cap:source_application", pk=application.pk)
    return render(request, "capacity/sources/form.html", {"screen": screen, "title": "電源等情報登録申請"})


@function_required("CAP-P1")
@require_http_methods(["GET", "POST"])
def source_import(request: HttpRequest, actor: User) -> HttpResponse:
    """CSVによる一括登録申請: all rows or none; every bad row listed with its line and reason."""
    form = CsvImportForm(posted(request), request.FILES or None)
    row_errors: list[RowError] = []
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = sources.import_sources(
                actor=actor,
                data=form.cleaned_data["file"].read(),
                dry_run=form.cleaned_data["dry_run"],
            )
        except sources.SourceImportFailed as error:
            row_errors = error.row_errors
            form.add_error(None, error.message)
        except ValidationFailed as error:
            errors_onto_form(form, error)
        else:
            if form.cleaned_data["dry_run"]:
                preview = outcome.planned
            else:
                messages.success(
                    request,
                    f"{len(outcome.applications)}件の電源等情報登録申請を受け付けました。審査状況は「電源等情報審査管理」で確認できます。",
                )
                return redirect("cap:source_applications")
    return render(
        request,
        "capacity/sources/import.html",
        {
            "form": form,
            "row_errors": row_errors[:SHOWN_ROW_ERRORS],
            "row_error_count": len(row_errors),
            "more_row_errors": max(len(row_errors) - SHOWN_ROW_ERRORS, 0),
            "preview": [payloads.rows(payload, payloads.SOURCE_LABELS) for payload in preview or []],
            "previewed": preview is not None,
            "header": sources_csv.HEADER,
            "title": "電源等情報の一括登録申請（CSV）",
        },
    )


@function_required("CAP-P1")
@require_GET
def source_import_template(request: HttpRequest, actor: User) -> HttpResponse:
    return csv_response("電源等情報_一括登録_見本.csv", sources_csv.template())


@function_required("CAP-P1")
@require_GET
def source_export(request: HttpRequest, actor: User) -> HttpResponse:
    """CSV出力: the registered power sources of the organization, members included."""
    form = CsvEncodingForm(request.GET)
    encoding: Encoding = (
        "cp932" if form.is_valid() and form.cleaned_data["encoding"] == "cp932" else "utf-8-sig"
    )
    found = selectors.sources_for(actor=actor)
    try:
        data = sources_csv.export(found, encoding=encoding)
    except KouikiError as error:
        messages.error(request, error.message)
        return redirect("cap:source_list")
    return csv_response(f"電源等情報_{timezone.localtime():%Y%m%d%H%M}.csv", data, encoding=encoding)


@function_required("CAP-P1")
@require_GET
def source_detail(request: HttpRequest, actor: User, source_id: str) -> HttpResponse:
    """One power source as registered, its members, its pending application and its versions."""
    source = selectors.source_for(actor=actor, source_id=source_id)
    snapshot = selectors.source_snapshot(source)
    history = payloads.version_history(selectors.source_versions(source), payloads.SOURCE_LABELS)
    return render(
        request,
        "capacity/sources/detail.html",
        {
            "source": source,
            "rows": payloads.rows(
                {k: v for k, v in snapshot.items() if k != "members"}, payloads.SOURCE_LABELS
            ),
            "members": source.members.all(),
            "pending": selectors.open_source_application(actor=actor, source_id=source.source_id),
            "history": history,
            "title": f"電源等情報 {source.source_id}",
        },
    )


@function_required("CAP-P1")
@require_http_methods(["GET", "POST"])
def source_change(request: HttpRequest, actor: User, source_id: str) -> HttpResponse:
    """電源等情報変更申請: the registered values quoted for correction."""
    source = selectors.source_for(actor=actor, source_id=source_id)
    screen = SourceForms(posted(request), payload=selectors.source_snapshot(source))
    if request.method == "POST" and screen.is_valid():
        try:
            application = sources.file_change(actor=actor, source=source, payload=screen.payload())
        except ValidationFailed as error:
            screen.add_errors(error)
        else:
            messages.success(
                request, f"電源等情報変更申請を受け付けました（受付番号 {application.reception_number}）。"
            )
            return redirect("cap:source_application", pk=application.pk)
    return render(
        request,
        "capacity/sources/form.html",
        {"screen": screen, "source": source, "title": f"電源等情報変更申請 {source.source_id}"},
    )


@function_required("CAP-P1")
@require_http_methods(["GET", "POST"])
def source_delete(request: HttpRequest, actor: User, source_id: str) -> HttpResponse:
    """電源等情報削除申請."""
    source = selectors.source_for(actor=actor, source_id=source_id)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            application = sources.file_deletion(
                actor=actor, source=source, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request, f"電源等情報削除申請を受け付けました（受付番号 {application.reception_number}）。"
            )
            return redirect("cap:source_application", pk=application.pk)
    return render(
        request,
        "capacity/sources/delete_form.html",
        {"form": form, "source": source, "title": f"電源等情報削除申請 {source.source_id}"},
    )


@function_required("CAP-P2")
@require_GET
def applications(request: HttpRequest, actor: User) -> HttpResponse:
    """CAP-P2 電源等情報審査管理: the state of each power source application."""
    return application_list(
        request,
        actor,
        found=selectors.source_applications,
        template="capacity/sources/applications.html",
        title="電源等情報の審査状況",
    )


@function_required("CAP-P2")
@require_GET
def application(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    found = selectors.application_of(actor=actor, pk=pk, kinds=SOURCE_KINDS)
    context = application_context(found)
    return render(request, "capacity/sources/application.html", {"title": context["kind_name"], **context})


@function_required("CAP-P1")
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """A power source application corrected after a hold or a rejection, and filed again."""
    found = selectors.application_of(actor=actor, pk=pk, kinds=SOURCE_KINDS)
    return resubmit_application(
        request,
        actor,
        found,
        screen=(
            (lambda data: SourceForms(data, payload=found.payload))
            if found.kind in (SOURCE_REGISTRATION, SOURCE_CHANGE)
            else None
        ),
        screen_name="screen",
        resubmit=sources.resubmit,
        detail="cap:source_application",
        template="capacity/sources/application_edit.html",
    )


@function_required("CAP-P1")
@require_POST
def application_withdraw(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    found = selectors.application_of(actor=actor, pk=pk, kinds=SOURCE_KINDS)
    return withdraw_application(request, actor, found, detail="cap:source_application")
