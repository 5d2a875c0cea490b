"""The back-office top page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kouiki.identity.access import staff_required


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html", {"title": "業務メニュー"})
