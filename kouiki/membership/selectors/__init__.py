"""Reads of member information (MEM-I1..I6), scoped to the actor: a member sees its own
organization's, the organization's staff every member's. Another organization's object is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound
from kouiki.identity.access import is_staff, organization_of, require_staff
from kouiki.identity.choices import BusinessType, OrganizationStatus
from kouiki.membership.models import MemberProfile, MembershipCertificate
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as reviews

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

# The application kinds of member information (registered in kouiki/membership/services/review_changes.py).
CHANGE = "membership.change"  # MEM-I4 会員情報変更
SUCCESSION = "membership.succession"  # MEM-I5 承継
WITHDRAWAL = "membership.withdrawal"  # MEM-I6 脱退
REQUEST_KINDS = (CHANGE, SUCCESSION, WITHDRAWAL)

# The company fields of a change request, in the order of the screens (seed 003 chapter 4, 5).
COMPANY_LABELS: dict[str, str] = {
    "business_types": "事業者種別",
    "corporate_number": "法人番号",
    "name": "会社名",
    "name_kana": "会社名カナ",
    "phone": "代表電話番号",
    "representative_last_name": "代表者名（姓）",
    "representative_first_name": "代表者名（名）",
    "representative_last_name_kana": "代表者名カナ（セイ）",
    "representative_first_name_kana": "代表者名カナ（メイ）",
    "representative_title": "代表者肩書",
    "postal_code": "本社郵便番号",
    "address1": "本社所在地1",
    "address2": "本社所在地2",
    "address1_kana": "本社所在地1カナ",
    "address2_kana": "本社所在地2カナ",
    "capital_relationship": "資本関係",
    "parent_share_ratio": "親会社の持株比率（%）",
}
COMPANY_FIELDS = tuple(COMPANY_LABELS)
# Administrator ① / ② fields; in a payload they are "admin1_<field>" and "admin2_<field>".
ADMIN_LABELS: dict[str, str] = {
    "user_id": "ユーザID",
    "department_title": "所属・役職",
    "last_name": "氏名（姓）",
    "first_name": "氏名（名）",
    "last_name_kana": "氏名カナ（セイ）",
    "first_name_kana": "氏名カナ（メイ）",
    "email": "メールアドレス",
    "phone": "電話番号",
    "other": "その他",
}
ADMIN_FIELDS = tuple(ADMIN_LABELS)
# The profile fields of a user account (identity's PROFILE_FIELDS: everything but the user ID).
ADMIN_PROFILE_FIELDS = tuple(field for field in ADMIN_FIELDS if field != "user_id")
SLOTS = (1, 2)
SLOT_NAMES = {1: "管理者①", 2: "管理者②"}


def admin_key(slot: int, field: str) -> str:
    return f"admin{slot}_{field}"


def change_labels() -> dict[str, str]:
    """Japanese labels of every key of a change payload, in screen order."""
    labels = dict(COMPANY_LABELS)
    for slot in SLOTS:
        for field, label in ADMIN_LABELS.items():
            labels[admin_key(slot, field)] = f"{SLOT_NAMES[slot]} {label}"
    return labels


def business_type_labels(codes: list[str] | None) -> list[str]:
    labels = dict(BusinessType.choices)
    return [str(labels.get(code, code)) for code in codes or []]


def ratio_text(value: Any) -> str | None:
    """A shareholding ratio as stored in payloads: "51.00", or None when there is none."""
    if value is None or value == "":
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def sorted_business_types(codes: list[str]) -> list[str]:
    """Business types in the order of their choices, so that two selections compare equal."""
    order = {code: index for index, code in enumerate(BusinessType.values)}
    return sorted(set(codes), key=lambda code: order.get(code, len(order)))


# --- member information --------------------------------------------------------------------------


def _profiles() -> QuerySet[MemberProfile]:
    return MemberProfile.objects.select_related("organization", "administrator1", "administrator2")


@implements("MEM-I2")
def member_profile_for(*, actor: User) -> MemberProfile | None:
    """The member information of the actor's organization (None for an organization without one)."""
    return _profiles().filter(organization_id=organization_of(actor)).first()


def profile_of(*, organization_id: int) -> MemberProfile | None:
    """The member information of one organization, for services that already checked the actor."""
    return _profiles().filter(organization_id=organization_id).first()


def administrator_values(user: User | None) -> dict[str, str]:
    """An administrator's fields as a change payload holds them ({} when the slot is empty)."""
    if user is None:
        return {}
    values = {"user_id": user.login_id}
    values.update({field: getattr(user, field) or "" for field in ADMIN_PROFILE_FIELDS})
    return values


