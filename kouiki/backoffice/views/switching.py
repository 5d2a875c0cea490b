"""Back office: the switching hub seen by the organization's staff — applications (受付番号, kind,
state, the operator's step and errors) and switches (廃止取次番号, both retailers, dates, the
decision). Read-only; the customers' identification is not shown here."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kouiki.core.lists import FilterForm, list_page
from kouiki.core.systems import System
from kouiki.identity import selectors as identity_selectors
from kouiki.identity.access import staff_required
from kouiki.switching import selectors

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50


class ApplicationSearch(FilterForm):
    organization_code = forms.CharField(label="事業者コード", required=False, max_length=4)
    reception_number = forms.CharField(label="受付番号", required=False, max_length=20)
    supply_point_number = forms.CharField(label="供給地点特定番号", required=False, max_length=40)
    kind = forms.ChoiceField(
        label="申請種別", required=False, choices=[("", "すべて"), *selectors.KIND_CHOICES]
    )
    state = forms.ChoiceField(
        label="処理状況", required=False, choices=[("", "すべて"), *selectors.STATE_CHOICES]
    )


class SwitchSearch(FilterForm):
    supply_point_number = forms.CharField(label="供給地点特定番号", required=False, max_length=40)
    state = forms.ChoiceField(
        label="状態", required=False, choices=[("", "すべて"), *selectors.SWITCH_STATE_CHOICES]
    )


@staff_required
@require_GET
def application_list(request: HttpRequest, actor: User) -> HttpResponse:
    return list_page(
        request,
        form=ApplicationSearch(request.GET or None),
        select=partial(selectors.staff_applications, actor=actor),
        template="backoffice/switching/application_list.html",
        title="スイッチング申請",
        page_size=PAGE_SIZE,
    )


@staff_required
@require_GET
def application_detail(request: HttpRequest, actor: User, reception_number: str) -> HttpResponse:
    application = selectors.staff_application(actor=actor, reception_number=reception_number)
    return render(
        request,
        "backoffice/switching/application_detail.html",
        {"application": application, "title": f"申請 {application.reception_number}"},
    )


@staff_required
@require_GET
def switch_list(request: HttpRequest, actor: User) -> HttpResponse:
    return list_page(
        request,
        form=SwitchSearch(request.GET or None),
        select=partial(selectors.staff_switches, actor=actor),
        template="backoffice/switching/switch_list.html",
        title="スイッチング案件",
        page_size=PAGE_SIZE,
    )


@staff_required
@require_GET
def switch_detail(request: HttpRequest, actor: User, number: str) -> HttpResponse:
    switch = selectors.staff_switch(actor=actor, number=number)
    return render(
        request,
        "backoffice/switching/switch_detail.html",
        {
            "switch": switch,
            "applications": switch.applications.select_related("organization").order_by("created_at", "id"),
            "title": f"スイッチング案件 {switch.number}",
        },
    )


class GrantSearch(FilterForm):
    query = forms.CharField(
        label="事業者コード・会社名", required=False, max_length=100, help_text="委託者・受託者のどちらでも"
    )


@staff_required
@require_GET
def contractor_grants(request: HttpRequest, actor: User) -> HttpResponse:
    """業務委託（受託者, X-I2）: every grant of the switching system, in force, ended and revoked."""
    return list_page(
        request,
        form=GrantSearch(request.GET or None),
        select=partial(identity_selectors.all_grants, system=System.SWITCHING),
        template="backoffice/switching/contractor_grants.html",
        title="業務委託（受託者）",
        page_size=PAGE_SIZE,
    )
