"""The back-office top page: a card per group of areas, each area linked with what it is for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kouiki.backoffice.templatetags.backoffice_menu import backoffice_areas
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User


@staff_required
def home(request: HttpRequest, actor: User) -> HttpResponse:
    groups: dict[str, list[dict[str, str]]] = {}
    for area in backoffice_areas():
        groups.setdefault(area["group"], []).append(area)
    return render(request, "backoffice/home.html", {"title": "業務メニュー", "groups": groups.items()})
