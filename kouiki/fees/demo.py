"""The fees app's demo data for 広域電力株式会社 (9001): the payee account, three invoices (one
paid, one unpaid, one overdue), a published capacity-market refund notice and its refund account.
Idempotent; registered with kouiki.core.demo."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.utils import timezone

from kouiki.core.pdf import render_pdf
from kouiki.fees.models import (
    AccountType,
    CapacityDocument,
    DocumentKind,
    Invoice,
    InvoiceBatch,
    PayeeAccount,
    RefundAccount,
    invoice_number,
)
from kouiki.identity.selectors import organization_by_code, user_by_credentials

if TYPE_CHECKING:
    from kouiki.identity.models import Organization

DEMO_CODE = "9001"
ANNUAL_FEE = 1_200_000


def _fiscal_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def load() -> int:
    created = 0
    payee = PayeeAccount.objects.first()
    if payee is None:
        payee = PayeeAccount.objects.create(
            bank_name="広域銀行",
            bank_code="0999",
            branch_name="本店営業部",
            branch_code="001",
            account_type=AccountType.ORDINARY,
            account_number="1234567",
            holder_name="ﾃﾞﾝﾘﾖｸｺｳｲｷﾃｷｳﾝｴｲｽｲｼﾝｷｶﾝ",
        )
        created += 1
    organization = organization_by_code(DEMO_CODE)
    if organization is None:
        return created
    created += _invoices(organization, payee)
    created += _refund_notice(organization)
    created += _refund_account(organization)
    return created


def _invoices(organization: Organization, payee: PayeeAccount) -> int:
    if Invoice.objects.filter(organization_code=DEMO_CODE).exists():
        return 0
    today = timezone.localdate()
    year = _fiscal_year()
    # (fiscal year, due date, paid on): paid two years ago, overdue last year, unpaid this year.
    rows = [
        (year - 2, today - timedelta(days=400), today - timedelta(days=410)),
        (year - 1, today - timedelta(days=20), None),
        (year, today + timedelta(days=30), None),
    ]
    batch = InvoiceBatch.objects.create(filename="demo.csv", encoding="utf-8-sig", invoice_count=len(rows))
    for fiscal_year, due_date, paid_on in rows:
        Invoice.objects.create(
            number=invoice_number(fiscal_year, DEMO_CODE),
            organization=organization,
            organization_code=DEMO_CODE,
            organization_name=organization.name,
            fiscal_year=fiscal_year,
            amount=ANNUAL_FEE,
            tax=0,
            total=ANNUAL_FEE,
            due_date=due_date,
            issued_on=due_date - timedelta(days=45),
            batch=batch,
            payee=payee,
            paid_on=paid_on,
            payment_recorded_at=timezone.now() if paid_on else None,
        )
    return 1 + len(rows)


def _refund_notice(organization: Organization) -> int:
    if CapacityDocument.objects.filter(organization=organization).exists():
        return 0
    year = _fiscal_year()
    period = f"{year}年度 4月分"
    pdf = render_pdf(
        "fees/pdf/demo_refund_notice.html",
        {
            "organization_name": organization.name,
            "period": period,
            "amount": 345_678,
            "issued_on": timezone.localdate(),
        },
    )
    document = CapacityDocument(
        organization=organization,
        kind=DocumentKind.REFUND_NOTICE,
        title=f"{period} 還元額通知",
        fiscal_year=year,
        month=4,
        amount=345_678,
        original_name=f"還元額通知_{year}04.pdf",
        size=len(pdf),
        published_at=timezone.now(),
    )
    document.file.save("document.pdf", ContentFile(pdf), save=False)
    document.save()
    return 1


def _refund_account(organization: Organization) -> int:
    if RefundAccount.objects.filter(organization=organization).exists():
        return 0
    admin = user_by_credentials(DEMO_CODE, "adm001")
    account = RefundAccount(
        organization=organization,
        bank_name="広域銀行",
        bank_code="0999",
        branch_name="豊洲支店",
        branch_code="123",
        account_type=AccountType.ORDINARY,
        account_number="7654321",
        holder_name="ｺｳｲｷﾃﾞﾝﾘﾖｸ(ｶ",
        updated_by=admin,
    )
    account._history_user = admin  # type: ignore[attr-defined]
    account.save()
    return 1
