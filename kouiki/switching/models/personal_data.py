"""The ledger of personal-data reads (SW-P1): who read which point's customer data, for which of
the joint-use purposes, when. Append-only; each organization sees its own rows (the audit log
records the same reads for the organization's staff)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kouiki.switching.models.registry import SupplyPoint


class Purpose(models.TextChoices):
    """共同利用の目的 (seed 004, 共同利用プライバシーポリシー)."""

    WHEELING_CONTRACT = "wheeling_contract", "①託送供給等契約の締結、変更又は解約のため"
    CANCEL_FORWARD = "cancel_forward", "②小売供給等契約の廃止取次のため"
    POINT_INFO = "point_info", "③供給（受電）地点に関する情報の確認のため"
    TSO_OPERATIONS = "tso_operations", "④一般送配電事業者の業務遂行のため"
    BILLING = "billing", "⑤電気料金の精算、請求、収納業務遂行のため"


class PersonalDataAccess(models.Model):
    """One read of a customer's personal data by a participant's user."""

    at = models.DateTimeField("閲覧日時", default=timezone.now)
    organization = models.ForeignKey(
        "identity.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (organization, at) below serves it
        verbose_name="事業者",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="閲覧者",
    )
    # Kept as text too, so that the row outlives the account.
    user_label = models.CharField("閲覧者（ID・氏名）", max_length=120)
    # 受託者 (X-I2): the company of the user above when it read for the organization (its principal).
    contractor = models.ForeignKey(
        "identity.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="受託者",
    )
    supply_point = models.ForeignKey(
        SupplyPoint, on_delete=models.PROTECT, related_name="+", verbose_name="供給地点"
    )
    purpose = models.CharField("利用目的", max_length=24, choices=Purpose.choices)
    function_id = models.CharField("機能", max_length=12)
    # Which items were shown: "basic" (氏名・住所・電話番号・契約番号), "point" (供給地点情報), "usage".
    items = models.JSONField("閲覧項目", default=list)
    reference = models.CharField("受付番号等", max_length=20, blank=True)

    class Meta:
        verbose_name = "個人情報閲覧記録"
        verbose_name_plural = "個人情報閲覧記録"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"], name="switching_pda_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.supply_point_id} {self.purpose}"

    def item_labels(self) -> str:
        labels = {"basic": "基本情報", "point": "供給地点情報", "usage": "使用量"}
        return "・".join(labels.get(item, item) for item in self.items)
