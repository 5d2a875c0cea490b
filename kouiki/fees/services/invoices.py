"""Membership-fee invoices (請求書, seed 000 2.2 (3)): issued in a batch from a CSV, paid, downloaded.

The batch is all or nothing: every bad row is reported with its line and reason, and nothing is
issued while one row is bad. Each member's 会費 users (its administrators and the users with the
duty) get one mail saying an invoice is available, sent once the batch commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import csvio
from kouiki.core.catalog import implements
from kouiki.core.csvio import Column, RowError
from kouiki.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.japanese import (
    normalize_organization_code,
    parse_date,
    validate_date,
    validate_organization_code,
)
from kouiki.core.outbox import queue_mail
from kouiki.core.pdf import render_pdf
from kouiki.core.systems import System
from kouiki.fees import selectors
from kouiki.fees.models import Invoice, InvoiceBatch, PayeeAccount, invoice_number
from kouiki.fees.services.validators import (
    normalize_fiscal_year,
    normalize_yen,
    validate_fiscal_year,
    validate_positive_yen,
    validate_yen,
)
from kouiki.identity.access import is_staff, participant_organization, require_staff
from kouiki.identity.choices import Duty
from kouiki.identity.selectors import duty_emails, organization_by_code
from kouiki.membership import selectors as membership_selectors

if TYPE_CHECKING:
    from kouiki.identity.models import User

MAX_CSV_BYTES = csvio.UPLOAD_MAX_BYTES

COLUMNS = [
    Column(
        "code",
        "事業者コード",
        required=True,
        normalizer=normalize_organization_code,
        validator=validate_organization_code,
    ),
    Column(
        "fiscal_year", "年度", required=True, normalizer=normalize_fiscal_year, validator=validate_fiscal_year
    ),
    Column("amount", "金額", required=True, normalizer=normalize_yen, validator=validate_positive_yen),
    Column("tax", "消費税", normalizer=normalize_yen, validator=validate_yen),
    Column("due_date", "支払期限", required=True, validator=validate_date),
]
HEADER = [column.label for column in COLUMNS]


class InvoiceImportFailed(ValidationFailed):
    """The CSV has bad rows: `row_errors` lists each with its line, column and reason."""

    code = "invoice_import_failed"
    default_message = (
        "請求データに誤りがあるため、請求書を発行しませんでした。すべての誤りを直して再度登録してください。"
    )

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = row_errors
        super().__init__()


@dataclass(frozen=True)
class PlannedInvoice:
    line: int
    organization_id: int
    code: str
    name: str
    fiscal_year: int
    amount: int
    tax: int
    due_date: date

    @property
    def total(self) -> int:
        return self.amount + self.tax


@dataclass
class InvoiceImport:
    """What a CSV issues (`dry_run`: would issue): the rows, and once issued the batch."""

    planned: list[PlannedInvoice]
    encoding: str
    batch: InvoiceBatch | None = None
    invoices: list[Invoice] = field(default_factory=list)


def _check_rows(data: bytes) -> tuple[list[PlannedInvoice], str, list[RowError]]:
    """Read the CSV and check every row against the members and the invoices already issued."""
    too_large = csvio.size_error(data, MAX_CSV_BYTES)
    if too_large is not None:
        return [], "", [too_large]
    result = csvio.read_csv(data, columns=COLUMNS)
    errors = list(result.errors)
    if result.ok and not result.rows:
        errors.append(RowError(None, None, "請求データの行がありません。", code="csv_no_rows"))
    today = timezone.localdate()
    members = {member.code: member for member in membership_selectors.active_members()}
    # With a bad header the rows' cells cannot be told apart: the file errors are the answer.
    rows = [] if result.file_errors else result.valid_rows
    issued = Invoice.objects.filter(
        organization_id__in=[
            members[row.data["code"]].organization_id for row in rows if row.data["code"] in members
        ],
        fiscal_year__in={int(row.data["fiscal_year"]) for row in rows},
    ).values_list("organization_id", "fiscal_year", "number")
    existing = {(organization_id, year): number for organization_id, year, number in issued}
    planned: list[PlannedInvoice] = []
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        code, year = row.data["code"], int(row.data["fiscal_year"])
        due_date = parse_date(row.data["due_date"])
        assert due_date is not None  # validated by the column
        member = members.get(code)
        if member is None:
            if organization_by_code(code) is None:
                message = f"事業者コード「{code}」の事業者は登録されていません。"
            else:
                message = f"事業者コード「{code}」の事業者は会員ではありません（加入手続中・脱退済など）。"
            errors.append(RowError(row.line, "事業者コード", message, code="not_a_member"))
            continue
        if (code, year) in seen:
            errors.append(
                RowError(
                    row.line,
                    "年度",
                    f"{seen[code, year]}行目と同じ会員・年度の請求です（重複しています）。",
                    code="duplicate_in_file",
                )
            )
            continue
        seen[code, year] = row.line
        if (member.organization_id, year) in existing:
            number = existing[member.organization_id, year]
            errors.append(
                RowError(
                    row.line,
                    "年度",
                    f"{member.name}の{year}年度の請求書は発行済みです（請求書番号 {number}）。",
                    code="duplicate_invoice",
                )
            )
            continue
        if due_date < today:
            errors.append(RowError(row.line, "支払期限", "支払期限が過去の日付です。", code="due_date_past"))
            continue
        planned.append(
            PlannedInvoice(
                line=row.line,
                organization_id=member.organization_id,
                code=code,
                name=member.name,
                fiscal_year=year,
                amount=int(row.data["amount"]),
                tax=int(row.data["tax"] or 0),
                due_date=due_date,
            )
        )
    errors.sort(key=lambda error: error.line or 0)
    return planned, result.encoding or "", errors


def import_invoices(*, actor: User, data: bytes, filename: str, dry_run: bool = False) -> InvoiceImport:
    """Issue the annual-fee invoices a CSV lists (事業者コード, 年度, 金額, 消費税, 支払期限).

    Raises InvoiceImportFailed with every bad row (unknown code, not a member, bad amount or
    date, an invoice already issued or twice in the file); nothing is issued then. With
    `dry_run` the file is only checked.
    """
    require_staff(actor)
    payee = selectors.current_payee_account()
    planned, encoding, errors = _check_rows(data)
    if payee is None:
        errors.insert(
            0,
            RowError(
                None,
                None,
                "会費の振込先口座が登録されていません。先に振込先口座を登録してください。",
                "no_payee",
            ),
        )
    if errors:
        raise InvoiceImportFailed(errors)
    assert payee is not None
    outcome = InvoiceImport(planned=planned, encoding=encoding)
    if dry_run:
        return outcome
    try:
        with transaction.atomic():
            outcome.batch, outcome.invoices = _issue(actor, planned, filename, encoding, payee)
    except IntegrityError:
        raise Conflict(
            "同じ会員・年度の請求書が他の処理で発行されました。一覧を確認してから再度登録してください。"
        ) from None
    return outcome


def _issue(
    actor: User, planned: list[PlannedInvoice], filename: str, encoding: str, payee: PayeeAccount
) -> tuple[InvoiceBatch, list[Invoice]]:
    now = timezone.now()
    today = timezone.localdate(now)
    batch = InvoiceBatch.objects.create(
        filename=filename[:255],
        encoding=encoding,
        uploaded_by=actor,
        uploaded_at=now,
        invoice_count=len(planned),
    )
    issued = Invoice.objects.bulk_create(
        [
            Invoice(
                number=invoice_number(row.fiscal_year, row.code),
                organization_id=row.organization_id,
                organization_code=row.code,
                organization_name=row.name,
                fiscal_year=row.fiscal_year,
                amount=row.amount,
                tax=row.tax,
                total=row.total,
                due_date=row.due_date,
                issued_on=today,
                batch=batch,
                payee=payee,
            )
            for row in planned
        ]
    )
    by_member: dict[int, list[Invoice]] = defaultdict(list)
    for issued_invoice in issued:
        by_member[issued_invoice.organization_id].append(issued_invoice)
    mails = 0
    addresses = duty_emails(organization_ids=list(by_member), duty=Duty.FEES)
    for organization_id, member_invoices in by_member.items():
        mails += _mail_issued(addresses[organization_id], member_invoices)
    batch.mail_count = mails
    batch.save(update_fields=["mail_count"])
    record(
        actor=actor,
        action=Action.FEES_INVOICE_BATCH_ISSUE,
        obj=batch,
        system=System.MEMBER,
        detail={
            "filename": batch.filename,
            "count": len(issued),
            "mails": mails,
            "numbers": [issued_invoice.number for issued_invoice in issued],
        },
    )
    return batch, issued


def _mail_issued(recipients: list[str], member_invoices: list[Invoice]) -> int:
    """One mail to the member's 会費 users; 0 when none of them has an address."""
    if not recipients:
        return 0
    first = member_invoices[0]
    queue_mail(
        to=recipients,
        template="fees/mail/invoice_issued",
        context={
            "organization_name": first.organization_name,
            "organization_code": first.organization_code,
            "invoices": member_invoices,
            "url": settings.SITE_URL + reverse("fees:invoice_list"),
        },
    )
    return 1


