"""The tabs' own pages (the functions of each line — 低圧, 高圧, 低圧FIT電源 — by 業務), SW-C01
事業者一覧取得, 需要者基本情報照会 (SW-P2) and the organization's personal-data access ledger (SW-P1)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kouiki.core.errors import KouikiError
from kouiki.core.lists import paginate, searched
from kouiki.core.systems import System
from kouiki.identity.access import function_required, may_use
from kouiki.identity.views.system import menu_groups
from kouiki.switching import forms, selectors
from kouiki.switching.services import personal_data
from kouiki.switching.services.lines import FIT, HIGH, LOW, Business, Line
from kouiki.switching.views.common import PAGE_SIZE, function_title, line_screen, page

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The tab a menu heading (a function's 業務) is under, by the heading's first words: the FIT line's
# headings start with 低圧 too, so they are asked first.
TAB_HEADINGS = ((FIT, "低圧FIT"), (HIGH, "高圧"), (LOW, "低圧"))


def tab_of(heading: str) -> str:
    """The key of the tab whose functions a menu heading groups ("" for the system's own)."""
    return next((key for key, words in TAB_HEADINGS if heading.startswith(words)), "")


@line_screen(None)
@require_GET
def tab(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """A line's tab: the functions of the line the user may use, by 業務, and its list of
    applications."""
    groups = [
        (heading, entries)
        for heading, entries in menu_groups(actor, System.SWITCHING)
        if tab_of(heading) == line.key
    ]
    context = {
        "groups": groups,
        "title": line.label,
        "may_list": may_use(actor, line.function(Business.STATUS_MANY)),
    }
    return page(request, "switching/tab.html", context, line=line)


@function_required("SW-C01")
@require_GET
def operators(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-C01 事業者一覧取得."""
    return page(
        request,
        "switching/operators.html",
        {"operators": selectors.operators(actor=actor), "title": function_title("SW-C01")},
        line=None,
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
        request,
        "switching/ledger.html",
        {"form": form, "page": listing, "title": "個人情報閲覧記録"},
        line=None,
    )
