"""Requests of information from government agencies (X-G1) and what was provided for them.

A request is recorded by one member of the staff and approved (or rejected) by another; once
approved, its scope is exported once, as one CSV file per data set, kept byte for byte with its
SHA-256 so that what went to the agency can be shown later; every download is kept too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kouiki.core.systems import System
from kouiki.government.choices import (
    AGENCY_NAME_MAX,
    LEGAL_BASIS_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    Agency,
    RequestState,
)


class InformationRequest(models.Model):
    """One agency's request: who asks, on what legal basis, for what purpose, and the scope (the
    data sets of one system, a period, and optionally some participants by 事業者コード)."""

    system = models.CharField("システム", max_length=16, choices=System.choices)
    agency = models.CharField("提供先", max_length=8, choices=Agency.choices)
    agency_name = models.CharField("国の機関の名称", max_length=AGENCY_NAME_MAX, blank=True)
    legal_basis = models.CharField("根拠法令", max_length=LEGAL_BASIS_MAX)
    purpose = models.TextField("目的", max_length=PURPOSE_MAX)
    datasets = models.JSONField("提供するデータ", default=list)
    period_start = models.DateField("対象期間（開始）")
    period_end = models.DateField("対象期間（終了）")
    organization_codes = models.JSONField("対象事業者（事業者コード）", default=list, blank=True)
    received_on = models.DateField("依頼の受付日")
    reference_number = models.CharField("依頼文書の番号", max_length=REFERENCE_MAX)
    state = models.CharField(
        "状態", max_length=12, choices=RequestState.choices, default=RequestState.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記録者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承認・却下した職員",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("承認・却下日時", null=True, blank=True)
    rejection_reason = models.CharField("却下の理由", max_length=REASON_MAX, blank=True)

    class Meta:
        verbose_name = "行政機関からの情報提供依頼"
        verbose_name_plural = verbose_name
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency_label} {self.reference_number}"

    @property
    def agency_label(self) -> str:
        """The agency as the provision names it: its name for その他の国の機関."""
        if self.agency == Agency.OTHER and self.agency_name:
            return self.agency_name
        return Agency(self.agency).label


class Provision(models.Model):
    """The provision of an approved request's scope: when, by whom; its files hold what."""

    request = models.OneToOneField(
        InformationRequest, verbose_name="依頼", on_delete=models.PROTECT, related_name="provision"
    )
    provided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提供した職員", on_delete=models.PROTECT, related_name="+"
    )
    provided_at = models.DateTimeField("提供日時", default=timezone.now)
    personal_data = models.BooleanField("個人情報を含む", default=False)

    class Meta:
        verbose_name = "行政機関への情報提供"
        verbose_name_plural = verbose_name
        ordering = ["-provided_at", "-pk"]

    def __str__(self) -> str:
        return f"情報提供 {self.request_id}"


class ProvisionFile(models.Model):
    """One data set of a provision as the CSV file given to the agency (UTF-8 with BOM, CRLF)."""

    provision = models.ForeignKey(
        Provision, verbose_name="提供", on_delete=models.PROTECT, related_name="files"
    )
    dataset = models.CharField("データ", max_length=40)
    name = models.CharField("ファイル名", max_length=200)
    rows = models.PositiveIntegerField("件数")
    size = models.PositiveIntegerField("サイズ（バイト）")
    sha256 = models.CharField("SHA-256", max_length=64)
    data = models.BinaryField("内容")

    class Meta:
        verbose_name = "情報提供ファイル"
        verbose_name_plural = verbose_name
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["provision", "dataset"], name="government_file_once")]

    def __str__(self) -> str:
        return self.name


class ProvisionDownload(models.Model):
    """One download of a provision's file: the first and every later one."""

    file = models.ForeignKey(
        ProvisionFile, verbose_name="ファイル", on_delete=models.PROTECT, related_name="downloads"
    )
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ダウンロードした職員",
        on_delete=models.PROTECT,
        related_name="+",
    )
    downloaded_at = models.DateTimeField("ダウンロード日時", default=timezone.now)

    class Meta:
        verbose_name = "情報提供ファイルのダウンロード"
        verbose_name_plural = verbose_name
        ordering = ["downloaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.downloaded_at:%Y-%m-%d %H:%M}"
