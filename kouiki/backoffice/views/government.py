"""Back office: information to government agencies (X-G1, 行政機関への情報提供). A request is
recorded, approved or rejected by another member of the staff, provided once as CSV files, and
every file can be downloaded again — each download kept. The rules are the government app's."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core.catalog import implements
from kouiki.core.csvio import csv_response
from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import FilterForm, list_page
from kouiki.core.systems import System
from kouiki.government import services
from kouiki.government.choices import PERSONAL_DATA_ALLOWED, RequestState
from kouiki.government.forms import RejectForm, RequestForm
from kouiki.government.selectors import datasets, requests
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.government.models import InformationRequest
    from kouiki.identity.models import User


class RequestFilterForm(FilterForm):
    state = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("", "すべて"), *RequestState.choices],
        error_messages={"invalid_choice": "状態の選択が不正です。"},
    )
    system = forms.ChoiceField(
        label="システム",
        required=False,
        choices=[("", "すべて"), *System.choices],
        error_messages={"invalid_choice": "システムの選択が不正です。"},
    )


@implements("X-G1")
@staff_required
@require_GET
def request_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Every request and what was provided for it, newest first."""
    return list_page(
        request,
        form=RequestFilterForm(request.GET or None),
        select=partial(requests.requests, actor=actor),
        template="backoffice/government/list.html",
        title="行政機関への情報提供",
    )


@implements("X-G1")
@staff_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, actor: User) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.record_request(actor=actor, **form.values())
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request, "依頼を記録しました。記録した職員以外の職員が内容を確認して承認します。"
            )
            return redirect("backoffice:government_detail", pk=recorded.pk)
    return render(
        request,
        "backoffice/government/form.html",
        {
            "form": form,
            "systems": [
                (System(system).label, datasets.of_system(system), allowed)
                for system, allowed in PERSONAL_DATA_ALLOWED.items()
            ],
            "title": "行政機関からの情報提供依頼の記録",
        },
    )


def _detail(
    request: HttpRequest, actor: User, found: InformationRequest, reject_form: RejectForm | None = None
) -> HttpResponse:
    context: dict[str, Any] = {
        "item": found,
        "datasets": [datasets.get(key) for key in found.datasets],
        "personal_allowed": PERSONAL_DATA_ALLOWED[found.system],
        "may_decide": found.state == RequestState.RECORDED and found.recorded_by_id != actor.pk,
        "files": requests.files_of(found),
        "downloads": requests.downloads_of(found),
        "reject_form": reject_form or RejectForm(),
        "title": f"情報提供依頼 {found.reference_number}",
    }
    return render(request, "backoffice/government/detail.html", context)


@implements("X-G1")
@staff_required
@require_GET
def request_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _detail(request, actor, requests.request_by_pk(actor=actor, pk=pk))


@implements("X-G1")
@staff_required
@require_POST
def request_approve(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    found = requests.request_by_pk(actor=actor, pk=pk)
    try:
        services.approve(actor=actor, request=found)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "依頼を承認しました。提供するファイルを作成できます。")
    return redirect("backoffice:government_detail", pk=found.pk)


@implements("X-G1")
@staff_required
@require_POST
def request_reject(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    found = requests.request_by_pk(actor=actor, pk=pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject(actor=actor, request=found, reason=form.cleaned_data["reason"])
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "依頼を却下しました。情報は提供されません。")
            return redirect("backoffice:government_detail", pk=found.pk)
    return _detail(request, actor, found, reject_form=form)


@implements("X-G1")
@staff_required
@require_POST
def request_provide(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    found = requests.request_by_pk(actor=actor, pk=pk)
    try:
        provision = services.provide(actor=actor, request=found)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"提供するファイルを{provision.files.count()}件作成しました。ダウンロードして提供してください。",
        )
    return redirect("backoffice:government_detail", pk=found.pk)


@implements("X-G1")
@staff_required
@require_GET
def file_download(request: HttpRequest, actor: User, pk: int, file_pk: int) -> HttpResponse:
    """A provision's file as it was made (the same bytes every time); every download is kept."""
    file = requests.file_of(actor=actor, request_pk=pk, file_pk=file_pk)
    services.record_download(actor=actor, file=file)
    return csv_response(file.name, bytes(file.data))
