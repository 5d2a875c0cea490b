"""Choices of identity's models, importable by other apps without touching the models."""

from __future__ import annotations

from django.db import models


class BusinessType(models.TextChoices):
    """事業者種別, as on the main-application screen of seed 003 (grouped in `BUSINESS_GROUPS`)."""

    GENERAL_TD = "general_td", "一般送配電"
    TRANSMISSION = "transmission", "送電"
    DISTRIBUTION = "distribution", "配電"
    SPECIFIED_TD = "specified_td", "特定送配電"
    RETAIL = "retail", "小売電気"
    NEW_SPECIFIED_TD = "new_specified_td", "新規特定送配電"
    GENERATION = "generation", "発電"
    SPECIFIED_GENERATION = "specified_generation", "特定発電"


BUSINESS_GROUPS: list[tuple[str, list[BusinessType]]] = [
    (
        "送配電事業者グループ",
        [
            BusinessType.GENERAL_TD,
            BusinessType.TRANSMISSION,
            BusinessType.DISTRIBUTION,
            BusinessType.SPECIFIED_TD,
        ],
    ),
    ("小売電気事業者グループ", [BusinessType.RETAIL, BusinessType.NEW_SPECIFIED_TD]),
    ("発電事業者グループ", [BusinessType.GENERATION, BusinessType.SPECIFIED_GENERATION]),
]


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", "有効"
    SUSPENDED = "suspended", "利用中断"
    SUCCEEDED = "succeeded", "承継済"
    WITHDRAWN = "withdrawn", "脱退済"


class ParticipantKind(models.TextChoices):
    """本システム利用者の区分 of the switching system (seed 001 2.1.1): a retailer or a demand-response
    contractor, each under its own contract and 事業者コード (ADR 22). Other systems' enrollments keep
    the default, which means nothing there."""

    RETAILER = "retailer", "小売電気事業者"
    DR_CONTRACTOR = "dr_contractor", "需要抑制契約者"
    # 受託者 (X-I2): a company that acts for participants under their grants, none of its own.
    CONTRACTOR = "contractor", "受託者"


class StaffRole(models.TextChoices):
    """What a member of the organization's staff may do in the back office (issue 15)."""

    REVIEWER = "reviewer", "審査担当"
    SWITCHING = "switching", "スイッチング業務担当"
    CAPACITY = "capacity", "容量市場業務担当"
    STAFF_ADMIN = "staff_admin", "職員管理者"


class Duty(models.TextChoices):
    """担当業務 of a member-system user (seed 003, chapter 3)."""

    ASSEMBLY = "assembly", "総会"
    EQUIPMENT = "equipment", "資機材"
    SECURITY = "security", "セキュリティ"
    FEES = "fees", "会費"
    CAPACITY = "capacity", "容量市場"


# The unique key Django's auth and django-axes see for an account.


def participant_username(organization_code: str, login_id: str) -> str:
    """One user of one organization: user IDs are unique within an organization only."""
    return f"{organization_code}:{login_id}"


def staff_username(login_id: str) -> str:
    return f"staff:{login_id}"


class UseState(models.TextChoices):
    """A participant's use of one system (X-S2, X-S3): no `SystemUse` row means in use."""

    ACTIVE = "active", "利用中"
    TERMINATION_REQUESTED = "termination_requested", "利用終了申請中"
    SUSPENDED = "suspended", "利用中断"
    TERMINATED = "terminated", "利用終了"


class CertificateState(models.TextChoices):
    """A client certificate's state (X-C1): registered by the participant's administrator, approved
    by staff, revoked on loss or theft (or by staff)."""

    PENDING = "pending", "承認待ち"
    ACTIVE = "active", "有効"
    REJECTED = "rejected", "却下"
    REVOKED = "revoked", "失効"


class TerminationGround(models.TextChoices):
    """終了事由 of a participant's contract of one system (X-S3): its own request (2.7.1) or one of the
    grounds on which the organization may end it, as each system's terms list them (2.7.2)."""

    REQUEST = "request", "本システム利用者からの終了の申請"
    LAW_CHANGE = "law_change", "電気事業法の改定により本システムで託送供給等契約の受付ができなくなった"
    REGISTRATION_REVOKED = "registration_revoked", "小売電気事業者の登録の取消しを受けた"
    MEMBERSHIP_LOST = "membership_lost", "本機関の会員を脱退した又は会員としての権利が停止した"
    DR_CONTRACT_ENDED = "dr_contract_ended", "需要抑制量調整供給契約が終了し、又は当事者たる地位を喪失した"
    NOT_ELIGIBLE = "not_eligible", "「2.1 本システムの利用者」の利用者の条件に該当しなくなった"
    PROHIBITED_ACT = "prohibited_act", "「2.5 禁止行為」を行った"
    ANTISOCIAL = "antisocial", "反社会的勢力に属することが判明した"


# The grounds of 2.7.2 of each system's terms on which staff end a contract, in the terms' order
# (seed 001 for switching, seed 002 for capacity). The member system has none here: its use ends
# with the membership (withdrawal, succession: kouiki.membership), seed 000 2.7.1.
TERMINATION_GROUNDS: dict[str, tuple[TerminationGround, ...]] = {
    "switching": (
        TerminationGround.LAW_CHANGE,
        TerminationGround.REGISTRATION_REVOKED,
        TerminationGround.MEMBERSHIP_LOST,
        TerminationGround.DR_CONTRACT_ENDED,
        TerminationGround.PROHIBITED_ACT,
        TerminationGround.ANTISOCIAL,
    ),
    "capacity": (
        TerminationGround.NOT_ELIGIBLE,
        TerminationGround.PROHIBITED_ACT,
        TerminationGround.ANTISOCIAL,
    ),
}
# The systems whose use staff may suspend (利用の中断, 2.6 of every system's terms); of these, only
# those in TERMINATION_GROUNDS end by a termination of their own.
SUSPENDABLE_SYSTEMS = ("member", "switching", "capacity")
