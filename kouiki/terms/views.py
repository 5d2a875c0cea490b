"""Public pages of the terms documents: the version in force, and any published version."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kouiki.core.errors import NotFound
from kouiki.core.systems import System
from kouiki.terms import selectors
from kouiki.terms.choices import DocumentKind
from kouiki.terms.models import TermsDocument
from kouiki.terms.rendering import blocks


def _render(request: HttpRequest, document: TermsDocument) -> HttpResponse:
    in_force = selectors.current(document.system, document.kind)
    return render(
        request,
        "terms/document.html",
        {
            "document": document,
            "blocks": blocks(document.body),
            "system_name": System(document.system).label,
            "in_force": in_force,
            "versions": selectors.versions(document.system, document.kind),
            "title": document.title,
        },
    )


@require_GET
def current(request: HttpRequest, system: str, kind: str) -> HttpResponse:
    """The version in force today (a link that stays right when the document changes)."""
    if system not in System.values or kind not in DocumentKind.values:
        raise NotFound()
    return _render(request, selectors.current(system, kind))


@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """One published version: what an applicant consented to, as it was."""
    return _render(request, selectors.published_document(pk))