# --- payments ------------------------------------------------------------------------------------------


def record_payment(*, actor: User, invoice: Invoice, paid_on: date) -> Invoice:
    """Staff record that a member paid (入金日); the invoice is 支払済 from then on."""
    require_staff(actor)
    if paid_on > timezone.localdate():
        raise ValidationFailed("入金日に未来の日付は指定できません。", field="paid_on")
    with transaction.atomic():
        updated = Invoice.objects.filter(pk=invoice.pk, paid_on__isnull=True).update(
            paid_on=paid_on, payment_recorded_at=timezone.now(), payment_recorded_by=actor
        )
        if not updated:
            raise InvalidTransition("この請求書は入金済みです。")
        invoice.refresh_from_db()
        record(
            actor=actor,
            action=Action.FEES_INVOICE_PAID,
            obj=invoice,
            organization=invoice.organization,
            system=System.MEMBER,
            detail={"number": invoice.number, "paid_on": paid_on.isoformat()},
        )
    return invoice


def cancel_payment(*, actor: User, invoice: Invoice) -> Invoice:
    """Staff undo a payment recorded by mistake; the invoice is unpaid (or overdue) again."""
    require_staff(actor)
    with transaction.atomic():
        previous = invoice.paid_on
        updated = Invoice.objects.filter(pk=invoice.pk, paid_on__isnull=False).update(
            paid_on=None, payment_recorded_at=None, payment_recorded_by=None
        )
        if not updated:
            raise InvalidTransition("この請求書には入金が記録されていません。")
        invoice.refresh_from_db()
        record(
            actor=actor,
            action=Action.FEES_INVOICE_PAYMENT_CANCEL,
            obj=invoice,
            organization=invoice.organization,
            system=System.MEMBER,
            detail={"number": invoice.number, "paid_on": previous.isoformat() if previous else None},
        )
    return invoice


# --- PDF -------------------------------------------------------------------------------------------------


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF, rendered from what it states (nothing of today's data)."""
    return render_pdf("fees/pdf/invoice.html", {"invoice": invoice, "title": f"請求書 {invoice.number}"})


@implements(selectors.INVOICES)
def download_invoice_pdf(*, actor: User, invoice: Invoice) -> bytes:
    """The PDF of an invoice the actor may see (its member's 会費 users, or staff); audited."""
    if not is_staff(actor):
        organization_id = participant_organization(actor, selectors.INVOICES)
        if invoice.organization_id != organization_id:
            raise NotFound()
    pdf = render_invoice_pdf(invoice)
    record(
        actor=actor,
        action=Action.FEES_INVOICE_DOWNLOAD,
        obj=invoice,
        organization=invoice.organization,
        system=System.MEMBER,
        detail={"number": invoice.number},
    )
    return pdf


def csv_template() -> bytes:
    """The header of the invoice CSV and one example row, as Excel opens it."""
    year = timezone.localdate().year
    return csvio.write_csv([["9001", year, 1200000, 0, f"{year}/06/30"]], HEADER)
