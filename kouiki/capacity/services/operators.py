"""Operator information (事業者情報, CAP-R1..R3; seed 002 2.1, 2.2, 2.7, 3.2).

CAP-R1  file_registration       the public application to use the system = 事業者情報登録申請: a
                                guest (the administrator's address) files it with its consent to
                                the capacity market terms; it goes straight to review
CAP-R2  find_registration       the applicant reopens it (受付番号 + 管理者メールアドレス) to see the
                                review state, and resubmit_registration corrects it after a hold
                                or a rejection
(staff) review                  reviews' hold / reject / approve; approval runs apply_registration
CAP-R3  notify_administrator_id inside the approval: the administrator ID mailed once (3.2.1); the
                                system-use contract exists from that moment (2.1.3)
CAP-R1  file_change /           a registered operator's change and deletion, each reviewed; the
        file_deletion           approval applies it as a new version whose predecessors stay
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.capacity import selectors
from kouiki.capacity.choices import BUSINESS_TYPES, OperatorStatus
from kouiki.capacity.models import Operator, OperatorVersion
from kouiki.capacity.selectors import OPERATOR_CHANGE, OPERATOR_DELETION, REGISTRATION
from kouiki.capacity.services.payloads import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    CONTACTS,
    OPERATOR_LABELS,
    admin_data,
    contact_key,
    differences,
    validate_operator_change,
    validate_operator_deletion,
    validate_registration,
)
from kouiki.core.catalog import implements
from kouiki.core.errors import Conflict, NotFound, ValidationFailed
from kouiki.core.systems import System
from kouiki.identity import selectors as identity_selectors
from kouiki.identity import services as identity_services
from kouiki.identity.access import require_staff
from kouiki.identity.choices import OrganizationStatus
from kouiki.identity.services import capacity_users as identity_capacity
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as reviews
from kouiki.terms import selectors as terms_selectors
from kouiki.terms import services as terms_services
from kouiki.terms.choices import DocumentKind

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application
    from kouiki.terms.models import TermsDocument

SYSTEM = System.CAPACITY
# The administrator ID of every participant (one per participant, seed 002 3.2.1).
ADMIN_LOGIN_ID = "adm001"
# 事業者コード of participants registered through the capacity market: from here upward.
CODE_FIRST = 9201
NO_TERMS = (
    "容量市場システム利用規約が公表されていないため、現在は利用申請を受け付けておりません。"
    "本機関にお問い合わせください。"
)
TERMS_CHANGED = (
    "容量市場システム利用規約が改定されました。改定後の規約をお読みのうえ、改めて同意してください。"
)
NOTHING_CHANGED = "変更内容がありません。変更する項目を入力してください。"


# --- terms ----------------------------------------------------------------------------------------


def current_terms() -> TermsDocument | None:
    """The capacity market terms in force (容量市場システム利用規約), None before any is published."""
    try:
        return terms_selectors.current(SYSTEM, DocumentKind.SYSTEM_TERMS)
    except NotFound:
        return None


def _consent(
    *, application: Application, email: str, document: TermsDocument | None, agreed_id: int | None
) -> None:
    """Record the consent to the version shown, unless this application agreed to it already."""
    if document is None:
        raise ValidationFailed(NO_TERMS, code="no_terms")
    if document.pk in terms_selectors.consented_document_ids(application=application):
        return
    if agreed_id != document.pk:
        raise ValidationFailed(errors={"consent": [TERMS_CHANGED]})
    terms_services.record_consent(document=document, applicant_email=email, application=application)


# --- CAP-R1 / R2: the application to use the system ------------------------------------------------


REGISTERED_NUMBER = "この法人番号の事業者は既に容量市場システムに登録されています。"


def _refuse_registered(corporate_number: str) -> None:
    if Operator.objects.filter(corporate_number=corporate_number, status=OperatorStatus.ACTIVE).exists():
        raise ValidationFailed(
            errors={
                "corporate_number": [
                    REGISTERED_NUMBER
                    + "登録内容の変更は、登録済みのユーザIDでログインして事業者情報変更申請を行ってください。"
                ]
            }
        )


def _refuse_others_number(operator: Operator, corporate_number: str, *, approving: bool = False) -> None:
    """A change may not take the 法人番号 of another operator using the system."""
    taken = (
        Operator.objects.filter(corporate_number=corporate_number, status=OperatorStatus.ACTIVE)
        .exclude(pk=operator.pk)
        .exists()
    )
    if not taken:
        return
    if approving:
        raise ValidationFailed(f"{REGISTERED_NUMBER}法人番号を変更する申請は承認できません。")
    raise ValidationFailed(errors={"corporate_number": [f"{REGISTERED_NUMBER}法人番号を確認してください。"]})


@implements("CAP-R1")
def file_registration(*, payload: Mapping[str, Any], agreed_terms_id: int | None) -> Application:
    """事業者情報登録申請 (= 利用申請, seed 002 2.1.1): validated, consented, submitted for review.

    Filed by a guest whose address is the administrator's: the administrator ID goes there once
    approved (2.1.2), and the applicant reopens the application with it and the 受付番号.
    `agreed_terms_id` is the terms version the screen showed and the applicant ticked; a version
    published in between is refused, to be read and agreed to first.
    """
    cleaned = validate_registration(dict(payload))
    _refuse_registered(cleaned["corporate_number"])
    document = current_terms()
    if document is None:
        raise ValidationFailed(NO_TERMS, code="no_terms")
    guest = reviews.Guest(cleaned["admin_email"])
    with transaction.atomic():
        application = reviews.create_draft(actor=guest, kind=REGISTRATION, payload=cleaned)
        _consent(application=application, email=guest.email, document=document, agreed_id=agreed_terms_id)
        return reviews.submit(actor=guest, application=application)


@implements("CAP-R1")
def find_registration(*, reception_number: str, email: str) -> Application:
    """The registration of this 受付番号 and 管理者メールアドレス; either wrong is the same NotFound.

    Once approved it belongs to the new organization and is seen after login (CAP-R2).
    """
    application = review_selectors.application_by_reception(reception_number=reception_number, email=email)
    if application.kind != REGISTRATION:
        raise NotFound("受付番号またはメールアドレスが正しくありません。")
    return application


@implements("CAP-R1")
def resubmit_registration(
    *, email: str, application: Application, payload: Mapping[str, Any], agreed_terms_id: int | None = None
) -> Application:
    """The applicant's correction after a hold or a rejection, filed again (→ resubmitted).

    Terms revised since the first filing must be agreed to again.
    """
    reviews.require_act("resubmit", application.state)
    cleaned = validate_registration(dict(payload))
    _refuse_registered(cleaned["corporate_number"])
    guest = reviews.Guest(email)
    with transaction.atomic():
        _consent(
            application=application,
            email=application.applicant_email,
            document=current_terms(),
            agreed_id=agreed_terms_id,
        )
        return reviews.resubmit(actor=guest, application=application, payload=cleaned)


def registration_recipients(application: Application) -> list[str]:
    """The applicant's address and the administrator's as now requested, when corrected."""
    addresses = [application.applicant_email, (application.payload or {}).get("admin_email") or ""]
    return list(dict.fromkeys(address for address in addresses if address))


# --- approval (the reviews' apply hooks) -----------------------------------------------------------


def _allocate_code() -> str:
    """The first free 4-digit 事業者コード from CODE_FIRST upward (then below it)."""
    taken = set(Operator.objects.values_list("organization__code", flat=True))
    for number in itertools.chain(range(CODE_FIRST, 10_000), range(1_000, CODE_FIRST)):
        code = f"{number:04d}"
        if code not in taken and identity_selectors.organization_by_code(code) is None:
            return code
    raise ValidationFailed("事業者コードに空きがないため承認できません。")


def _operator_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {name: payload.get(name) for name in COMPANY_FIELDS}
    fields["supplier_kinds"] = list(payload.get("supplier_kinds") or [])
    for number in CONTACTS:
        for name in CONTACT_FIELDS:
            key = contact_key(number, name)
            fields[key] = payload.get(key) or ""
    return fields


def _business_types(payload: Mapping[str, Any]) -> list[str]:
    return [BUSINESS_TYPES[kind] for kind in payload.get("supplier_kinds") or [] if kind in BUSINESS_TYPES]


def _version(*, operator: Operator, application: Application, actor: User, summary: str) -> OperatorVersion:
    return OperatorVersion.objects.create(
        operator=operator,
        version=operator.version,
        data=selectors.operator_snapshot(operator),
        summary=summary,
        reception_number=application.reception_number,
        approved_at=operator.updated_at,
        approved_by=actor,
    )


def apply_registration(application: Application, actor: User) -> None:
    """On approval: the organization (its 事業者コード allocated), the operator information (version
    1), the administrator ID mailed (CAP-R3) and the consents given to the new organization. An
    error here rolls the whole approval back."""
    payload = application.payload
    _refuse_registered(payload["corporate_number"])
    organization = identity_services.create_organization(
        actor=actor,
        code=_allocate_code(),
        corporate_number=payload["corporate_number"],
        name=payload["name"],
        name_kana=payload["name_kana"],
        business_types=_business_types(payload),
    )
    now = timezone.now()
    operator = Operator.objects.create(
        organization=organization,
        **_operator_fields(payload),
        registration_number=application.reception_number,
        registered_at=now,
        updated_at=now,
    )
    _version(operator=operator, application=application, actor=actor, summary="登録")
    record(
        actor=actor,
        action=Action.CAPACITY_OPERATOR_REGISTER,
        obj=operator,
        organization=organization,
        system=SYSTEM,
        detail={"reception_number": application.reception_number, "code": organization.code},
    )
    notify_administrator_id(actor=actor, operator=operator, application=application)
    terms_services.attach_consents(actor=actor, application=application, organization=organization)
    application.organization = organization


@implements("CAP-R3")
def notify_administrator_id(*, actor: User, operator: Operator, application: Application) -> Operator:
    """CAP-R3: create the administrator ID and mail it to the address of the application (2.1.2).

    The system-use contract exists from this notice (2.1.3). An administrator ID is issued once per
    participant (3.2.1, X-I1): a second issue is refused; a new administrator is appointed through
    user administration (CAP-U1).
    """
    require_staff(actor)
    if operator.contract_started_at is not None:
        raise Conflict(identity_capacity.ONE_ADMIN_ID, code="admin_id_issued")
    now = timezone.now()
    with transaction.atomic():
        user = identity_capacity.create_administrator(
            actor=actor,
            organization=operator.organization,
            login_id=ADMIN_LOGIN_ID,
            mail_context={"reception_number": application.reception_number, "contract_started_at": now},
            **admin_data(application.payload),
        )
        operator.administrator = user
        operator.admin_id_mailed_to = user.email
        operator.contract_started_at = now
        operator.save(update_fields=["administrator", "admin_id_mailed_to", "contract_started_at"])
        record(
            actor=actor,
            action=Action.CAPACITY_ADMIN_ID_NOTIFY,
            obj=operator,
            organization=operator.organization,
            system=SYSTEM,
            detail={
                "login_id": user.login_id,
                "to": user.email,
                "reception_number": application.reception_number,
            },
        )
    return operator


# --- CAP-R1: change and deletion by a registered operator -------------------------------------------


def _locked_operator(actor: User) -> Operator:
    """The actor's operator row, locked: an organization's requests are filed one at a time."""
    operator = selectors.operator_of(actor=actor)
    locked = Operator.objects.select_for_update().get(pk=operator.pk)
    if not locked.is_active:
        raise ValidationFailed("容量市場システムの利用は終了しています。")
    return locked


def refuse_if_open(actor: User, exclude_pk: int | None = None) -> None:
    pending = selectors.open_operator_application(actor=actor, exclude_pk=exclude_pk)
    if pending is not None:
        raise ValidationFailed(
            f"審査中の申請（受付番号 {pending.reception_number}）があります。事業者情報の変更・削除の申請は"
            "1件ずつ受け付けます。",
            code="request_pending",
        )


def _refuse_unchanged(current: Mapping[str, Any], requested: Mapping[str, Any]) -> None:
    if not differences(current, requested, OPERATOR_LABELS):
        raise ValidationFailed(NOTHING_CHANGED, code="nothing_changed")


@implements("CAP-R1")
def file_change(*, actor: User, payload: Mapping[str, Any]) -> Application:
    """事業者情報変更申請: the requested values, compared with the registered ones, for review."""
    cleaned = validate_operator_change(dict(payload))
    with transaction.atomic():
        operator = _locked_operator(actor)
        refuse_if_open(actor)
        current = selectors.operator_snapshot(operator)
        _refuse_unchanged(current, cleaned)
        _refuse_others_number(operator, cleaned["corporate_number"])
        application = reviews.create_draft(
            actor=actor, kind=OPERATOR_CHANGE, payload=cleaned, current=current
        )
        return reviews.submit(actor=actor, application=application)


def _refuse_sources(actor: User, operator: Operator) -> None:
    """The operator information goes last: its power sources are deleted first (each reviewed)."""
    registered = operator.power_sources.filter(status="registered").count()
    if registered:
        raise ValidationFailed(
            f"登録済みの電源等情報が{registered}件あります。先に電源等情報の削除申請を行い、"
            "すべて承認された後に事業者情報の削除を申請してください。",
            code="sources_registered",
        )
    if selectors.source_applications(actor=actor).filter(state__in=reviews.OPEN).exists():
        raise ValidationFailed(
            "審査中の電源等情報の申請があります。審査の完了後に事業者情報の削除を申請してください。",
            code="sources_pending",
        )


@implements("CAP-R1")
def file_deletion(*, actor: User, reason: str) -> Application:
    """事業者情報削除申請: the end of the system-use contract on the participant's request (2.7.1)."""
    cleaned = validate_operator_deletion({"reason": reason})
    with transaction.atomic():
        operator = _locked_operator(actor)
        refuse_if_open(actor)
        _refuse_sources(actor, operator)
        payload = {"name": operator.name, "reason": cleaned["reason"]}
        application = reviews.create_draft(
            actor=actor,
            kind=OPERATOR_DELETION,
            payload=payload,
            current=selectors.operator_snapshot(operator),
        )
        return reviews.submit(actor=actor, application=application)


