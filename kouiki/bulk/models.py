"""An uploaded bulk file and its rows (ADR 0030).

The rows are the truth of the job: a row is applied at most once because it is marked done or
failed in the transaction that applies it, and (file, line) is unique. The file holds its bytes
until it is validated, so that a validation in the background never reads the upload again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FileState(models.TextChoices):
    VALIDATING = "validating", "検証中"
    VALIDATED = "validated", "検証済（確認待ち）"
    INVALID = "invalid", "ファイル不備"
    APPLYING = "applying", "登録中"
    DONE = "done", "完了"
    CANCELLED = "cancelled", "中止"


# A worker owns a file in these states while it runs (claim_token, claimed_until).
ACTIVE_STATES = (FileState.VALIDATING, FileState.APPLYING)


class RowState(models.TextChoices):
    INVALID = "invalid", "エラー"
    PENDING = "pending", "登録待ち"
    DONE = "done", "登録済"
    FAILED = "failed", "登録不可"
    SKIPPED = "skipped", "未登録（中止）"


class BulkFile(models.Model):
    organization = models.ForeignKey(
        "identity.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (organization, function_id, created_at) below serves it
        verbose_name="事業者",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="アップロードしたユーザ",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="確定したユーザ",
    )
    system = models.CharField("システム", max_length=16)
    function_id = models.CharField("機能ID", max_length=16)
    original_name = models.CharField("ファイル名", max_length=255)
    encoding = models.CharField("文字コード", max_length=16, blank=True)
    size = models.PositiveIntegerField("サイズ（バイト）")
    sha256 = models.CharField("SHA-256", max_length=64)
    # The upload's bytes until the file is validated (then emptied: the rows hold what counts).
    data = models.BinaryField("内容", blank=True, default=b"")
    # Per-file values of the upload form (the function's shared_fields).
    shared = models.JSONField("共通項目", default=dict, blank=True)
    file_errors = models.JSONField("ファイルの誤り", default=list, blank=True)
    state = models.CharField("状態", max_length=16, choices=FileState.choices, default=FileState.VALIDATING)

    total_rows = models.PositiveIntegerField("行数", default=0)
    validated_rows = models.PositiveIntegerField("検証済の行数", default=0)
    good_rows = models.PositiveIntegerField("正常な行数", default=0)
    bad_rows = models.PositiveIntegerField("エラーの行数", default=0)
    done_rows = models.PositiveIntegerField("登録済の行数", default=0)
    failed_rows = models.PositiveIntegerField("登録できなかった行数", default=0)

    # The worker that runs the file (validating or applying) holds it under a lease.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField("アップロード日時", auto_now_add=True)
    validated_at = models.DateTimeField("検証日時", null=True, blank=True)
    confirmed_at = models.DateTimeField("確定日時", null=True, blank=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = "一括登録ファイル"
        verbose_name_plural = "一括登録ファイル"
        indexes = [
            models.Index(fields=["organization", "function_id", "created_at"], name="bulk_file_org_idx"),
            models.Index(fields=["state", "claimed_until"], name="bulk_file_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.function_id} {self.original_name}（{self.pk}）"

    @property
    def applied_rows(self) -> int:
        return self.done_rows + self.failed_rows


class BulkRow(models.Model):
    file = models.ForeignKey(BulkFile, on_delete=models.CASCADE, related_name="rows", db_index=False)
    line = models.PositiveIntegerField("行")
    state = models.CharField("状態", max_length=8, choices=RowState.choices)
    # What the confirmation screen shows (label → value) and what apply gets back.
    summary = models.JSONField("内容", default=dict, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # [{"column": label or "", "message": ..., "code": ...}] from validation
    errors = models.JSONField("エラー", default=list, blank=True)
    number = models.CharField("番号", max_length=32, blank=True)
    error = models.CharField("登録時のエラー", max_length=500, blank=True)
    error_column = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "一括登録ファイルの行"
        verbose_name_plural = "一括登録ファイルの行"
        constraints = [models.UniqueConstraint(fields=["file", "line"], name="bulk_row_file_line")]
        indexes = [models.Index(fields=["file", "state", "line"], name="bulk_row_state_idx")]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line}"