def snapshot(profile: MemberProfile) -> dict[str, Any]:
    """What is registered now, in the shape of a change payload (the reviewer's "current")."""
    values: dict[str, Any] = {field: getattr(profile, field) for field in COMPANY_FIELDS}
    values["business_types"] = sorted_business_types(list(profile.business_types or []))
    values["parent_share_ratio"] = ratio_text(profile.parent_share_ratio)
    values["address2"] = values["address2"] or ""
    values["address2_kana"] = values["address2_kana"] or ""
    values["capital_relationship"] = values["capital_relationship"] or ""
    for slot, user in ((1, profile.administrator1), (2, profile.administrator2)):
        admin = administrator_values(user)
        for field in ADMIN_FIELDS:
            values[admin_key(slot, field)] = admin.get(field, "")
    return values


@dataclass(frozen=True)
class MemberInfo:
    """Member information as the screens show it (seed 003 4.2 会員情報確認)."""

    profile: MemberProfile
    company: list[tuple[str, str]]
    # (管理者① / 管理者②, rows or None when the slot is empty)
    administrators: list[tuple[str, list[tuple[str, str]] | None]]


def _admin_rows(user: User | None) -> list[tuple[str, str]] | None:
    if user is None:
        return None
    return [
        ("ユーザID", user.login_id),
        ("所属・役職", user.department_title),
        ("氏名", user.display_name),
        ("氏名カナ", user.display_name_kana),
        ("メールアドレス", user.email),
        ("電話番号", user.phone),
        ("その他", user.other),
    ]


def member_info(profile: MemberProfile) -> MemberInfo:
    ratio = ratio_text(profile.parent_share_ratio)
    member_since = profile.organization.member_since
    company = [
        ("事業者コード", profile.organization.code),
        ("事業者種別", "、".join(business_type_labels(profile.business_types))),
        ("法人番号", profile.corporate_number),
        ("会社名", profile.name),
        ("会社名カナ", profile.name_kana),
        ("代表電話番号", profile.phone),
        ("代表者名", profile.representative_name),
        ("代表者名カナ", profile.representative_name_kana),
        ("代表者肩書", profile.representative_title),
        ("本社郵便番号", profile.postal_code),
        ("本社所在地1", profile.address1),
        ("本社所在地2", profile.address2),
        ("本社所在地1カナ", profile.address1_kana),
        ("本社所在地2カナ", profile.address2_kana),
        ("資本関係", profile.capital_relationship),
        ("親会社の持株比率", f"{ratio}%" if ratio is not None else ""),
        ("会員加入日", f"{member_since:%Y/%m/%d}" if member_since else ""),
    ]
    return MemberInfo(
        profile=profile,
        company=company,
        administrators=[
            (SLOT_NAMES[1], _admin_rows(profile.administrator1)),
            (SLOT_NAMES[2], _admin_rows(profile.administrator2)),
        ],
    )


@dataclass(frozen=True)
class Version:
    """One approved version of the member information: what changed from the version before."""

    version: int
    at: Any
    by: str
    summary: str
    # (label, before, after) of the company fields that changed
    changes: list[tuple[str, str, str]]


def _history_value(record: Any, field: str) -> str:
    value = getattr(record, field)
    if field == "business_types":
        return "、".join(business_type_labels(value))
    if field == "parent_share_ratio":
        return ratio_text(value) or ""
    return "" if value is None else str(value)


def history_of(profile: MemberProfile) -> list[Version]:
    """Every saved version of the member information, newest first (MemberProfile.history)."""
    records = list(profile.history.select_related("history_user").order_by("history_date", "history_id"))
    versions: list[Version] = []
    previous = None
    for record in records:
        changes: list[tuple[str, str, str]] = []
        if previous is not None:
            for field, label in COMPANY_LABELS.items():
                before, after = _history_value(previous, field), _history_value(record, field)
                if before != after:
                    changes.append((label, before, after))
        user = record.history_user
        by = ""
        if user is not None:
            by = "本機関" if is_staff(user) else (user.display_name or user.login_id)
        versions.append(
            Version(
                version=record.version,
                at=record.history_date,
                by=by,
                summary=record.history_change_reason or ("登録" if previous is None else ""),
                changes=changes,
            )
        )
        previous = record
    versions.reverse()
    return versions


# --- change, succession and withdrawal requests ----------------------------------------------------


