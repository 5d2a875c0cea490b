"""Terms documents (X-T1): consents, and the back office's new versions and their publication.

Every consent and every change is audited. Publishing a version mails every active user of its
system through the outbox, one row per user, in the transaction that publishes it (seed 002 1.3.3:
within 30 days of the change; docs/decisions/0013-terms-notices-service-hours.md).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import request_context
from kouiki.core.catalog import implements
from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import System
from kouiki.identity.access import require_staff
from kouiki.identity.selectors import active_system_users
from kouiki.terms import selectors
from kouiki.terms.choices import CHANGE_MAIL_DEADLINE_DAYS, SYSTEM_DOCUMENT_KINDS, DocumentKind
from kouiki.terms.models import ChangeMail, Consent, TermsDocument

if TYPE_CHECKING:
    from kouiki.identity.models import Organization, User
    from kouiki.reviews.models import Application

MAX_BODY_CHARS = 200_000


@implements("X-T1")
def record_consent(
    *,
    document: TermsDocument,
    organization: Organization | None = None,
    user: User | None = None,
    applicant_email: str = "",
    application: Application | None = None,
) -> Consent:
    """Record that a party agreed to this version of a document, now, from the request's address.

    Seed 000 2.1.2: the system-use contract starts at the click on 「本利用規約に同意する」, so the
    time of the consent is the time of that request. Only a published version can be agreed to.
    """
    if document.published_at is None or document.published_at > timezone.now():
        raise ValidationFailed("公表されていない規約には同意できません。")
    applicant_email = applicant_email.strip()
    if organization is None and user is None and application is None and not applicant_email:
        raise ValidationFailed("同意した事業者または申請者を指定してください。")
    with transaction.atomic():
        consent = Consent.objects.create(
            document=document,
            organization=organization,
            user=user,
            applicant_email=applicant_email,
            application=application,
            consented_at=timezone.now(),
            ip=request_context.current().ip or None,
        )
        detail: dict[str, str] = {
            "system": document.system,
            "kind": document.kind,
            "version": document.version,
        }
        if application is not None:
            detail["reception_number"] = application.reception_number
        record(
            actor=user,
            action=Action.TERMS_CONSENT,
            obj=consent,
            organization=organization,
            system=document.system,
            detail=detail,
            actor_label="" if user is not None else applicant_email,
        )
    return consent


def attach_consents(*, actor: User | None, application: Application, organization: Organization) -> int:
    """Give the consents of an approved join application to the organization it created.

    The consent itself (document, time, address) is unchanged: only whose it is becomes known.
    """
    with transaction.atomic():
        attached = Consent.objects.filter(application=application, organization__isnull=True).update(
            organization=organization
        )
        if attached:
            record(
                actor=actor,
                action=Action.TERMS_CONSENT_ATTACH,
                obj=application,
                organization=organization,
                detail={"reception_number": application.reception_number, "consents": attached},
            )
    return attached


@implements("X-T1")
def consent_to_current_terms(
    *,
    system: str,
    shown_document_id: int | None,
    organization: Organization | None = None,
    user: User | None = None,
    applicant_email: str = "",
    application: Application | None = None,
) -> Consent:
    """Record consent to the system terms in force, as the screen showed them.

    `shown_document_id` is the version the form displayed (`TermsConsentForm.shown_document_id()`):
    when a new version came into force meanwhile, the consent is refused (code "terms_revised") so
    that the user reads the new text first. Call it inside the caller's transaction.
    """
    document = selectors.current_terms(system)
    if shown_document_id is not None and shown_document_id != document.pk:
        raise ValidationFailed(
            "利用規約が改定されました。改定後の利用規約をお読みのうえ、改めて同意してください。",
            code="terms_revised",
            field="agree",
        )
    return record_consent(
        document=document,
        organization=organization,
        user=user,
        applicant_email=applicant_email,
        application=application,
    )


# --- the back office: versions, drafts, publication (X-T1) --------------------------------------


class VersionContent(TypedDict):
    """What staff write of a version of a document: its 版, 表題, 本文, 施行日 and the summary of the
    change that the mail to the users quotes."""

    version: str
    title: str
    body: str
    effective_date: dt.date
    summary: NotRequired[str]


def _clean_fields(*, system: str, kind: str, content: VersionContent) -> dict[str, Any]:
    """The version's fields as stored, or every error at once."""
    errors: dict[str, list[str]] = {}
    effective_date = content["effective_date"]
    if system not in SYSTEM_DOCUMENT_KINDS:
        errors["system"] = ["システムを選択してください。"]
    elif kind not in SYSTEM_DOCUMENT_KINDS[system]:
        errors["kind"] = [f"{System(system).label}にはこの種類の文書はありません。"]
    version, title, body = content["version"].strip(), content["title"].strip(), content["body"].strip()
    if not version:
        errors["version"] = ["版を入力してください（例: Ver. 1.1）。"]
    if not title:
        errors["title"] = ["表題を入力してください。"]
    if not body:
        errors["body"] = ["本文を入力してください。"]
    elif len(body) > MAX_BODY_CHARS:
        errors["body"] = [f"本文が長すぎます（{MAX_BODY_CHARS:,}文字まで）。"]
    if effective_date < timezone.localdate():
        errors["effective_date"] = ["施行日は本日以降の日付を入力してください。"]
    if errors:
        raise ValidationFailed(errors=errors)
    return {
        "system": system,
        "kind": kind,
        "version": version,
        "title": title,
        "body": body + "\n",
        "effective_date": effective_date,
        "summary": content.get("summary", "").strip(),
    }


