"""Joining the organization (会員加入, seed 003 chapter 1; FUNCTIONS.md MEM-J1..J5).

MEM-J1  加入申請リンク確認  request_join_link: a mail with a signed link, valid LINK_MAX_AGE
MEM-J2  加入(仮)申請        file_provisional: a reviews Application left in *draft* (= provisional),
                            the consents to the three documents, a mail with the 受付番号
MEM-J3  受付表示            the screen after file_provisional
(staff) 事業者マスタ登録    assign_code: the 4-digit 事業者コード, mailed to the applicant
MEM-J4  加入(本)申請        submit_main: draft → submitted (after a hold or a rejection:
                            → resubmitted), the code checked against the issued one
(staff) 審査                reviews' hold / reject / approve; approval runs apply_approval
MEM-J5  仮申請の失効        expire_provisional: a draft older than a year expires (seed 000 2.7.2 ④)
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import japanese
from kouiki.core.catalog import implements
from kouiki.core.errors import InvalidTransition, KouikiError, NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import System
from kouiki.identity import selectors as identity_selectors
from kouiki.identity import services as identity_services
from kouiki.identity.access import require_staff
from kouiki.membership.models import CodeAssignment, MemberProfile
from kouiki.membership.selectors.join import code_for, code_in_use, is_provisional
from kouiki.membership.services.review_join import (
    ADMINISTRATORS,
    COMPANY_FIELDS,
    KIND,
    admin_data,
    clean_payload,
    has_admin,
    recipients,
)
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as reviews
from kouiki.terms import selectors as terms_selectors
from kouiki.terms import services as terms_services
from kouiki.terms.choices import MEMBER_JOIN_DOCUMENTS

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application
    from kouiki.terms.models import TermsDocument

logger = logging.getLogger(__name__)

LINK_SALT = "kouiki.membership.join.link"
# How long the mailed link to the provisional application stays valid.
LINK_MAX_AGE = dt.timedelta(days=settings.KOUIKI_JOIN_LINK_DAYS)
MAIN_PATH = "/member/join/main/"
EXPIRY_REASON = (
    "加入（仮）申請から1年以内に加入（本）申請が行われなかったため、"
    "会員情報管理システム利用規約 2.7.2 ④により失効しました。"
)
# Seed 003 1.4: these must register the refund bank account (還元額の返還口座) after joining.
REFUND_ACCOUNT_TYPES = frozenset({"retail", "specified_td", "new_specified_td"})


class JoinLinkExpired(KouikiError):
    code = "join_link_expired"
    status = 400
    default_message = (
        "このURLは有効期限が切れています。お手数ですが、加入申請リンク確認から改めてURLを取得してください。"
    )


class JoinLinkInvalid(KouikiError):
    code = "join_link_invalid"
    status = 400
    default_message = (
        "このURLは正しくありません。メールに記載されたURLを、途中で改行されていないかご確認のうえ"
        "開いてください。"
    )


@dataclass(frozen=True)
class JoinLink:
    """What the mailed link proves: who asked for it, and when."""

    email: str
    name: str
    issued_at: dt.datetime

    @property
    def expires_at(self) -> dt.datetime:
        return self.issued_at + LINK_MAX_AGE


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- MEM-J1 ------------------------------------------------------------------------------------


@implements("MEM-J1")
def request_join_link(*, email: str, name: str) -> str:
    """Mail the provisional-application URL to `email` (seed 003 1.2) and return its token.

    Anyone may ask (the screen answers the same whatever the address); the link is signed and
    expires after LINK_MAX_AGE, so only who reads that mailbox can file a provisional application.
    """
    email = japanese.normalize_email(email)
    name = name.strip()
    token = signing.dumps({"e": email, "n": name}, salt=LINK_SALT, compress=True)
    link = read_join_link(token)
    with transaction.atomic():
        queue_mail(
            to=email,
            template="membership/mail/join_link",
            context={
                "name": name,
                "url": _site(f"/member/join/provisional/{token}/"),
                "expires_at": timezone.localtime(link.expires_at),
                "days": LINK_MAX_AGE.days,
                "site_url": settings.SITE_URL,
            },
            sensitive=True,
        )
        record(
            actor=None,
            action=Action.MEMBERSHIP_JOIN_LINK,
            system=System.MEMBER,
            actor_label=email,
            detail={"email": email},
        )
    return token


@implements("MEM-J2")
def read_join_link(token: str) -> JoinLink:
    """The link's content; JoinLinkExpired or JoinLinkInvalid (tampered, truncated) otherwise."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise JoinLinkExpired() from error
    except (signing.BadSignature, ValueError) as error:
        raise JoinLinkInvalid() from error
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise JoinLinkInvalid()
    # A verified token is "<value>:<timestamp>:<signature>", the timestamp in base 62.
    issued_at = dt.datetime.fromtimestamp(signing.b62_decode(token.rsplit(":", 2)[1]), tz=dt.UTC)
    return JoinLink(email=data["e"], name=str(data.get("n", "")), issued_at=issued_at)


