"""Participants' notices (CAP-N1; SW-N01 list, SW-N02 detail): mounted under each system's prefix,
which passes `system` to every view. Only users the catalog allows in that system see them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from kouiki.core.errors import NotFound
from kouiki.core.lists import list_page
from kouiki.identity.access import View, function_required
from kouiki.notices import selectors, services
from kouiki.notices.forms import NoticeFilterForm

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.notices.models import NoticeAttachment

# The catalog's function of each screen, per system.
LIST_FUNCTIONS = {"capacity": "CAP-N1", "switching": "SW-N01"}
DETAIL_FUNCTIONS = {"capacity": "CAP-N1", "switching": "SW-N02"}
# What each system calls its notices (seed 001: インフォメーション; seed 002: お知らせ).
TITLES = {"capacity": "お知らせ", "switching": "インフォメーション"}


def _per_system(functions: dict[str, str]) -> Callable[[View], View]:
    """The view guarded, in each system, by that system's function of the screen; `system` comes
    from the URL prefix. A system without the screen is a 404."""

    def decorator(view: View) -> View:
        guarded = {system: function_required(function_id)(view) for system, function_id in functions.items()}

        @wraps(view)
        def dispatch(request: HttpRequest, system: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if system not in guarded:
                raise NotFound()
            return guarded[system](request, system, *args, **kwargs)

        return dispatch

    return decorator


@require_GET
@_per_system(LIST_FUNCTIONS)
def notice_list(request: HttpRequest, actor: User, system: str) -> HttpResponse:
    """The notices the user's organization sees now, newest first, unread ones marked."""
    return list_page(
        request,
        form=NoticeFilterForm(request.GET or None),
        select=partial(selectors.notices_for, actor=actor, system=system),
        template="notices/list.html",
        title=f"{TITLES[system]}一覧",
        context={
            "unread": selectors.unread_count(actor=actor, system=system),
            "system": system,
            "heading": TITLES[system],
        },
    )


@require_GET
@_per_system(DETAIL_FUNCTIONS)
def notice_detail(request: HttpRequest, actor: User, system: str, pk: int) -> HttpResponse:
    """One notice; opening it marks it read for this user."""
    notice = services.open_notice(actor=actor, system=system, pk=pk)
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
@_per_system(DETAIL_FUNCTIONS)
def notice_attachment(
    request: HttpRequest, actor: User, system: str, pk: int, attachment_pk: int
) -> HttpResponse:
    attachment = selectors.attachment_for(
        actor=actor,
        system=system,
        notice_pk=pk,
        pk=attachment_pk,
    )
    return attachment_response(attachment)