@implements("CAP-R2")
def resubmit_request(*, actor: User, application: Application, payload: Mapping[str, Any]) -> Application:
    """A change or deletion corrected after a hold or a rejection, filed again."""
    reviews.require_act("resubmit", application.state)
    with transaction.atomic():
        operator = _locked_operator(actor)
        refuse_if_open(actor, exclude_pk=application.pk)
        if application.kind == OPERATOR_CHANGE:
            cleaned = validate_operator_change(dict(payload))
            _refuse_unchanged(selectors.operator_snapshot(operator), cleaned)
            _refuse_others_number(operator, cleaned["corporate_number"])
        else:
            _refuse_sources(actor, operator)
            cleaned = {**application.payload, **validate_operator_deletion(dict(payload))}
        return reviews.resubmit(actor=actor, application=application, payload=cleaned)


def _operator_for_approval(application: Application) -> Operator:
    operator = None
    if application.organization_id is not None:
        operator = (
            Operator.objects.select_for_update().filter(organization_id=application.organization_id).first()
        )
    if operator is None:
        raise ValidationFailed("申請した事業者の事業者情報が見つからないため承認できません。")
    if not operator.is_active:
        raise ValidationFailed("容量市場システムの利用を終了した事業者の申請は承認できません。")
    return operator


def apply_change(application: Application, actor: User) -> None:
    """On approval of a change: the requested values become the next version."""
    operator = _operator_for_approval(application)
    _refuse_others_number(operator, str(application.payload.get("corporate_number") or ""), approving=True)
    for name, value in _operator_fields(application.payload).items():
        setattr(operator, name, value)
    operator.version += 1
    operator.updated_at = timezone.now()
    operator.save()
    _version(operator=operator, application=application, actor=actor, summary="変更")
    identity_services.update_organization(
        actor=actor,
        organization=operator.organization,
        corporate_number=operator.corporate_number,
        name=operator.name,
        name_kana=operator.name_kana,
        business_types=_business_types(application.payload),
    )
    record(
        actor=actor,
        action=Action.CAPACITY_OPERATOR_CHANGE,
        obj=operator,
        organization=operator.organization,
        system=SYSTEM,
        detail={"reception_number": application.reception_number, "version": operator.version},
    )


