"""The capacity market system's own records (seed 002): operator information (事業者情報) and power
source information (電源等情報), each with the history of its approved versions.

What a participant asks for (registration, change, deletion) is a `reviews.Application` of one of
the kinds this app registers (kouiki/capacity/services/review_types.py); these rows hold only what the
organization approved. The organization and its users belong to identity.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kouiki.capacity.choices import (
    MAX_CAPACITY_KW,
    Area,
    GenerationType,
    OperatorStatus,
    Ownership,
    SourceCategory,
    SourceOwnership,
    SourceStatus,
)


class Operator(models.Model):
    """事業者情報: a participant of the capacity market system (seed 002 2.1, 2.2 参加登録)."""

    organization = models.OneToOneField(
        "identity.Organization",
        verbose_name="事業者",
        on_delete=models.PROTECT,
        related_name="capacity_operator",
    )
    status = models.CharField(
        "状態", max_length=16, choices=OperatorStatus.choices, default=OperatorStatus.ACTIVE
    )
    corporate_number = models.CharField("法人番号", max_length=13)
    name = models.CharField("会社名", max_length=200)
    name_kana = models.CharField("会社名カナ", max_length=200)
    postal_code = models.CharField("本社郵便番号", max_length=7)
    address = models.CharField("本社所在地", max_length=200)
    phone = models.CharField("代表電話番号", max_length=20)
    representative_title = models.CharField("代表者役職", max_length=100)
    representative_name = models.CharField("代表者氏名", max_length=100)
    representative_name_kana = models.CharField("代表者氏名カナ", max_length=100)
    supplier_kinds = models.JSONField("電気供給事業者の種別", default=list)
    source_ownership = models.CharField("応札に用いる電源等", max_length=16, choices=SourceOwnership.choices)
    # seed 002 2.1.1: the two conditions of use, confirmed by the applicant.
    bid_intent = models.BooleanField("容量オークションに応札する意思", default=False)
    client_certificate = models.BooleanField("クライアント証明書の取得", default=False)
    contact1_department = models.CharField("担当者①所属", max_length=100)
    contact1_name = models.CharField("担当者①氏名", max_length=100)
    contact1_name_kana = models.CharField("担当者①氏名カナ", max_length=100)
    contact1_phone = models.CharField("担当者①電話番号", max_length=20)
    contact1_email = models.EmailField("担当者①メールアドレス")
    contact2_department = models.CharField("担当者②所属", max_length=100, blank=True)
    contact2_name = models.CharField("担当者②氏名", max_length=100, blank=True)
    contact2_name_kana = models.CharField("担当者②氏名カナ", max_length=100, blank=True)
    contact2_phone = models.CharField("担当者②電話番号", max_length=20, blank=True)
    contact2_email = models.EmailField("担当者②メールアドレス", blank=True)
    # CAP-R3: the administrator ID notified once (seed 002 3.2.1), to the address of the application.
    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="管理者",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    admin_id_mailed_to = models.EmailField("管理者ID通知先", blank=True)
    # Seed 002 2.1.3: the system-use contract exists from the moment the administrator ID is notified.
    contract_started_at = models.DateTimeField("本システム利用契約の成立日時（管理者ID通知日時）", null=True)
    contract_ended_at = models.DateTimeField("本システム利用契約の終了日時", null=True, blank=True)
    registration_number = models.CharField("登録申請の受付番号", max_length=24)
    registered_at = models.DateTimeField("登録日時", default=timezone.now)
    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "事業者情報"
        verbose_name_plural = "事業者情報"
        ordering = ["organization__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OperatorStatus.values), name="capacity_operator_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(corporate_number__regex=r"^[0-9]{13}$"),
                name="capacity_operator_corporate_number",
            ),
            models.CheckConstraint(
                condition=Q(contract_started_at__isnull=True) | ~Q(admin_id_mailed_to=""),
                name="capacity_operator_notice_addressed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OperatorStatus.ACTIVE


class ReviewedVersion(models.Model):
    """One version a review approved, as it was: the history users see of a record."""

    version = models.PositiveIntegerField("版")
    # The values of this version, keyed as the application payload (kouiki/capacity/services/payloads.py).
    data = models.JSONField("内容", encoder=DjangoJSONEncoder)
    summary = models.CharField("内容の要約", max_length=100)
    reception_number = models.CharField("受付番号", max_length=24)
    approved_at = models.DateTimeField("承認日時", default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承認者",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        abstract = True


class OperatorVersion(ReviewedVersion):
    """One approved version of an operator's information, as it was (the history users see)."""

    operator = models.ForeignKey(
        Operator, verbose_name="事業者情報", on_delete=models.CASCADE, related_name="versions"
    )

    class Meta:
        verbose_name = "事業者情報の版"
        verbose_name_plural = "事業者情報の版"
        ordering = ["operator", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "version"], name="capacity_operator_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id} 第{self.version}版"


