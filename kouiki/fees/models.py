"""The fees app's records: membership-fee invoices (MEM-F1) with the organization's payee account,
and the capacity-market documents and refund account of a member (MEM-F2).

Organizations and users belong to identity; these models point at them by their app label.
Decisions: docs/decisions/0010-fees-and-capacity-market-documents.md.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class AccountType(models.TextChoices):
    """預金種目."""

    ORDINARY = "ordinary", "普通"
    CURRENT = "current", "当座"


class BankAccount(models.Model):
    """The fields of a Japanese bank account as a bank transfer (全銀) needs them."""

    bank_name = models.CharField("金融機関名", max_length=30)
    bank_code = models.CharField("金融機関コード", max_length=4)
    branch_name = models.CharField("支店名", max_length=30)
    branch_code = models.CharField("支店コード", max_length=3)
    account_type = models.CharField("預金種目", max_length=8, choices=AccountType.choices)
    account_number = models.CharField("口座番号", max_length=7)
    # 口座名義: half-width katakana, upper-case letters, digits, space and ().-/ (全銀 characters).
    holder_name = models.CharField("口座名義（半角カナ）", max_length=30)

    class Meta:
        abstract = True

    @property
    def summary(self) -> str:
        """One line, as on an invoice: 〇〇銀行(0001) 本店(001) 普通 1234567 ﾒｲｷﾞ."""
        return (
            f"{self.bank_name}（{self.bank_code}） {self.branch_name}（{self.branch_code}） "
            f"{self.get_account_type_display()} {self.account_number} {self.holder_name}"  # type: ignore[attr-defined]
        )


def _bank_account_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(bank_code__regex=r"^[0-9]{4}$"), name=f"{prefix}_bank_code_4_digits"
        ),
        models.CheckConstraint(
            condition=Q(branch_code__regex=r"^[0-9]{3}$"), name=f"{prefix}_branch_code_3_digits"
        ),
        models.CheckConstraint(
            condition=Q(account_number__regex=r"^[0-9]{7}$"), name=f"{prefix}_account_number_7_digits"
        ),
        models.CheckConstraint(
            condition=Q(account_type__in=AccountType.values), name=f"{prefix}_account_type_valid"
        ),
    ]


class PayeeAccount(BankAccount):
    """振込先口座: the organization's account that members pay their fees into.

    Rows are never changed: a new account is a new row, the newest is the one new invoices state,
    and an invoice keeps pointing at the account it was issued with.
    """

    registered_at = models.DateTimeField("登録日時", default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登録者",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "会費の振込先口座"
        verbose_name_plural = "会費の振込先口座"
        ordering = ["-registered_at", "-id"]
        constraints = _bank_account_constraints("payee_account")

    def __str__(self) -> str:
        return self.summary


class InvoiceBatch(models.Model):
    """One CSV upload that issued invoices to many members at once."""

    filename = models.CharField("ファイル名", max_length=255)
    encoding = models.CharField("文字コード", max_length=16, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="発行者",
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField("発行日時", default=timezone.now)
    invoice_count = models.PositiveIntegerField("請求書数", default=0)
    mail_count = models.PositiveIntegerField("通知メール数", default=0)

    class Meta:
        verbose_name = "請求書の一括発行"
        verbose_name_plural = "請求書の一括発行"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} （{self.invoice_count}件）"


class InvoiceState(models.TextChoices):
    """What a member sees of an invoice; never stored: derived from the payment and the due date."""

    UNPAID = "unpaid", "未払い"
    PAID = "paid", "支払済"
    OVERDUE = "overdue", "期限超過"


# The badge of each state (kouiki/core/static/kouiki/css/app.css).
STATE_TONES = {
    InvoiceState.UNPAID: "pending",
    InvoiceState.PAID: "approved",
    InvoiceState.OVERDUE: "rejected",
}


def invoice_number(fiscal_year: int, organization_code: str) -> str:
    """請求書番号: one annual-fee invoice per member and fiscal year, so the pair names it."""
    return f"F{fiscal_year}-{organization_code}"


class Invoice(models.Model):
    """請求書: a member's annual membership fee (会費) for one fiscal year (年度).

    What the invoice states (member name, amounts, due date, payee account) is kept as it was on
    the day of issue, so its PDF reads the same whenever it is downloaded.
    """

    number = models.CharField("請求書番号", max_length=20, unique=True)
    organization = models.ForeignKey(
        "identity.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="会員"
    )
    organization_code = models.CharField("事業者コード", max_length=4)
    organization_name = models.CharField("会員名", max_length=200)
    fiscal_year = models.PositiveSmallIntegerField("年度")
    amount = models.PositiveBigIntegerField("金額")
    tax = models.PositiveBigIntegerField("消費税", default=0)
    total = models.PositiveBigIntegerField("請求金額（税込）")
    due_date = models.DateField("支払期限")
    issued_on = models.DateField("発行日")
    batch = models.ForeignKey(
        InvoiceBatch, on_delete=models.PROTECT, related_name="invoices", verbose_name="一括発行"
    )
    payee = models.ForeignKey(
        PayeeAccount, on_delete=models.PROTECT, related_name="+", verbose_name="振込先口座"
    )
    paid_on = models.DateField("入金日", null=True, blank=True)
    payment_recorded_at = models.DateTimeField("入金記録日時", null=True, blank=True)
    payment_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="入金記録者",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "請求書"
        verbose_name_plural = "請求書"
        ordering = ["-fiscal_year", "organization_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="invoice_one_per_member_year"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(condition=Q(total=F("amount") + F("tax")), name="invoice_total_is_sum"),
        ]
        indexes = [models.Index(fields=["due_date", "paid_on"], name="invoice_due_paid")]

    def __str__(self) -> str:
        return self.number

    def state_on(self, today: date) -> InvoiceState:
        if self.paid_on is not None:
            return InvoiceState.PAID
        if self.due_date < today:
            return InvoiceState.OVERDUE
        return InvoiceState.UNPAID

    @property
    def state(self) -> InvoiceState:
        """Paid once a payment is recorded; overdue from the day after the due date (JST)."""
        return self.state_on(timezone.localdate())

    @property
    def state_tone(self) -> str:
        return STATE_TONES[self.state]

    @property
    def fiscal_year_label(self) -> str:
        return f"{self.fiscal_year}年度"


# --- capacity market (容量市場) ------------------------------------------------------------


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "請求書"
    PAYMENT_NOTICE = "payment_notice", "支払通知書"
    REFUND_NOTICE = "refund_notice", "還元額通知"


def capacity_document_path(instance: CapacityDocument, filename: str) -> str:
    """An unguessable stored name; the name the member downloads is kept in `original_name`."""
    return f"fees/capacity/{instance.organization_id}/{uuid.uuid4().hex}.pdf"


class CapacityDocument(models.Model):
    """容量市場請求書等: a PDF the organization publishes for one member (MEM-F2).

    Uploaded as a draft, seen by the member once published.
    """

    organization = models.ForeignKey(
        "identity.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="会員"
    )
    kind = models.CharField("種類", max_length=16, choices=DocumentKind.choices)
    title = models.CharField("件名", max_length=100)
    fiscal_year = models.PositiveSmallIntegerField("対象年度")
    month = models.PositiveSmallIntegerField("対象月", null=True, blank=True)
    amount = models.PositiveBigIntegerField("金額（円）", null=True, blank=True)
    file = models.FileField("PDFファイル", upload_to=capacity_document_path, max_length=200)
    original_name = models.CharField("元のファイル名", max_length=200)
    size = models.PositiveIntegerField("サイズ（バイト）")
    uploaded_at = models.DateTimeField("登録日時", default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登録者", null=True
    )
    published_at = models.DateTimeField("掲載日時", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="掲載者",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "容量市場請求書等"
        verbose_name_plural = "容量市場請求書等"
        ordering = ["-published_at", "-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="capacity_document_month",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="capacity_document_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "published_at"], name="capacity_doc_org_published")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def period_label(self) -> str:
        return f"{self.fiscal_year}年度" + (f" {self.month}月分" if self.month else "")


class CapacityDocumentRead(models.Model):
    """When a user of the member first opened a document (既読)."""

    document = models.ForeignKey(CapacityDocument, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField("既読日時", default=timezone.now)

    class Meta:
        verbose_name = "容量市場請求書等の既読"
        verbose_name_plural = "容量市場請求書等の既読"
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="capacity_document_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.user_id}"


class RefundAccount(BankAccount):
    """容量市場口座情報等: the account a retailer or registered specified T&D operator registers to
    receive refunds (還元額) of the capacity market (seed 003 1.4). `history` keeps every version."""

    organization = models.OneToOneField(
        "identity.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="会員"
    )
    updated_at = models.DateTimeField("更新日時", default=timezone.now)
    # SET_NULL: an administrator replaced through MEM-I4 (or a user deleted) is removed; who saved
    # each version stays in the history and the audit log.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="更新者",
        null=True,
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], verbose_name="容量市場口座情報等の履歴")

    class Meta:
        verbose_name = "容量市場口座情報等"
        verbose_name_plural = "容量市場口座情報等"
        constraints = _bank_account_constraints("refund_account")

    def __str__(self) -> str:
        return self.summary