def apply_deletion(application: Application, actor: User) -> None:
    """On approval of a deletion: the contract ends (2.7.1); the data and logs stay (2.7.4).

    The organization's users can no longer log in (identity's `end_membership`).
    """
    operator = _operator_for_approval(application)
    registered = operator.power_sources.filter(status="registered").count()
    if registered:
        raise ValidationFailed(f"登録済みの電源等情報が{registered}件あるため承認できません。")
    # Source filings stop while a deletion waits (sources._locked_operator); any left from before
    # would be stranded once the operator ends.
    pending = selectors.open_source_application_count(actor=actor, operator=operator)
    if pending:
        raise ValidationFailed(
            f"審査中の電源等情報の申請が{pending}件あるため承認できません。"
            "先にそれらの審査を完了してください。",
            code="sources_pending",
        )
    now = timezone.now()
    operator.status = OperatorStatus.ENDED
    operator.contract_ended_at = now
    operator.version += 1
    operator.updated_at = now
    operator.save()
    _version(operator=operator, application=application, actor=actor, summary="削除（利用終了）")
    identity_services.end_membership(
        actor=actor,
        organization=operator.organization,
        status=OrganizationStatus.WITHDRAWN,
        reason=f"容量市場システム利用契約の終了（事業者情報削除申請 {application.reception_number}）",
    )
    record(
        actor=actor,
        action=Action.CAPACITY_OPERATOR_DELETE,
        obj=operator,
        organization=operator.organization,
        system=SYSTEM,
        detail={"reception_number": application.reception_number},
    )
