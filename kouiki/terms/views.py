"""Public pages of the terms documents: every system's documents in force, the version in force of
one document, and any published version."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound
from kouiki.core.systems import System
from kouiki.terms import selectors
from kouiki.terms.choices import DocumentKind
from kouiki.terms.models import TermsDocument
from kouiki.terms.selectors.rendering import blocks


def _render(request: HttpRequest, document: TermsDocument) -> HttpResponse:
    try:
        in_force: TermsDocument | None = selectors.current(document.system, document.kind)
    except NotFound:
        in_force = None  # the first version of a document, published before its effective date
    return render(
        request,
        "terms/document.html",
        {
            "document": document,
            "blocks": blocks(document.body),
            "system_name": System(document.system).label,
            "in_force": in_force,
            "today": timezone.localdate(),
            "versions": selectors.versions(document.system, document.kind),
            "title": document.title,
        },
    )


@implements("X-T1")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The documents in force of the three systems (X-T1)."""
    return render(
        request, "terms/index.html", {"systems": selectors.current_by_system(), "title": "利用規約"}
    )


@implements("X-T1")
@require_GET
def current(request: HttpRequest, system: str, kind: str) -> HttpResponse:
    """The version in force today (a link that stays right when the document changes)."""
    if system not in System.values or kind not in DocumentKind.values:
        raise NotFound()
    return _render(request, selectors.current(system, kind))


@implements("X-T1")
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """One published version: what an applicant consented to, as it was."""
    return _render(request, selectors.published_document(pk))
