"""Organizations (事業者), their users, the systems each user is enrolled in, and staff accounts."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kouiki.core.systems import Role, System
from kouiki.identity.choices import (
    BUSINESS_GROUPS,
    BusinessType,
    CertificateState,
    Duty,
    OrganizationStatus,
    ParticipantKind,
    StaffRole,
    UseState,
    staff_username,
)

# Re-exported: identity's own modules and tests import them from here.
__all__ = ["BUSINESS_GROUPS", "AccountKind", "BusinessType", "Duty", "OrganizationStatus"]


class Organization(models.Model):
    """A participant company (事業者), identified by its 4-digit 事業者コード."""

    code = models.CharField("事業者コード", max_length=4, unique=True)
    corporate_number = models.CharField("法人番号", max_length=13)
    name = models.CharField("会社名", max_length=200)
    name_kana = models.CharField("会社名カナ", max_length=200)
    business_types = models.JSONField("事業者種別", default=list, blank=True)
    status = models.CharField(
        "状態", max_length=16, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField("状態変更日時", null=True, blank=True)
    member_since = models.DateField("会員加入日", null=True, blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "事業者"
        verbose_name_plural = "事業者"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{4}$"), name="organization_code_4_digits"),
            models.CheckConstraint(
                condition=Q(corporate_number__regex=r"^[0-9]{13}$"),
                name="organization_corporate_number_13_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.ACTIVE

    def business_type_labels(self) -> list[str]:
        labels = dict(BusinessType.choices)
        return [str(labels.get(value, value)) for value in self.business_types]


class AccountKind(models.TextChoices):
    PARTICIPANT = "participant", "事業者ユーザ"
    STAFF = "staff", "本機関職員"


class UserManager(BaseUserManager["User"]):
    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        """Superusers are staff accounts with Django-admin rights (manage.py createsuperuser): the
        first account of a deployment, with every back-office role (issue 15) unless told otherwise,
        so that it can register the other staff (職員管理)."""
        login_id = username.removeprefix("staff:")
        extra.setdefault("staff_roles", [role.value for role in StaffRole])
        user = self.model(
            username=staff_username(login_id),
            login_id=login_id,
            kind=AccountKind.STAFF,
            is_superuser=True,
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a participant's user (one organization) or a staff member."""

    username = models.CharField("認証キー", max_length=40, unique=True, editable=False)
    kind = models.CharField(
        "種別", max_length=16, choices=AccountKind.choices, default=AccountKind.PARTICIPANT
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="事業者",
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    login_id = models.CharField("ユーザID", max_length=20)
    department_title = models.CharField("所属・役職", max_length=100, blank=True)
    last_name = models.CharField("氏名（姓）", max_length=50, blank=True)
    first_name = models.CharField("氏名（名）", max_length=50, blank=True)
    last_name_kana = models.CharField("氏名カナ（セイ）", max_length=50, blank=True)
    first_name_kana = models.CharField("氏名カナ（メイ）", max_length=50, blank=True)
    email = models.EmailField("メールアドレス", blank=True)
    phone = models.CharField("電話番号", max_length=20, blank=True)
    other = models.CharField("その他", max_length=200, blank=True)
    duties = models.JSONField("担当業務", default=list, blank=True)
    # The back-office roles of a member of the organization's staff (StaffRole values; issue 15).
    staff_roles = models.JSONField("職員権限", default=list, blank=True)

    is_active = models.BooleanField("有効", default=True)
    date_joined = models.DateTimeField("登録日時", default=timezone.now)
    previous_login = models.DateTimeField("前回ログイン日時", null=True, blank=True)
    # When its administrator last enabled it (SW-U09): the period without use starts anew.
    enabled_at = models.DateTimeField("有効化日時", null=True, blank=True)
    password_changed_at = models.DateTimeField("パスワード変更日時", default=timezone.now)
    # A password that someone else chose or mailed must be replaced at the next login.
    must_change_password = models.BooleanField("パスワード変更要", default=False)
    # Only the demo accounts are exempt from the 90-day rule (README: demo passwords do not expire).
    password_expiry_exempt = models.BooleanField("パスワード期限なし", default=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "ユーザ"
        verbose_name_plural = "ユーザ"
        ordering = ["organization__code", "login_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "login_id"], name="user_login_id_unique_in_organization"
            ),
            models.CheckConstraint(
                condition=(Q(kind=AccountKind.PARTICIPANT) & Q(organization__isnull=False))
                | (Q(kind=AccountKind.STAFF) & Q(organization__isnull=True)),
                name="user_participant_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.login_id

    @property
    def is_staff(self) -> bool:  # type: ignore[override]
        """Django admin access: superusers only (the back office is for staff)."""
        return self.is_superuser

    @property
    def is_kouiki_staff(self) -> bool:
        return self.kind == AccountKind.STAFF

    @property
    def display_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def display_name_kana(self) -> str:
        return f"{self.last_name_kana} {self.first_name_kana}".strip()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.last_name or self.login_id

    def duty_labels(self) -> list[str]:
        labels = dict(Duty.choices)
        return [str(labels.get(value, value)) for value in self.duties]


class Enrollment(models.Model):
    """A user's role in one system: the same person model serves every system with its own rules."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrollments")
    system = models.CharField("システム", max_length=16, choices=System.choices)
    role = models.CharField("権限", max_length=8, choices=Role.choices, default=Role.USER)
    # 本システム利用者の区分: what the user's organization is in the switching system (ADR 22). It
    # decides the catalog's code R or D; one kind per organization (services hold it).
    participant_kind = models.CharField(
        "利用者区分", max_length=16, choices=ParticipantKind.choices, default=ParticipantKind.RETAILER
    )
    # 利用者権限 (SW-U11): the catalog functions of the system a user (not an administrator) may use,
    # chosen by its administrator; None: every function its organization's kind may use (ADR 26).
    functions = models.JSONField("利用可能機能", null=True, blank=True, default=None)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "システム利用登録"
        verbose_name_plural = "システム利用登録"
        constraints = [
            models.UniqueConstraint(fields=["user", "system"], name="enrollment_one_per_system"),
            models.CheckConstraint(
                condition=Q(participant_kind=ParticipantKind.RETAILER)
                | Q(
                    participant_kind__in=[ParticipantKind.DR_CONTRACTOR, ParticipantKind.CONTRACTOR],
                    system=System.SWITCHING,
                ),
                name="enrollment_dr_contractor_only_in_switching",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.system} {self.role}"


class ContractorGrant(models.Model):
    """受託者 (X-I2): a participant lets another registered company act for it in a system, for
    chosen functions, from a day, until revoked or until ``valid_until``. What the contractor's
    users do is the principal's act; audit and ledger rows name both."""

    principal = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="contractor_grants", verbose_name="委託者"
    )
    contractor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="principal_grants", verbose_name="受託者"
    )
    system = models.CharField("システム", max_length=16, choices=System.choices, default=System.SWITCHING)
    functions = models.JSONField("委託する機能", default=list)
    valid_from = models.DateField("開始日")
    valid_until = models.DateField("終了日", null=True, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="登録者")
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    revoked_at = models.DateTimeField("取消日時", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="取消者"
    )

    class Meta:
        verbose_name = "業務委託"
        verbose_name_plural = "業務委託"
        constraints = [
            models.CheckConstraint(
                condition=~Q(principal=models.F("contractor")), name="contractor_grant_not_self"
            ),
            models.UniqueConstraint(
                fields=["principal", "contractor", "system"],
                condition=Q(revoked_at__isnull=True),
                name="contractor_grant_one_open",
            ),
        ]
        indexes = [models.Index(fields=["contractor", "system"], name="contractor_grant_contractor")]

    def __str__(self) -> str:
        return f"{self.contractor_id} → {self.principal_id} {self.system}"


class PasswordHistory(models.Model):
    """Hashes of a user's passwords, newest first: the last generations may not be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "パスワード履歴"
        verbose_name_plural = "パスワード履歴"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A user's API token (ARCHITECTURE.md, "The API conventions"): its caller has the user's rights.

    Only the SHA-256 of the secret is kept; the secret is shown once, when it is issued. The
    user's administrator issues and revokes it (kouiki.identity.services.tokens).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="ユーザ")
    system = models.CharField("システム", max_length=16, choices=System.choices, default=System.SWITCHING)
    name = models.CharField("名称", max_length=100)
    # The first characters of the secret, to tell tokens apart on the screen.
    prefix = models.CharField("先頭文字", max_length=12)
    token_hash = models.CharField("ハッシュ", max_length=64, unique=True)
    created_at = models.DateTimeField("発行日時", default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="発行者"
    )
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="失効者"
    )

    class Meta:
        verbose_name = "APIトークン"
        verbose_name_plural = "APIトークン"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SystemUse(models.Model):
    """A participant's use of one system when it is not plainly in use (no row: in use). Staff suspend
    it (利用の中断, X-S2) and lift the suspension; its administrator asks to end it and staff complete
    the termination, or staff end it on a ground the system's terms list (X-S3). The access layer
    refuses a suspended or terminated participant in that system; the row keeps the latest decision,
    the audit log every step."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="system_uses", verbose_name="事業者"
    )
    system = models.CharField("システム", max_length=16, choices=System.choices)
    state = models.CharField("利用状態", max_length=24, choices=UseState.choices, default=UseState.ACTIVE)
    reason = models.TextField("理由", blank=True)
    # 終了事由: one of the grounds of the system's terms (services say which), for a termination.
    ground = models.CharField("終了事由", max_length=32, blank=True)
    since = models.DateTimeField("開始日時", default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="決定者"
    )
    # A termination asked for by the participant's administrator (seed 001 2.7.1).
    requested_at = models.DateTimeField("終了申請日時", null=True, blank=True)
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="終了申請者"
    )
    terminated_at = models.DateTimeField("利用終了日時", null=True, blank=True)

    class Meta:
        verbose_name = "システム利用状態"
        verbose_name_plural = "システム利用状態"
        constraints = [
            models.UniqueConstraint(fields=["organization", "system"], name="system_use_one_per_system"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.system} {self.state}"


class ClientCertificate(models.Model):
    """A client certificate (X-C1): one per client (terminal) of a participant, for the switching and
    capacity systems. Its administrator registers it (the PEM of a certificate the designated issuer
    issued), staff approve it; a lost or stolen one is reported and revoked at once, and the CRL the
    proxy reads lists it. The proxy verifies the certificate; the app matches its fingerprint."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="client_certificates", verbose_name="事業者"
    )
    name = models.CharField("クライアント名", max_length=100)
    subject = models.CharField("サブジェクト", max_length=500)
    issuer = models.CharField("発行者", max_length=500)
    serial = models.CharField("シリアル番号", max_length=64)
    # SHA-256 of the DER certificate, 64 lowercase hex digits (what the proxy passes on).
    fingerprint = models.CharField("フィンガープリント", max_length=64, unique=True)
    not_before = models.DateTimeField("有効期間（開始）")
    not_after = models.DateTimeField("有効期間（終了）")
    pem = models.TextField("証明書（PEM）")
    state = models.CharField(
        "状態", max_length=16, choices=CertificateState.choices, default=CertificateState.PENDING
    )
    registered_at = models.DateTimeField("登録日時", default=timezone.now)
    registered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="登録者"
    )
    decided_at = models.DateTimeField("承認・却下日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="承認・却下者"
    )
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="失効者"
    )
    revocation_reason = models.CharField("失効理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "クライアント証明書"
        verbose_name_plural = "クライアント証明書"
        ordering = ["-registered_at", "-id"]
        indexes = [models.Index(fields=["organization", "state"], name="client_cert_org_state")]

    def __str__(self) -> str:
        return f"{self.name} {self.fingerprint[:16]}…"


class RequestLimit(models.Model):
    """A tighter request limit staff set for one participant in one system (利用の制限, X-S1: access
    above a set limit), with the reason the participant is told; no row: the system's default."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="request_limits", verbose_name="事業者"
    )
    system = models.CharField("システム", max_length=16, choices=System.choices)
    # As KOUIKI_API_RATE: "<count>/<period>", e.g. "60/m".
    rate = models.CharField("上限", max_length=16)
    reason = models.TextField("理由")
    set_at = models.DateTimeField("設定日時", default=timezone.now)
    set_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="設定者"
    )

    class Meta:
        verbose_name = "利用制限"
        verbose_name_plural = "利用制限"
        constraints = [
            models.UniqueConstraint(fields=["organization", "system"], name="request_limit_one_per_system"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.system} {self.rate}"
