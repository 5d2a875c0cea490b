"""Participants' notices (CAP-N1; SW-N01 list, SW-N02 detail): mounted under each system's prefix,
which passes `system` to every view. Only users the catalog allows in that system see them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from kouiki.core.errors import NotFound
from kouiki.identity.access import function_required
from kouiki.notices import selectors, services
from kouiki.notices.forms import NoticeFilterForm

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.notices.models import NoticeAttachment

PAGE_SIZE = 20

# The catalog's function of each screen, per system.
LIST_FUNCTIONS = {"capacity": "CAP-N1", "switching": "SW-N01"}
DETAIL_FUNCTIONS = {"capacity": "CAP-N1", "switching": "SW-N02"}
# What each system calls its notices (seed 001: インフォメーション; seed 002: お知らせ).
TITLES = {"capacity": "お知らせ", "switching": "インフォメーション"}


def _function(functions: dict[str, str], system: str) -> str:
    if system not in functions:
        raise NotFound()
    return functions[system]


@require_GET
def notice_list(request: HttpRequest, system: str) -> HttpResponse:
    return function_required(_function(LIST_FUNCTIONS, system))(_notice_list)(request, system)


def _notice_list(request: HttpRequest, system: str) -> HttpResponse:
    """The notices the user's organization sees now, newest first, unread ones marked."""
    actor: User = request.user  # type: ignore[assignment]
    form = NoticeFilterForm(request.GET or None)
    notices = selectors.notices_for(actor=actor, system=system, **form.filters())
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {
            "form": form,
            "page": page,
            "unread": selectors.unread_count(actor=actor, system=system),
            "system": system,
            "title": f"{TITLES[system]}一覧",
            "heading": TITLES[system],
        },
    )


@require_GET
def notice_detail(request: HttpRequest, system: str, pk: int) -> HttpResponse:
    return function_required(_function(DETAIL_FUNCTIONS, system))(_notice_detail)(request, system, pk)


def _notice_detail(request: HttpRequest, system: str, pk: int) -> HttpResponse:
    """One notice; opening it marks it read for this user."""
    notice = services.open_notice(actor=request.user, system=system, pk=pk)  # type: ignore[arg-type]
    return render(
        request,
        "notices/detail.html",
        {"notice": notice, "system": system, "title": notice.title, "heading": TITLES[system]},
    )


def attachment_response(attachment: NoticeAttachment) -> HttpResponse:
    """A notice's file (10 MB at most, read at once) as a download under the name it was uploaded
    with and the type we recognised it as; no shared cache keeps it."""
    with attachment.file.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type=attachment.content_type)
    if disposition := content_disposition_header(True, attachment.original_name):
        response["Content-Disposition"] = disposition
    response["Content-Length"] = str(len(data))
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def notice_attachment(request: HttpRequest, system: str, pk: int, attachment_pk: int) -> HttpResponse:
    return function_required(_function(DETAIL_FUNCTIONS, system))(_notice_attachment)(
        request, system, pk, attachment_pk
    )


def _notice_attachment(request: HttpRequest, system: str, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = selectors.attachment_for(
        actor=request.user,  # type: ignore[arg-type]
        system=system,
        notice_pk=pk,
        pk=attachment_pk,
    )
    return attachment_response(attachment)