class PowerSource(models.Model):
    """電源等情報: one power source an operator bids with in the capacity auction.

    The field list and its reasons: docs/decisions/0012-power-source-registry.md.
    """

    operator = models.ForeignKey(
        Operator, verbose_name="事業者", on_delete=models.PROTECT, related_name="power_sources"
    )
    # 電源等識別番号: "P" + 7 digits, issued when the registration is approved.
    source_id = models.CharField("電源等識別番号", max_length=8, unique=True)
    status = models.CharField(
        "状態", max_length=16, choices=SourceStatus.choices, default=SourceStatus.REGISTERED
    )
    name = models.CharField("電源等の名称", max_length=100)
    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    location = models.CharField("所在地", max_length=200)
    category = models.CharField("電源等の区分", max_length=24, choices=SourceCategory.choices)
    generation_type = models.CharField("発電方式等", max_length=24, choices=GenerationType.choices)
    installed_capacity_kw = models.PositiveIntegerField("設備容量（kW）")
    expected_capacity_kw = models.PositiveIntegerField("期待容量（kW）", null=True, blank=True)
    # 受電地点特定番号 (22 digits, the area code first); an aggregate has one per member instead.
    receiving_point_number = models.CharField("受電地点特定番号", max_length=22, blank=True)
    grid_connection = models.CharField("系統連系点", max_length=100, blank=True)
    connection_voltage_kv = models.DecimalField(
        "連系電圧（kV）", max_digits=5, decimal_places=1, null=True, blank=True
    )
    ownership = models.CharField("保有区分", max_length=8, choices=Ownership.choices)
    owner_name = models.CharField("保有者名", max_length=200, blank=True)
    operation_start = models.DateField("運転開始（予定）日", null=True, blank=True)
    registration_number = models.CharField("登録申請の受付番号", max_length=24)
    registered_at = models.DateTimeField("登録日時", default=timezone.now)
    deleted_at = models.DateTimeField("削除日時", null=True, blank=True)
    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "電源等情報"
        verbose_name_plural = "電源等情報"
        ordering = ["source_id"]
        indexes = [
            models.Index(fields=["operator", "status", "source_id"], name="capacity_source_operator"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(source_id__regex=r"^P[0-9]{7}$"), name="capacity_source_id"),
            models.CheckConstraint(
                condition=Q(status__in=SourceStatus.values), name="capacity_source_status"
            ),
            models.CheckConstraint(
                condition=Q(installed_capacity_kw__gte=1, installed_capacity_kw__lte=MAX_CAPACITY_KW),
                name="capacity_source_installed_range",
            ),
            models.CheckConstraint(
                condition=Q(expected_capacity_kw__isnull=True)
                | Q(expected_capacity_kw__lte=models.F("installed_capacity_kw")),
                name="capacity_source_expected_le_installed",
            ),
            # One receiving point belongs to one registered source: it cannot be bid twice.
            models.UniqueConstraint(
                fields=["receiving_point_number"],
                condition=Q(status=SourceStatus.REGISTERED) & ~Q(receiving_point_number=""),
                name="capacity_source_point_registered_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.name}"

    @property
    def is_registered(self) -> bool:
        return self.status == SourceStatus.REGISTERED


class PowerSourceMember(models.Model):
    """構成電源: one member of an aggregated power source (a small generator or a demand site)."""

    source = models.ForeignKey(
        PowerSource, verbose_name="電源等", on_delete=models.CASCADE, related_name="members"
    )
    position = models.PositiveSmallIntegerField("番号")
    name = models.CharField("名称", max_length=100)
    # 受電地点特定番号 of a generator, 供給地点特定番号 of a demand site: both 22 digits, area first.
    point_number = models.CharField("受電地点特定番号", max_length=22)
    generation_type = models.CharField("発電方式等", max_length=24, choices=GenerationType.choices)
    capacity_kw = models.PositiveIntegerField("設備容量（kW）")

    class Meta:
        verbose_name = "構成電源"
        verbose_name_plural = "構成電源"
        ordering = ["source", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="capacity_member_position"),
            models.UniqueConstraint(fields=["source", "point_number"], name="capacity_member_point"),
        ]
        indexes = [models.Index(fields=["point_number"], name="capacity_member_point_idx")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.position} {self.name}"


class PowerSourceVersion(ReviewedVersion):
    """One approved version of a power source, as it was (members included)."""

    source = models.ForeignKey(
        PowerSource, verbose_name="電源等", on_delete=models.CASCADE, related_name="versions"
    )

    class Meta:
        verbose_name = "電源等情報の版"
        verbose_name_plural = "電源等情報の版"
        ordering = ["source", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["source", "version"], name="capacity_source_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} 第{self.version}版"


class IdentifierCounter(models.Model):
    """The last number issued per series (電源等識別番号: "P"); its row lock serializes numbering."""

    series = models.CharField("系列", max_length=8, unique=True)
    last = models.PositiveIntegerField("最終番号", default=0)

    class Meta:
        verbose_name = "識別番号の採番"
        verbose_name_plural = "識別番号の採番"

    def __str__(self) -> str:
        return f"{self.series}: {self.last}"
