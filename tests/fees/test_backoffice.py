"""Back office of fees: invoices from a CSV, payments, the payee account, capacity-market documents
and the members' refund accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.outbox import OutboxMessage
from kouiki.fees.models import CapacityDocument, Invoice, InvoiceState, PayeeAccount, RefundAccount
from kouiki.fees.services import accounts, invoices
from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from tests.access import sent_to_login
from tests.fees.helpers import PAYEE, csv_bytes, due, pdf_bytes, pdf_text

BASE = "/backoffice/fees/"
IMPORT = "/backoffice/fees/invoices/import/"
CAPACITY = "/backoffice/fees/capacity/"


def html(response: Any) -> str:
    return str(response.content.decode())


def csv_file(data: bytes, name: str = "会費.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_urls_are_named() -> None:
    assert reverse("backoffice:fees_invoice_list") == BASE
    assert reverse("backoffice:fees_invoice_import") == IMPORT
    assert reverse("backoffice:fees_invoice_detail", args=[1]) == "/backoffice/fees/invoices/1/"
    assert reverse("backoffice:fees_capacity_list") == CAPACITY
    assert reverse("backoffice:fees_refund_accounts") == "/backoffice/fees/refund-accounts/"


def test_only_staff_open_the_fees_back_office(client: Client, admin: User, staff: User) -> None:
    urls = [BASE, IMPORT, CAPACITY, "/backoffice/fees/payee/", "/backoffice/fees/refund-accounts/"]
    for url in urls:
        assert client.get(url)["Location"].startswith("/backoffice/login/")
    client.force_login(admin)
    for url in urls:
        assert sent_to_login(client.get(url), "backoffice")


def test_a_bad_csv_lists_every_bad_row_on_the_page_and_issues_nothing(
    staff_client: Client, profile: MemberProfile, payee: PayeeAccount
) -> None:
    code = profile.organization.code
    data = csv_bytes(f"{code},2025,1200000,0,{due()}", f"9999,2025,1,0,{due()}", f"{code},2025,abc,0,{due()}")
    response = staff_client.post(IMPORT, {"file": csv_file(data)})
    assert response.status_code == 200
    page = html(response)
    assert "請求書は1件も発行していません" in page
    assert "3行目" in page and "事業者コード「9999」の事業者は登録されていません。" in page
    assert "4行目" in page and "金額は0以上の整数（円）で入力してください。" in page
    assert [(error.line, error.column_label) for error in response.context["row_errors"]] == [
        (3, "事業者コード"),
        (4, "金額"),
    ]
    assert not Invoice.objects.exists() and not OutboxMessage.objects.exists()


def test_a_good_cp932_csv_issues_invoices_and_mails(
    staff_client: Client, profile: MemberProfile, other_profile: MemberProfile, payee: PayeeAccount
) -> None:
    rows = [
        f"{profile.organization.code},2025,1200000,0,{due()}",
        f"{other_profile.organization.code},2025,1,0,{due()}",
    ]
    preview = staff_client.post(
        IMPORT, {"file": csv_file(csv_bytes(*rows, encoding="cp932")), "dry_run": "on"}
    )
    assert "2件の請求書を発行できます" in html(preview) and "北海電力株式会社" in html(preview)
    assert not Invoice.objects.exists()

    response = staff_client.post(IMPORT, {"file": csv_file(csv_bytes(*rows, encoding="cp932"))}, follow=True)
    assert "2件の請求書を発行し、2会員に通知メールを送信しました。" in html(response)
    assert Invoice.objects.count() == 2 and OutboxMessage.objects.count() == 2
    assert "会費.csv" in html(response)  # the batch


def test_the_template_csv_opens_in_excel(staff_client: Client) -> None:
    response = staff_client.get(reverse("backoffice:fees_invoice_template"))
    assert response.content.startswith("\ufeff事業者コード,年度,金額,消費税,支払期限\r\n".encode())


def test_staff_record_and_cancel_a_payment(
    staff_client: Client, staff: User, profile: MemberProfile, payee: PayeeAccount
) -> None:
    (invoice,) = invoices.import_invoices(
        actor=staff, data=csv_bytes(f"{profile.organization.code},2025,1200000,0,{due()}"), filename="a.csv"
    ).invoices
    url = reverse("backoffice:fees_invoice_detail", args=[invoice.pk])
    future = staff_client.post(url, {"paid_on": (timezone.localdate().replace(year=2099)).isoformat()})
    assert "入金日に未来の日付は指定できません。" in html(future)
    staff_client.post(url, {"paid_on": timezone.localdate().isoformat()})
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert "支払済" in html(staff_client.get(url))
    staff_client.post(reverse("backoffice:fees_invoice_payment_cancel", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.paid_on is None
    pdf = staff_client.get(reverse("backoffice:fees_invoice_pdf", args=[invoice.pk]))
    assert invoice.number in pdf_text(pdf.content)


def test_the_invoice_list_filters_and_its_queries_do_not_grow(
    staff_client: Client,
    staff: User,
    profile: MemberProfile,
    other_profile: MemberProfile,
    payee: PayeeAccount,
    django_assert_max_num_queries: Any,
) -> None:
    code, other = profile.organization.code, other_profile.organization.code
    invoices.import_invoices(actor=staff, data=csv_bytes(f"{code},2024,1,0,{due()}"), filename="a.csv")
    staff_client.get(BASE)
    with django_assert_max_num_queries(12) as few:
        staff_client.get(BASE)
    baseline = len(few.captured_queries)
    rows = [f"{c},{year},1,0,{due()}" for c in (code, other) for year in range(2010, 2020)]
    invoices.import_invoices(actor=staff, data=csv_bytes(*rows), filename="b.csv")
    with django_assert_max_num_queries(baseline):
        response = staff_client.get(BASE)
    assert response.context["page"].paginator.count == 21
    assert [
        i.organization_code for i in staff_client.get(BASE, {"q": other}).context["page"].object_list
    ] == ([other] * 10)
    assert staff_client.get(BASE, {"fiscal_year": "2024"}).context["page"].paginator.count == 1


def test_staff_register_a_new_payee_account(staff_client: Client, payee: PayeeAccount) -> None:
    url = reverse("backoffice:fees_payee_account")
    bad = staff_client.post(url, {**PAYEE, "account_number": "12"})
    assert "口座番号は7桁の半角数字で入力してください。" in html(bad)
    staff_client.post(
        url, {**PAYEE, "branch_code": "００２", "holder_name": "でんりょくこういきてきうんえいすいしんきかん"}
    )
    newest = PayeeAccount.objects.order_by("-id").first()
    assert newest is not None and newest.pk != payee.pk
    assert (newest.branch_code, newest.holder_name) == ("002", "ﾃﾞﾝﾘﾖｸｺｳｲｷﾃｷｳﾝｴｲｽｲｼﾝｷｶﾝ")


def test_staff_upload_publish_and_delete_capacity_documents(
    staff_client: Client, profile: MemberProfile
) -> None:
    code = profile.organization.code
    values = {
        "organization_code": code,
        "kind": "payment_notice",
        "title": "7月分 支払通知書",
        "fiscal_year": "2025",
    }
    not_pdf = staff_client.post(
        reverse("backoffice:fees_capacity_upload"),
        {
            **values,
            "file": SimpleUploadedFile("a.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
        },
    )
    assert "PDFファイルを指定してください" in html(not_pdf)
    assert not CapacityDocument.objects.exists()

    unknown = staff_client.post(
        reverse("backoffice:fees_capacity_upload"),
        {**values, "organization_code": "9999", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
    )
    assert "事業者コード「9999」の会員はありません。" in html(unknown)

    for title in ("掲載する書類", "削除する書類"):
        response = staff_client.post(
            reverse("backoffice:fees_capacity_upload"),
            {**values, "title": title, "file": SimpleUploadedFile("支払通知書.pdf", pdf_bytes(title))},
        )
        assert response["Location"] == CAPACITY
    keep, drop = CapacityDocument.objects.order_by("id")
    assert keep.original_name == "支払通知書.pdf" and keep.published_at is None
    file = staff_client.get(reverse("backoffice:fees_capacity_file", args=[keep.pk]))
    assert file.content == pdf_bytes("掲載する書類")

    staff_client.post(reverse("backoffice:fees_capacity_publish", args=[keep.pk]))
    staff_client.post(reverse("backoffice:fees_capacity_delete", args=[drop.pk]))
    keep.refresh_from_db()
    assert keep.published_at is not None
    assert list(CapacityDocument.objects.all()) == [keep]
    refused = staff_client.post(reverse("backoffice:fees_capacity_delete", args=[keep.pk]), follow=True)
    assert "掲載済みの書類は削除できません。" in html(refused)
    assert "掲載済" in html(staff_client.get(CAPACITY, {"published": "yes"}))


def test_staff_list_and_download_the_refund_accounts(staff_client: Client, admin: User) -> None:
    values = {
        "bank_name": "広域銀行",
        "bank_code": "0999",
        "branch_name": "豊洲支店",
        "branch_code": "123",
        "account_type": "current",
        "account_number": "7654321",
        "holder_name": "ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ",
    }
    accounts.save_refund_account(actor=admin, values=values)
    assert RefundAccount.objects.count() == 1
    page = html(staff_client.get("/backoffice/fees/refund-accounts/"))
    assert "ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ" in page and "当座" in page
    data = staff_client.get("/backoffice/fees/refund-accounts/", {"download": "csv"}).content.decode(
        "utf-8-sig"
    )
    header, row = data.splitlines()
    assert header.startswith("事業者コード,会社名,金融機関名,金融機関コード")
    assert "7654321" in row and "当座" in row
    # Every member's bank details in one file: taking it is audited.
    export = Event.objects.get(action="fees.refund_accounts_export")
    assert export.actor_id is not None and export.detail == {"query": "", "accounts": 1}


@pytest.mark.parametrize("url", [BASE, CAPACITY, "/backoffice/fees/refund-accounts/"])
def test_lists_render_empty(staff_client: Client, url: str) -> None:
    assert staff_client.get(url).status_code == 200