def _duplicate_version() -> ValidationFailed:
    return ValidationFailed("この版は既に登録されています。別の版を入力してください。", field="version")


@implements("X-T1")
def create_version(
    *, actor: User, system: str, kind: str, **content: Unpack[VersionContent]
) -> TermsDocument:
    """Staff register a new version as a draft: not shown, not consented to, nobody mailed yet."""
    require_staff(actor)
    fields = _clean_fields(system=system, kind=kind, content=content)
    try:
        with transaction.atomic():
            document = TermsDocument.objects.create(**fields)
            record(
                actor=actor,
                action=Action.TERMS_VERSION_CREATE,
                obj=document,
                system=system,
                detail={"kind": kind, "version": document.version},
            )
    except IntegrityError:
        raise _duplicate_version() from None
    return document


def update_draft(*, actor: User, document: TermsDocument, **content: Unpack[VersionContent]) -> TermsDocument:
    """Staff correct a draft; a published version is never edited (a change is a new version)."""
    require_staff(actor)
    fields = _clean_fields(system=document.system, kind=document.kind, content=content)
    try:
        with transaction.atomic():
            updated = TermsDocument.objects.filter(pk=document.pk, published_at__isnull=True).update(**fields)
            if not updated:
                raise InvalidTransition("公表済みの版は修正できません。新しい版を登録してください。")
            record(
                actor=actor,
                action=Action.TERMS_VERSION_UPDATE,
                obj=document,
                system=document.system,
                detail={"kind": document.kind, "version": fields["version"]},
            )
    except IntegrityError:
        raise _duplicate_version() from None
    document.refresh_from_db()
    return document


def delete_draft(*, actor: User, document: TermsDocument) -> None:
    """Staff delete a draft registered by mistake; a published version stays forever."""
    require_staff(actor)
    with transaction.atomic():
        deleted, _ = TermsDocument.objects.filter(pk=document.pk, published_at__isnull=True).delete()
        if not deleted:
            raise InvalidTransition("公表済みの版は削除できません。")
        record(
            actor=actor,
            action=Action.TERMS_VERSION_DELETE,
            system=document.system,
            detail={"kind": document.kind, "version": document.version, "id": document.pk},
        )


@implements("X-T1")
def publish_version(*, actor: User, document: TermsDocument) -> int:
    """Staff publish a draft: it is shown from now on (in force from its effective date), and every
    active user of its system is mailed that the terms changed (seed 002 1.3.3, seed 000/001 alike).

    One outbox row per user, written with the publication in one transaction: the mails exist
    exactly when the new version does, and each one's state is counted in the back office.
    Returns how many users were mailed.
    """
    require_staff(actor)
    now = timezone.now()
    if document.effective_date < timezone.localdate(now):
        raise ValidationFailed(
            "施行日が過ぎています。施行日を本日以降に修正してから公表してください。", field="effective_date"
        )
    with transaction.atomic():
        updated = TermsDocument.objects.filter(pk=document.pk, published_at__isnull=True).update(
            published_at=now, published_by=actor, change_mailed=True
        )
        if not updated:
            raise InvalidTransition("この版は公表済みです。")
        document.refresh_from_db()
        url = settings.SITE_URL + reverse("terms:document", args=[document.pk])
        system_name = System(document.system).label
        deadline = timezone.localdate(now) + dt.timedelta(days=CHANGE_MAIL_DEADLINE_DAYS)
        mails = []
        for user in active_system_users(system=document.system).iterator(chunk_size=500):
            message = queue_mail(
                to=user.email,
                template="terms/mail/changed",
                context={
                    "system_name": system_name,
                    "organization_name": user.organization.name if user.organization else "",
                    "user_name": user.display_name or user.login_id,
                    "document": document,
                    "kind_label": DocumentKind(document.kind).label,
                    "url": url,
                },
            )
            mails.append(ChangeMail(document=document, user=user, email=user.email, message=message))
        ChangeMail.objects.bulk_create(mails, batch_size=500)
        record(
            actor=actor,
            action=Action.TERMS_VERSION_PUBLISH,
            obj=document,
            system=document.system,
            detail={
                "kind": document.kind,
                "version": document.version,
                "effective_date": document.effective_date.isoformat(),
                "mailed": len(mails),
                "deadline": deadline.isoformat(),
            },
        )
    return len(mails)
