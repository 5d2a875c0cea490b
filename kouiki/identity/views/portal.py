"""The portal at `/`: the four systems, what each is for and who logs in, with their login pages,
and who is signed in in this browser."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kouiki.core.systems import SITES
from kouiki.identity.views.auth import signed_in


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "identity/portal.html",
        {"title": "ポータル", "sites": SITES, "signed_in": signed_in(request)},
    )