def change_requests_for(
    *,
    actor: User,
    state: str | None = None,
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[Application]:
    """MEM-I3: the organization's change, succession and withdrawal requests, newest first."""
    organization_of(actor)
    return review_selectors.applications_for(
        actor=actor, state=state, date_from=date_from, date_to=date_to
    ).filter(kind__in=REQUEST_KINDS)


def change_request_for(*, actor: User, pk: int) -> Application:
    """One request of the actor's organization, with its history; anything else is NotFound."""
    application = review_selectors.application_for(actor=actor, pk=pk)
    if application.kind not in REQUEST_KINDS:
        raise NotFound()
    return application


def open_request_for(*, actor: User, exclude_pk: int | None = None) -> Application | None:
    """The organization's open request, if there is one: an organization has at most one at a time
    (an open application blocks another, `kouiki.reviews.services.OPEN`)."""
    found = change_requests_for(actor=actor).filter(state__in=reviews.OPEN)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()


# --- proofs of membership (加入証跡) ------------------------------------------------------------------


def certificates_for(*, actor: User) -> QuerySet[MembershipCertificate]:
    """The proofs of membership issued to the actor's organization, newest first."""
    return MembershipCertificate.objects.filter(organization_id=organization_of(actor)).order_by(
        "-issued_at", "-id"
    )


def certificate_for(*, actor: User, number: str) -> MembershipCertificate:
    certificate = certificates_for(actor=actor).filter(number=number).first()
    if certificate is None:
        raise NotFound()
    return certificate


@dataclass(frozen=True)
class Verification:
    """What the public verification page may say about an issue number: the certificate's facts."""

    number: str
    organization_name: str
    organization_code: str
    member_since: Any
    issued_at: Any
    still_member: bool


def verify_certificate(*, number: str) -> Verification | None:
    """The facts a certificate states, and whether its organization is still a member; anyone."""
    number = number.strip().upper()
    certificate = MembershipCertificate.objects.select_related("organization").filter(number=number).first()
    if certificate is None:
        return None
    return Verification(
        number=certificate.number,
        organization_name=certificate.organization_name,
        organization_code=certificate.organization_code,
        member_since=certificate.member_since,
        issued_at=certificate.issued_at,
        still_member=certificate.organization.status == OrganizationStatus.ACTIVE,
    )


# --- the back office -----------------------------------------------------------------------------------


def members(*, actor: User, query: str = "", status: str = "") -> QuerySet[MemberProfile]:
    """Every member organization (one with member information), by 事業者コード; staff only.

    `query` matches the 事業者コード exactly or the company name or its kana as a substring.
    """
    require_staff(actor)
    found = MemberProfile.objects.select_related("organization", "administrator1")
    if query:
        query = query.strip()
        found = found.filter(
            Q(organization__code=query)
            | Q(organization__name__icontains=query)
            | Q(name__icontains=query)
            | Q(name_kana__icontains=query)
        )
    if status:
        found = found.filter(organization__status=status)
    return found.order_by("organization__code")


def member_for_staff(*, actor: User, code: str) -> MemberProfile:
    require_staff(actor)
    profile = _profiles().filter(organization__code=code).first()
    if profile is None:
        raise NotFound()
    return profile


def member_applications(*, actor: User, organization_id: int) -> QuerySet[Application]:
    """Every application of one organization (join, change, succession, ...), newest first; staff only."""
    return (
        review_selectors.review_queue(actor=actor)
        .filter(organization_id=organization_id)
        .order_by("-created_at", "-id")
    )


def member_certificates(*, actor: User, organization_id: int) -> QuerySet[MembershipCertificate]:
    require_staff(actor)
    return (
        MembershipCertificate.objects.filter(organization_id=organization_id)
        .select_related("issued_by")
        .order_by("-issued_at", "-id")
    )


@dataclass(frozen=True)
class MemberSummary:
    """What other apps (general meetings, fees) need to know of a member."""

    organization_id: int
    code: str
    name: str
    electronic_notice_consent: bool


def active_members() -> list[MemberSummary]:
    """Every member organization with filed member information that is still a member, by code."""
    profiles = (
        MemberProfile.objects.filter(organization__status="active")
        .select_related("organization")
        .order_by("organization__code")
    )
    return [
        MemberSummary(
            organization_id=profile.organization_id,
            code=profile.organization.code,
            name=profile.organization.name,
            electronic_notice_consent=profile.electronic_notice_consent,
        )
        for profile in profiles
    ]


def electronic_notice_consents(organization_ids: list[int]) -> dict[int, bool]:
    """定款第25条: whether each member consented to receive convocations by e-mail (absent: no)."""
    consents = dict(
        MemberProfile.objects.filter(organization_id__in=organization_ids).values_list(
            "organization_id", "electronic_notice_consent"
        )
    )
    return {pk: bool(consents.get(pk, False)) for pk in organization_ids}
