"""The back-office top page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User


@staff_required
def home(request: HttpRequest, actor: User) -> HttpResponse:
    return render(request, "backoffice/home.html", {"title": "業務メニュー"})