# --- consents -----------------------------------------------------------------------------------


def join_documents() -> list[TermsDocument]:
    """The versions in force of the three documents an applicant agrees to (seed 003 1.4)."""
    return terms_selectors.current_documents(System.MEMBER, MEMBER_JOIN_DOCUMENTS)


def documents_to_consent(application: Application | None = None) -> list[TermsDocument]:
    """The documents in force not yet agreed to for this application (all of them for a new one).

    A document revised between the provisional and the main application is asked for again.
    """
    documents = join_documents()
    if application is None:
        return documents
    agreed = terms_selectors.consented_document_ids(application=application)
    return [document for document in documents if document.pk not in agreed]


def consent_key(document: TermsDocument) -> str:
    return f"consent_{document.kind}"


def _record_consents(
    *, application: Application, email: str, agreed: Collection[int], required: list[TermsDocument]
) -> None:
    missing = {
        consent_key(document): [f"「{document.title}」に同意してください。"]
        for document in required
        if document.pk not in agreed
    }
    if missing:
        raise ValidationFailed(errors=missing)
    for document in required:
        terms_services.record_consent(document=document, applicant_email=email, application=application)


# --- MEM-J2 / J3 --------------------------------------------------------------------------------


@implements("MEM-J2")
def file_provisional(
    *, link: JoinLink, payload: Mapping[str, Any], agreed_document_ids: Collection[int]
) -> Application:
    """加入(仮)申請: a draft application, the consents, and a mail with the 受付番号.

    The application is filed by a guest whose address is administrator ①'s (seed 003 1.4: the main
    application is reopened with the 受付番号 and 管理者①メールアドレス). The consents are recorded
    with the version and the time of this request: the system-use contract starts here (seed 000
    2.1.2). `agreed_document_ids` are the versions the screen showed and the applicant ticked; a
    version published in between is refused, to be read and agreed to first.
    """
    cleaned = clean_payload(payload, main=False)
    cleaned.pop("organization_code", None)
    cleaned["electronic_notice_consent"] = True
    email = cleaned["admin1_email"]
    with transaction.atomic():
        application = reviews.create_draft(
            actor=reviews.Guest(email), kind=KIND, payload=cleaned, current=cleaned
        )
        documents = join_documents()
        _record_consents(application=application, email=email, agreed=agreed_document_ids, required=documents)
        main_url = _site(MAIN_PATH)
        queue_mail(
            to=_unique([email, link.email]),
            template="membership/mail/join_received",
            context={
                "application": application,
                "reception_number": application.reception_number,
                "company_name": cleaned["name"],
                "documents": documents,
                "consented_at": timezone.localtime(),
                "main_url": main_url,
                "site_url": settings.SITE_URL,
            },
        )
    return application


def _unique(addresses: list[str]) -> list[str]:
    found: list[str] = []
    for address in addresses:
        if address and address.casefold() not in {item.casefold() for item in found}:
            found.append(address)
    return found


# --- 事業者マスタ登録 (staff) ----------------------------------------------------------------------


