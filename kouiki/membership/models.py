"""The member system's own records: member information (with its history), the 事業者コード
issued to a joining applicant, and proofs of membership.

Applications (join, change, succession, withdrawal) are `reviews.Application` rows of the kinds
this app registers (kouiki/membership/services/review_changes.py and review_join.py); the
organization and its users belong to identity.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class MemberProfile(models.Model):
    """会員情報: the company information a member has filed (seed 003, 1.4 and chapter 4).

    `history` keeps every approved version, which the member can see.
    """

    organization = models.OneToOneField(
        "identity.Organization",
        on_delete=models.PROTECT,
        related_name="member_profile",
        verbose_name="事業者",
    )
    corporate_number = models.CharField("法人番号", max_length=13)
    business_types = models.JSONField("事業者種別", default=list)
    name = models.CharField("会社名", max_length=200)
    name_kana = models.CharField("会社名カナ", max_length=200)
    phone = models.CharField("代表電話番号", max_length=20)
    representative_last_name = models.CharField("代表者名（姓）", max_length=50)
    representative_first_name = models.CharField("代表者名（名）", max_length=50)
    representative_last_name_kana = models.CharField("代表者名カナ（セイ）", max_length=50)
    representative_first_name_kana = models.CharField("代表者名カナ（メイ）", max_length=50)
    representative_title = models.CharField("代表者肩書", max_length=100)
    postal_code = models.CharField("本社郵便番号", max_length=7)
    address1 = models.CharField("本社所在地1", max_length=200)
    address2 = models.CharField("本社所在地2", max_length=200, blank=True)
    address1_kana = models.CharField("本社所在地1カナ", max_length=200)
    address2_kana = models.CharField("本社所在地2カナ", max_length=200, blank=True)
    capital_relationship = models.CharField("資本関係", max_length=500, blank=True)
    parent_share_ratio = models.DecimalField(
        "親会社の持株比率（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    # 総会招集通知の電磁的方法利用許諾 (定款第25条): convocations by e-mail only with this consent.
    electronic_notice_consent = models.BooleanField("総会招集通知の電磁的方法による受領", default=False)
    # Administrators ① and ② (seed 003: 管理者1, 管理者2); their accounts are identity users.
    administrator1 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="管理者①",
        null=True,
        blank=True,
    )
    administrator2 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="管理者②",
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    history = HistoricalRecords(excluded_fields=["updated_at"], verbose_name="会員情報の履歴")

    class Meta:
        verbose_name = "会員情報"
        verbose_name_plural = "会員情報"

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @property
    def representative_name(self) -> str:
        return f"{self.representative_last_name} {self.representative_first_name}".strip()

    @property
    def representative_name_kana(self) -> str:
        return f"{self.representative_last_name_kana} {self.representative_first_name_kana}".strip()


class CodeAssignment(models.Model):
    """事業者マスタ登録: the 4-digit 事業者コード the organization issues to a provisional application."""

    application = models.OneToOneField(
        "reviews.Application",
        on_delete=models.PROTECT,
        related_name="code_assignment",
        verbose_name="加入申請",
    )
    code = models.CharField("事業者コード", max_length=4, unique=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登録者"
    )
    assigned_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "事業者コードの発番"
        verbose_name_plural = "事業者コードの発番"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{4}$"), name="code_assignment_4_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.code


def new_certificate_number() -> str:
    """An unguessable issue number, grouped for reading aloud: XXXX-XXXX-XXXX-XXXX."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class MembershipCertificate(models.Model):
    """加入証跡: one issued proof of membership, checkable by its number on a public page."""

    number = models.CharField("発行番号", max_length=19, unique=True, default=new_certificate_number)
    organization = models.ForeignKey(
        "identity.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="事業者"
    )
    # What the certificate states, as it was stated: the verification page shows exactly this.
    organization_name = models.CharField("会社名", max_length=200)
    organization_code = models.CharField("事業者コード", max_length=4)
    member_since = models.DateField("加入日")
    issued_at = models.DateTimeField("発行日時", default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="発行者",
    )

    class Meta:
        verbose_name = "加入証跡"
        verbose_name_plural = "加入証跡"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number
