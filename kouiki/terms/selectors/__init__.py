"""Reading terms documents, consents and change mails. Documents are public once published; drafts
and the change mails are the back office's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from kouiki.core.errors import NotFound
from kouiki.core.outbox import OutboxState
from kouiki.core.systems import System
from kouiki.identity.access import require_staff
from kouiki.terms.choices import (
    CHANGE_MAIL_DEADLINE_DAYS,
    CHANGE_MAIL_WARNING_DAYS,
    SYSTEM_DOCUMENT_KINDS,
    DocumentKind,
)
from kouiki.terms.models import ChangeMail, Consent, TermsDocument

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


def current_terms(system: str, on: dt.date | None = None) -> TermsDocument:
    """The system terms (システム利用規約) of `system` in force: what a user consents to on an
    application form (with `terms/_consent.html` and `kouiki.terms.forms.TermsConsentForm`)."""
    return current(system, DocumentKind.SYSTEM_TERMS, on)


def in_force_ids(on: dt.date | None = None) -> set[int]:
    """The ids of the versions in force of every system's documents."""
    found = set()
    for system, kinds in SYSTEM_DOCUMENT_KINDS.items():
        for kind in kinds:
            try:
                found.add(current(system, kind, on).pk)
            except NotFound:
                continue
    return found


def current_by_system() -> list[tuple[str, list[TermsDocument]]]:
    """For the public index: each system's label and its documents in force (those it has)."""
    found = []
    for system, kinds in SYSTEM_DOCUMENT_KINDS.items():
        documents = []
        for kind in kinds:
            try:
                documents.append(current(system, kind))
            except NotFound:
                continue
        found.append((System(system).label, documents))
    return found


# --- the back office: versions, drafts and their change mails (X-T1) ----------------------------


@dataclass(frozen=True)
class MailingStatus:
    """How far the change mails of one published version have gone (seed 002 1.3.3: 30 days)."""

    total: int
    sent: int
    failed: int
    first_sent_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    published_on: dt.date
    today: dt.date

    @property
    def unsent(self) -> int:
        """Waiting, being sent or failed: not yet in the users' hands."""
        return self.total - self.sent

    @property
    def deadline(self) -> dt.date:
        return self.published_on + dt.timedelta(days=CHANGE_MAIL_DEADLINE_DAYS)

    @property
    def days_elapsed(self) -> int:
        return (self.today - self.published_on).days

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def complete(self) -> bool:
        return self.unsent == 0

    @property
    def overdue(self) -> bool:
        """Past the deadline with mails still unsent."""
        return self.unsent > 0 and self.today > self.deadline

    @property
    def warning(self) -> bool:
        """Near the deadline (day 25 on) with mails still unsent."""
        return self.unsent > 0 and self.days_elapsed >= CHANGE_MAIL_WARNING_DAYS

    @property
    def late(self) -> bool:
        """Every mail is out, but the last one after the deadline."""
        return (
            self.complete
            and self.last_sent_at is not None
            and timezone.localdate(self.last_sent_at) > self.deadline
        )


def _with_mail_counts(documents: QuerySet[TermsDocument]) -> QuerySet[TermsDocument]:
    sent = Q(change_mails__message__state=OutboxState.SENT)
    return documents.annotate(
        mail_total=Count("change_mails"),
        mail_sent=Count("change_mails", filter=sent),
        mail_failed=Count("change_mails", filter=Q(change_mails__message__state=OutboxState.FAILED)),
        mail_first_sent_at=Min("change_mails__message__sent_at", filter=sent),
        mail_last_sent_at=Max("change_mails__message__sent_at", filter=sent),
    )


def mailing_status(document: TermsDocument, today: dt.date | None = None) -> MailingStatus | None:
    """The change-mail status of a version annotated by `staff_documents` (None for a draft and for
    a version the code shipped with)."""
    if document.published_at is None or not document.change_mailed:
        return None
    if not hasattr(document, "mail_total"):
        document = _with_mail_counts(TermsDocument.objects.filter(pk=document.pk)).get()
    return MailingStatus(
        total=document.mail_total,  # type: ignore[attr-defined]
        sent=document.mail_sent,  # type: ignore[attr-defined]
        failed=document.mail_failed,  # type: ignore[attr-defined]
        first_sent_at=document.mail_first_sent_at,  # type: ignore[attr-defined]
        last_sent_at=document.mail_last_sent_at,  # type: ignore[attr-defined]
        published_on=timezone.localdate(document.published_at),
        today=today or timezone.localdate(),
    )


def staff_documents(*, actor: Any, system: str = "", kind: str = "") -> QuerySet[TermsDocument]:
    """Back office: every version of every document, drafts included, newest first, each with the
    counts of its change mails (one query whatever the number of versions and mails)."""
    require_staff(actor)
    documents = TermsDocument.objects.select_related("published_by")
    if system:
        documents = documents.filter(system=system)
    if kind:
        documents = documents.filter(kind=kind)
    return _with_mail_counts(documents).order_by("system", "kind", "-effective_date", "-created_at", "-id")


def staff_document(*, actor: Any, pk: int) -> TermsDocument:
    """Back office: one version (a draft too), with the counts of its change mails."""
    require_staff(actor)
    document = _with_mail_counts(TermsDocument.objects.select_related("published_by").filter(pk=pk)).first()
    if document is None:
        raise NotFound()
    return document


def unsent_change_mails(*, actor: Any, document: TermsDocument, limit: int = 200) -> QuerySet[ChangeMail]:
    """Back office: the change mails of a version not sent yet (waiting or failed), oldest first."""
    require_staff(actor)
    return (
        ChangeMail.objects.filter(document=document)
        .exclude(message__state=OutboxState.SENT)
        .select_related("message", "user__organization")
        .order_by("id")[:limit]
    )
