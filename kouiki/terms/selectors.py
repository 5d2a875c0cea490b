"""Reading terms documents and consents. Documents are public once published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from kouiki.core.errors import NotFound
from kouiki.terms.models import Consent, TermsDocument

if TYPE_CHECKING:
    from kouiki.reviews.models import Application


def _published() -> QuerySet[TermsDocument]:
    return TermsDocument.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())


def current(system: str, kind: str, on: dt.date | None = None) -> TermsDocument:
    """The version of a document in force on `on` (today in Japan by default); NotFound if none.

    In force: published, effective on or before that day, and the latest such (seed 000 1.3.2: the
    changed terms apply to every user).
    """
    day = on or timezone.localdate()
    document = (
        _published()
        .filter(system=system, kind=kind, effective_date__lte=day)
        .order_by("-effective_date", "-published_at", "-id")
        .first()
    )
    if document is None:
        raise NotFound("規約が登録されていません。")
    return document


def current_documents(system: str, kinds: Iterable[str], on: dt.date | None = None) -> list[TermsDocument]:
    """The documents of `kinds` in force on `on`, in the order of `kinds`."""
    return [current(system, kind, on) for kind in kinds]


def published_document(pk: int) -> TermsDocument:
    """One published version, for the public page (an unpublished one does not exist for visitors)."""
    document = _published().filter(pk=pk).first()
    if document is None:
        raise NotFound()
    return document


def versions(system: str, kind: str) -> QuerySet[TermsDocument]:
    """Every published version of a document, newest effective date first."""
    return _published().filter(system=system, kind=kind).order_by("-effective_date", "-published_at", "-id")


def consents_for(
    *, application: Application | None = None, organization_id: int | None = None
) -> QuerySet[Consent]:
    """The consents given for an application and/or by an organization, oldest first."""
    scope = Q()
    if application is not None:
        scope |= Q(application=application)
    if organization_id is not None:
        scope |= Q(organization_id=organization_id)
    if not scope:
        return Consent.objects.none()
    return Consent.objects.filter(scope).select_related("document").order_by("consented_at", "id")


def consented_document_ids(*, application: Application) -> set[int]:
    """The ids of the document versions consented to for an application."""
    return set(Consent.objects.filter(application=application).values_list("document_id", flat=True))
