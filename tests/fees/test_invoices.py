"""Membership-fee invoices (請求書, seed 000 2.2 (3)): the CSV batch, states, payments and the PDF."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.errors import Forbidden, InvalidTransition, ValidationFailed
from kouiki.core.outbox import OutboxMessage
from kouiki.fees import selectors
from kouiki.fees.models import Invoice, InvoiceBatch, InvoiceState, PayeeAccount
from kouiki.fees.services import invoices
from kouiki.fees.services.validators import validate_yen
from kouiki.identity.models import Organization, OrganizationStatus, User
from kouiki.membership.models import MemberProfile
from tests.factories import OrganizationFactory
from tests.fees.helpers import PAYEE, csv_bytes, due, pdf_text

JST = ZoneInfo("Asia/Tokyo")


def issue(staff: User, *rows: str, **kwargs: object) -> invoices.InvoiceImport:
    return invoices.import_invoices(actor=staff, data=csv_bytes(*rows), filename="会費.csv", **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def invoice(staff: User, profile: MemberProfile, payee: PayeeAccount) -> Invoice:
    code = profile.organization.code
    (issued,) = issue(staff, f"{code},2025,1200000,120000,{due(10)}").invoices
    return issued


# --- the batch ----------------------------------------------------------------------------------------


def test_a_good_batch_issues_invoices_and_one_mail_per_member_to_its_fees_users(
    staff: User,
    profile: MemberProfile,
    other_profile: MemberProfile,
    payee: PayeeAccount,
    fees_user: User,
    capacity_user: User,
    plain_user: User,
    other_fees_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    code, other_code = profile.organization.code, other_profile.organization.code
    with django_capture_on_commit_callbacks() as sends:
        outcome = issue(
            staff, f"{code},2025,1200000,0,{due()}", f'{other_code},２０２５年度,"600,000",60000,{due(40)}'
        )
    assert len(sends) == 2  # one send per mail, enqueued when the batch commits

    assert outcome.batch is not None
    assert outcome.batch.invoice_count == 2 and outcome.batch.mail_count == 2
    first, second = Invoice.objects.order_by("organization_code")
    assert (first.number, first.organization_name, first.total, first.payee) == (
        f"F2025-{code}",
        "広域電力株式会社",
        1200000,
        payee,
    )
    assert (second.number, second.organization_name, second.amount, second.tax, second.total) == (
        f"F2025-{other_code}",
        "北海電力株式会社",
        600000,
        60000,
        660000,
    )
    assert second.due_date == timezone.localdate() + timedelta(days=40)
    assert first.issued_on == timezone.localdate()

    mails = {
        tuple(sorted(mail.to)): mail
        for mail in OutboxMessage.objects.filter(template="fees/mail/invoice_issued")
    }
    assert len(mails) == 2
    ours = mails[
        tuple(
            sorted(
                ["tanaka@koiki-denryoku.example.jp", "yamamoto@koiki-denryoku.example.jp", fees_user.email]
            )
        )
    ]
    assert capacity_user.email not in ours.to and plain_user.email not in ours.to
    assert (
        f"F2025-{code}" in ours.body and "1,200,000円" in ours.body and "/member/fees/invoices/" in ours.body
    )
    assert f"F2025-{other_code}" not in ours.body
    assert tuple(sorted(["zzz001@hokkai.example.jp", other_fees_user.email])) in mails

    event = Event.objects.get(action="fees.invoice_batch_issue")
    assert event.detail["count"] == 2 and event.actor_id == staff.pk


def test_every_bad_row_is_reported_with_its_line_and_reason_and_nothing_is_issued(
    staff: User, profile: MemberProfile, other_profile: MemberProfile, payee: PayeeAccount
) -> None:
    code, other_code = profile.organization.code, other_profile.organization.code
    issue(staff, f"{other_code},2024,1000,0,{due()}")  # already issued: 2024 for the other member
    applicant = OrganizationFactory(code="7001")  # has a code, no member information: not a member
    withdrawn = OrganizationFactory(code="7002")
    MemberProfile.objects.create(
        organization=withdrawn,
        corporate_number=withdrawn.corporate_number,
        name="脱退電力",
        name_kana="ダッタイ",
    )
    Organization.objects.filter(pk=withdrawn.pk).update(status=OrganizationStatus.WITHDRAWN)
    before = (Invoice.objects.count(), InvoiceBatch.objects.count(), OutboxMessage.objects.count())

    with pytest.raises(invoices.InvoiceImportFailed) as failed:
        issue(
            staff,
            f"{code},2025,1200000,0,{due()}",  # line 2: good
            f"9999,2025,1200000,0,{due()}",  # 3: unknown code
            f"{applicant.code},2025,1200000,0,{due()}",  # 4: not a member
            f"{code},2025,12万円,0,{due()}",  # 5: bad amount
            f"{code},2025,1200000,0,{due()}",  # 6: same member and year as line 2
            f"{other_code},2024,1000,0,{due()}",  # 7: issued already
            f"{other_code},2025,1000,0,2025/02/30",  # 8: no such date
            f"{withdrawn.code},2025,1000,0,{due()}",  # 9: withdrawn
            f"{other_code},2025,0,0,{due()}",  # 10: zero
            f"{other_code},2026,1000,0,{due(-1)}",  # 11: due date in the past
            f"12345,2025,1000,0,{due()}",  # 12: not a code
        )

    reported = [(error.line, error.column_label, error.message) for error in failed.value.row_errors]
    assert [line for line, _column, _message in reported] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    by_line = {line: (column, message) for line, column, message in reported}
    assert by_line[3] == ("事業者コード", "事業者コード「9999」の事業者は登録されていません。")
    assert by_line[4][0] == "事業者コード" and "会員ではありません" in by_line[4][1]
    assert by_line[5] == ("金額", "金額は0以上の整数（円）で入力してください。")
    assert by_line[6] == ("年度", "2行目と同じ会員・年度の請求です（重複しています）。")
    assert by_line[7][0] == "年度" and f"請求書番号 F2024-{other_code}" in by_line[7][1]
    assert by_line[8][0] == "支払期限"
    assert "会員ではありません" in by_line[9][1]
    assert by_line[10] == ("金額", "金額は1円以上で入力してください。")
    assert by_line[11] == ("支払期限", "支払期限が過去の日付です。")
    assert by_line[12][0] == "事業者コード"
    assert (
        str(failed.value.row_errors[0])
        == "3行目「事業者コード」: 事業者コード「9999」の事業者は登録されていません。"
    )
    assert (Invoice.objects.count(), InvoiceBatch.objects.count(), OutboxMessage.objects.count()) == before


def test_file_errors_are_reported_too(staff: User, profile: MemberProfile, payee: PayeeAccount) -> None:
    with pytest.raises(invoices.InvoiceImportFailed) as failed:
        invoices.import_invoices(
            actor=staff,
            data=csv_bytes(f"{profile.organization.code},2025,1", header="事業者コード,年度,金額"),
            filename="x.csv",
        )
    messages = [str(error) for error in failed.value.row_errors]
    assert any("見出し行に列" in message and "「消費税」" in message for message in messages)
    with pytest.raises(invoices.InvoiceImportFailed) as empty:
        invoices.import_invoices(actor=staff, data=csv_bytes(), filename="x.csv")
    assert [error.code for error in empty.value.row_errors] == ["csv_no_rows"]


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_excel_csv_in_cp932_and_utf8_with_bom_is_accepted(
    staff: User, profile: MemberProfile, payee: PayeeAccount, encoding: str
) -> None:
    data = csv_bytes(
        f"{profile.organization.code},2025年度,￥1,200,000,0,{due()}".replace("￥1,200,000", '"￥1,200,000"'),
        encoding=encoding,
    )
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    outcome = invoices.import_invoices(actor=staff, data=data, filename="会費.csv")
    assert outcome.encoding == ("cp932" if encoding == "cp932" else "utf-8-sig")
    assert Invoice.objects.get().total == 1200000


def test_an_empty_tax_cell_is_zero(staff: User, profile: MemberProfile, payee: PayeeAccount) -> None:
    (issued,) = issue(staff, f"{profile.organization.code},2025,1200000,,{due()}").invoices
    assert (issued.tax, issued.total) == (0, 1200000)


def test_dry_run_checks_the_file_and_issues_nothing(
    staff: User, profile: MemberProfile, payee: PayeeAccount
) -> None:
    outcome = issue(staff, f"{profile.organization.code},2025,1200000,0,{due()}", dry_run=True)
    assert [(row.line, row.name, row.total) for row in outcome.planned] == [(2, "広域電力株式会社", 1200000)]
    assert outcome.batch is None
    assert not Invoice.objects.exists() and not OutboxMessage.objects.exists()


def test_without_a_payee_account_nothing_is_issued(staff: User, profile: MemberProfile) -> None:
    with pytest.raises(invoices.InvoiceImportFailed) as failed:
        issue(staff, f"{profile.organization.code},2025,1200000,0,{due()}")
    assert failed.value.row_errors[0].code == "no_payee"


def test_only_staff_issue_invoices(admin: User, profile: MemberProfile, payee: PayeeAccount) -> None:
    with pytest.raises(Forbidden):
        issue(admin, f"{profile.organization.code},2025,1200000,0,{due()}")


def test_a_new_payee_account_is_stated_on_new_invoices_only(
    staff: User, invoice: Invoice, other_profile: MemberProfile, payee: PayeeAccount
) -> None:
    newer = PayeeAccount.objects.create(**{**PAYEE, "account_number": "7654321"})
    (later,) = issue(staff, f"{other_profile.organization.code},2025,1000,0,{due()}").invoices
    invoice.refresh_from_db()
    assert (invoice.payee, later.payee) == (payee, newer)


# --- states and payments --------------------------------------------------------------------------------


def test_state_is_unpaid_until_the_due_date_overdue_the_next_day_in_japan_and_paid_once_recorded(
    staff: User, invoice: Invoice, fees_user: User
) -> None:
    due_date = invoice.due_date
    last_minute = datetime.combine(due_date, datetime.min.time(), tzinfo=JST) + timedelta(
        hours=23, minutes=59
    )
    with time_machine.travel(last_minute, tick=False):
        assert invoice.state == InvoiceState.UNPAID
        assert list(selectors.invoices_for(actor=fees_user, state="unpaid")) == [invoice]
    with time_machine.travel(last_minute + timedelta(minutes=1), tick=False):
        assert invoice.state == InvoiceState.OVERDUE
        assert list(selectors.invoices_for(actor=fees_user, state="overdue")) == [invoice]
        assert list(selectors.invoices_for(actor=fees_user, state="unpaid")) == []
        invoices.record_payment(actor=staff, invoice=invoice, paid_on=timezone.localdate())
        assert invoice.state == InvoiceState.PAID
        assert list(selectors.invoices_for(actor=fees_user, state="paid")) == [invoice]
    with time_machine.travel(timezone.localtime() + timedelta(days=400)):
        invoice.refresh_from_db()
        assert invoice.state == InvoiceState.PAID


def test_payment_is_recorded_once_never_in_the_future_and_can_be_undone(
    staff: User, invoice: Invoice
) -> None:
    with pytest.raises(ValidationFailed):
        invoices.record_payment(
            actor=staff, invoice=invoice, paid_on=timezone.localdate() + timedelta(days=1)
        )
    paid = invoices.record_payment(actor=staff, invoice=invoice, paid_on=timezone.localdate())
    assert paid.paid_on == timezone.localdate() and paid.payment_recorded_by == staff
    with pytest.raises(InvalidTransition):
        invoices.record_payment(actor=staff, invoice=invoice, paid_on=timezone.localdate())
    assert Event.objects.filter(action="fees.invoice_paid", object_id=str(invoice.pk)).count() == 1

    undone = invoices.cancel_payment(actor=staff, invoice=invoice)
    assert undone.paid_on is None and undone.state == InvoiceState.UNPAID
    with pytest.raises(InvalidTransition):
        invoices.cancel_payment(actor=staff, invoice=invoice)
    assert Event.objects.filter(action="fees.invoice_payment_cancel").count() == 1


def test_only_staff_record_payments(invoice: Invoice, admin: User) -> None:
    with pytest.raises(Forbidden):
        invoices.record_payment(actor=admin, invoice=invoice, paid_on=date.today())


# --- the PDF ----------------------------------------------------------------------------------------------


def test_the_invoice_pdf_states_the_member_the_amounts_the_number_and_the_payee(invoice: Invoice) -> None:
    text = pdf_text(invoices.render_invoice_pdf(invoice))
    for expected in [
        "請求書",
        "広域電力株式会社",
        invoice.number,
        "1,320,000円",  # total
        "1,200,000円",
        "120,000円",
        "2025年度",
        "広域銀行",
        "1234567",
        "電力広域的運営推進機関",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize("amount", ["1" + "0" * 12, "9" * 5000])
def test_an_amount_of_any_length_is_refused_as_too_large_not_crashed_on(amount: str) -> None:
    with pytest.raises(ValidationError, match="大きすぎます"):
        validate_yen(amount)


def test_leading_zeros_do_not_make_an_amount_too_large() -> None:
    validate_yen("0" * 20 + "1000")
