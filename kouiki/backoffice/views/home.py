"""The back-office top page: a card per group of the areas the staff member's roles open, each area
linked with what it is for (none: the member is told to ask the staff administrator)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kouiki.backoffice.templatetags.backoffice_menu import areas_of
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User


@staff_required
def home(request: HttpRequest, actor: User) -> HttpResponse:
    groups: dict[str, list[dict[str, str]]] = {}
    for area in areas_of(actor):
        groups.setdefault(area["group"], []).append(area)
    return render(request, "backoffice/home.html", {"title": "業務メニュー", "groups": list(groups.items())})
