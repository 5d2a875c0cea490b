"""Recording consents to terms documents (X-T1). Every consent is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from kouiki.audit.services import record
from kouiki.core import request_context
from kouiki.core.errors import ValidationFailed
from kouiki.terms.models import Consent, TermsDocument

if TYPE_CHECKING:
    from kouiki.identity.models import Organization, User
    from kouiki.reviews.models import Application


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
            action="terms.consent",
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
                action="terms.consent_attach",
                obj=application,
                organization=organization,
                detail={"reception_number": application.reception_number, "consents": attached},
            )
    return attached
