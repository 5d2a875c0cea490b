"""The tabs' own pages (低圧 functions; 高圧 and 低圧FIT電源 to come in part 2), SW-C01 事業者一覧取得,
需要者基本情報照会 (SW-P2) and the organization's personal-data access ledger (SW-P1)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kouiki.core import catalog
from kouiki.core.errors import KouikiError
from kouiki.core.lists import paginate, searched
from kouiki.core.systems import System
from kouiki.identity.access import enrolled_required, function_required, may_use
from kouiki.identity.views.system import menu_groups
from kouiki.switching import forms, selectors
from kouiki.switching.services import personal_data
from kouiki.switching.views.common import FIT, HIGH, PAGE_SIZE, function_title, page

if TYPE_CHECKING:
    from kouiki.identity.models import User


@enrolled_required(System.SWITCHING)
@require_GET
def low(request: HttpRequest, actor: User) -> HttpResponse:
    """低圧: the functions the user may use, by 業務."""
    groups = [
        (name, entries) for name, entries in menu_groups(actor, System.SWITCHING) if name.startswith("低圧")
    ]
    return page(request, "switching/low.html", {"groups": groups, "title": "低圧"})


def _part2(request: HttpRequest, actor: User, *, tab: str, prefix: str, title: str) -> HttpResponse:
    planned = [
        function
        for function in catalog.functions(System.SWITCHING)
        if function.business.startswith(prefix) and may_use(actor, function.id)
    ]
    return page(request, "switching/part2.html", {"planned": planned, "title": title}, tab=tab)


@enrolled_required(System.SWITCHING)
@require_GET
def high(request: HttpRequest, actor: User) -> HttpResponse:
    return _part2(request, actor, tab=HIGH, prefix="高圧", title="高圧（500kW未満）")


@enrolled_required(System.SWITCHING)
@require_GET
def fit(request: HttpRequest, actor: User) -> HttpResponse:
    return _part2(request, actor, tab=FIT, prefix="低圧FIT", title="低圧FIT電源・FIT卒業電源")


@function_required("SW-C01")
@require_GET
def operators(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-C01 事業者一覧取得."""
    return page(
        request,
        "switching/operators.html",
        {"operators": selectors.operators(actor=actor), "title": function_title("SW-C01")},
        tab="",
    )


@function_required("SW-L01")
@require_GET
def basic_info(request: HttpRequest, actor: User) -> HttpResponse:
    """需要者基本情報照会 (SW-P2): for the current retailer or a new retailer switching the point;
    the purpose is named and the read recorded."""
    form = forms.BasicInfoForm(request.GET or None)
    info = None
    if form.is_bound and form.is_valid():
        try:
            info = personal_data.read_basic_info(actor=actor, **form.cleaned_data)
        except KouikiError as error:
            form.add_error("supply_point_number", error.message)
    return page(
        request, "switching/basic_info.html", {"form": form, "info": info, "title": "需要者基本情報照会"}
    )


@function_required("SW-L01")
@require_GET
def ledger(request: HttpRequest, actor: User) -> HttpResponse:
    """個人情報閲覧記録: who of the organization read which point's personal data, for what, when."""
    form = forms.LedgerFilterForm(request.GET or None)
    found = searched(form, partial(selectors.access_ledger, actor=actor))
    listing = paginate(request, found, PAGE_SIZE)
    return page(
        request, "switching/ledger.html", {"form": form, "page": listing, "title": "個人情報閲覧記録"}, tab=""
    )