@implements("MEM-J4")
def assign_code(*, actor: User, application: Application, code: str) -> CodeAssignment:
    """Issue the 4-digit 事業者コード to a provisional application and mail it to the applicant.

    Seed 003 1.1 step 5-6: after the ministry's approval the applicant asks for 事業者マスタ登録 and
    receives its 事業者コード from the organization. A code used by an organization or issued to
    another application is refused.
    """
    require_staff(actor, "事業者コードの登録は本機関の職員のみ行えます。")
    if application.kind != KIND:
        raise NotFound()
    code = japanese.normalize_organization_code(code or "")
    try:
        japanese.validate_organization_code(code)
    except DjangoValidationError as error:
        raise ValidationFailed(errors={"code": list(error.messages)}) from error
    existing = code_for(application)
    if existing is not None:
        raise ValidationFailed(f"この加入申請には事業者コード {existing} が発番済みです。")
    if not is_provisional(application):
        raise InvalidTransition("事業者コードは加入（本）申請前の仮申請にのみ発番できます。")
    used_by = identity_selectors.organization_by_code(code)
    if used_by is not None:
        raise ValidationFailed(
            f"事業者コード {code} は既に事業者「{used_by.name}」が使用しています。"
            "別のコードを入力してください。",
            field="code",
        )
    other = code_in_use(code)
    if other is not None:
        raise ValidationFailed(
            f"事業者コード {code} は他の加入申請（受付番号 {other}）に発番済みです。"
            "別のコードを入力してください。",
            field="code",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = CodeAssignment.objects.create(
                    application=application, code=code, assigned_by=actor, assigned_at=timezone.now()
                )
        except IntegrityError as error:
            # Two staff members at the same moment: the unique constraints decide.
            raise ValidationFailed(
                f"事業者コード {code} は他の加入申請に発番済みか、この申請には発番済みです。"
                "画面を開き直してください。",
                field="code",
            ) from error
        record(
            actor=actor,
            action=Action.MEMBERSHIP_CODE_ASSIGN,
            obj=assignment,
            system=System.MEMBER,
            detail={"reception_number": application.reception_number, "code": code},
        )
        queue_mail(
            to=recipients(application),
            template="membership/mail/join_code_issued",
            context={
                "application": application,
                "reception_number": application.reception_number,
                "company_name": application.subject,
                "code": code,
                "main_url": _site(MAIN_PATH),
                "site_url": settings.SITE_URL,
            },
        )
    return assignment


# --- MEM-J4 -------------------------------------------------------------------------------------


@implements("MEM-J4")
def find_for_main(*, reception_number: str, email: str) -> Application:
    """The join application of this 受付番号 and 管理者①メールアドレス (seed 003 1.4); either wrong
    is the same NotFound."""
    application = review_selectors.application_by_reception(reception_number=reception_number, email=email)
    if application.kind != KIND:
        raise NotFound("受付番号またはメールアドレスが正しくありません。")
    return application


def main_act(application: Application) -> str | None:
    """How the main application is filed: "submit" the provisional one the first time, "resubmit"
    after a hold or a rejection (seed 003 1.1: 保留・却下の場合は理由に応じて申請内容を更新); None
    when it cannot be filed."""
    return reviews.filing_act(application.state)


@implements("MEM-J4")
def submit_main(
    *,
    email: str,
    application: Application,
    payload: Mapping[str, Any],
    code: str,
    agreed_document_ids: Collection[int] = (),
) -> Application:
    """加入(本)申請: the corrected data with the issued 事業者コード, filed for review.

    The code must be the one issued to this application; none issued yet is refused with the
    reason. A document revised since the provisional application must be agreed to again.
    """
    act = main_act(application)
    if act is None:
        raise InvalidTransition(
            f"状態が「{review_selectors.state_label(application.state)}」の申請は本申請できません。"
        )
    code = japanese.normalize_organization_code(code or "")
    issued = code_for(application)
    errors = code_problems(application, code)
    data = dict(payload)
    data["organization_code"] = issued or code
    data["electronic_notice_consent"] = True
    try:
        cleaned = clean_payload(data, main=True)
    except ValidationFailed as error:
        raise ValidationFailed(errors={**error.errors, **errors}) from error
    if errors:
        raise ValidationFailed(errors=errors)
    guest = reviews.Guest(email)
    with transaction.atomic():
        _record_consents(
            application=application,
            email=application.applicant_email,
            agreed=agreed_document_ids,
            required=documents_to_consent(application),
        )
        if act == "submit":
            return reviews.submit(actor=guest, application=application, payload=cleaned)
        return reviews.resubmit(actor=guest, application=application, payload=cleaned)


def code_problems(application: Application, code: str) -> dict[str, list[str]]:
    """Whether `code` is the 事業者コード issued to the application (the main application's screen
    asks it with the fields' own errors)."""
    issued = code_for(application)
    errors: dict[str, list[str]] = {}
    if issued is None:
        errors["organization_code"] = [
            "事業者コードがまだ発番されていません。本機関から事業者コードの連絡があった後に本申請を行ってください。"
        ]
    elif code != issued:
        errors["organization_code"] = [
            "事業者コードが正しくありません。本機関から連絡された4桁の事業者コードを入力してください。"
        ]
    return errors


def needs_refund_account(payload: Mapping[str, Any]) -> bool:
    """Retailers and (registered) specified T&D operators register a refund account later (seed 003 1.4)."""
    return bool(REFUND_ACCOUNT_TYPES & set(payload.get("business_types") or []))


# --- approval (reviews' apply hook) ---------------------------------------------------------------


def apply_approval(*, application: Application, actor: User) -> None:
    """Create what the approved application asks for, inside the approval's transaction.

    The organization with the issued code (member since the day of approval), its member
    information (version 1), administrator ① and ② (identity mails each its password), and the
    consents given to the new organization. An error here rolls the approval back.
    """
    code = code_for(application)
    if code is None:
        raise ValidationFailed("事業者コードが発番されていないため承認できません。")
    payload = application.payload
    if identity_selectors.organization_by_code(code) is not None:
        raise ValidationFailed(
            f"事業者コード {code} は既に他の事業者が使用しているため承認できません。"
            "事業者マスタ登録の内容を確認してください。"
        )
    if payload.get("organization_code") != code:
        raise ValidationFailed("申請の事業者コードが発番した事業者コードと一致しないため承認できません。")
    organization = identity_services.create_organization(
        actor=actor,
        code=code,
        corporate_number=payload["corporate_number"],
        name=payload["name"],
        name_kana=payload["name_kana"],
        business_types=list(payload["business_types"]),
        member_since=timezone.localdate(),
    )
    administrators = []
    for number in ADMINISTRATORS:
        if not has_admin(payload, number):
            continue
        profile = admin_data(payload, number)
        login_id = profile.pop("user_id")
        administrators.append(
            identity_services.create_administrator(
                actor=actor, organization=organization, login_id=login_id, system=System.MEMBER, **profile
            )
        )
    ratio = payload.get("parent_share_ratio")
    member_profile = MemberProfile(
        organization=organization,
        **{
            name: payload.get(name) or ""
            for name in COMPANY_FIELDS
            if name not in {"business_types", "parent_share_ratio"}
        },
        business_types=list(payload["business_types"]),
        parent_share_ratio=Decimal(str(ratio)) if ratio not in (None, "") else None,
        electronic_notice_consent=bool(payload.get("electronic_notice_consent")),
        administrator1=administrators[0],
        administrator2=administrators[1] if len(administrators) > 1 else None,
        version=1,
        updated_at=timezone.now(),
    )
    member_profile._history_user = actor  # type: ignore[attr-defined]  # django-simple-history
    member_profile.save()
    record(
        actor=actor,
        action=Action.MEMBERSHIP_PROFILE_CREATE,
        obj=member_profile,
        organization=organization,
        system=System.MEMBER,
        detail={"reception_number": application.reception_number, "version": 1},
    )
    terms_services.attach_consents(actor=actor, application=application, organization=organization)
    application.organization = organization


# --- MEM-J5 -------------------------------------------------------------------------------------


def one_year_before(moment: dt.datetime) -> dt.datetime:
    """The same wall-clock time a year earlier in Japan (29 February → 28 February)."""
    local = timezone.localtime(moment)
    try:
        return local.replace(year=local.year - 1)
    except ValueError:
        return local.replace(year=local.year - 1, day=28)


@implements("MEM-J5")
def expire_provisional(*, now: dt.datetime | None = None) -> list[str]:
    """Expire the provisional applications filed more than a year ago without a main application.

    Seed 000 2.7.2 ④: the system-use contract ends when no main application follows the provisional
    one within a year. Each expiry is its own transaction and mails the applicant; one that changed
    meanwhile (filed at the last moment) is skipped. Returns the reception numbers expired.
    """
    cutoff = one_year_before(now or timezone.now())
    expired = []
    for application in review_selectors.stale_applications(kind=KIND, created_before=cutoff):
        try:
            reviews.expire(application=application, reason=EXPIRY_REASON)
        except InvalidTransition:
            logger.info("Join application %s changed before it could expire", application.reception_number)
            continue
        expired.append(application.reception_number)
    if expired:
        logger.info("Expired join applications: %s", ", ".join(expired))
    return expired
