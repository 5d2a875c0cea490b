"""MEM-F1 請求書の確認: the member's invoices with their state, the year filter, the PDF download."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core import catalog
from kouiki.fees.models import Invoice, PayeeAccount
from kouiki.fees.services import invoices
from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from tests.fees.helpers import csv_bytes, due, pdf_text

LIST = "/member/fees/invoices/"


def html(response: Any) -> str:
    return str(response.content.decode())


def issue(staff: User, *rows: str) -> list[Invoice]:
    return invoices.import_invoices(actor=staff, data=csv_bytes(*rows), filename="会費.csv").invoices


@pytest.fixture
def issued(
    staff: User, profile: MemberProfile, other_profile: MemberProfile, payee: PayeeAccount
) -> dict[str, Invoice]:
    """Three invoices of our member (paid 2023, overdue 2024, unpaid 2025) and one of the other."""
    code, other = profile.organization.code, other_profile.organization.code
    rows = [
        f"{code},2023,1000000,0,{due(1)}",
        f"{code},2024,1100000,0,{due(1)}",
        f"{code},2025,1200000,120000,{due(60)}",
        f"{other},2025,900000,0,{due(60)}",
    ]
    by_year = {(i.organization_code, i.fiscal_year): i for i in issue(staff, *rows)}
    invoices.record_payment(actor=staff, invoice=by_year[code, 2023], paid_on=timezone.localdate())
    # 2024 is overdue: its due date has passed.
    Invoice.objects.filter(pk=by_year[code, 2024].pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    return {
        "paid": by_year[code, 2023],
        "overdue": by_year[code, 2024],
        "unpaid": by_year[code, 2025],
        "other": by_year[other, 2025],
    }


def listed(response: Any) -> list[str]:
    return [invoice.number for invoice in response.context["page"].object_list]


def test_urls_are_named() -> None:
    assert reverse("fees:invoice_list") == LIST
    assert reverse("fees:invoice_pdf", args=[7]) == "/member/fees/invoices/7/pdf/"
    function = catalog.get("MEM-F1")
    assert function.built and function.menu == "会費" and catalog.urls(function) == [LIST]


def test_mem_f1_lists_the_members_invoices_with_their_state(
    client: Client, fees_user: User, issued: dict[str, Invoice]
) -> None:
    client.force_login(fees_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [issued["unpaid"].number, issued["overdue"].number, issued["paid"].number]
    page = html(response)
    for text in ["請求書の確認", "未払い", "支払済", "期限超過", "1,320,000円", issued["unpaid"].number]:
        assert text in page, text
    assert issued["other"].number not in page


def test_mem_f1_filters_by_year_and_state(
    client: Client, fees_user: User, issued: dict[str, Invoice]
) -> None:
    client.force_login(fees_user)
    assert listed(client.get(LIST, {"fiscal_year": "2024"})) == [issued["overdue"].number]
    assert listed(client.get(LIST, {"state": "paid"})) == [issued["paid"].number]
    assert listed(client.get(LIST, {"state": "overdue"})) == [issued["overdue"].number]
    assert listed(client.get(LIST, {"state": "unpaid"})) == [issued["unpaid"].number]
    bad = client.get(LIST, {"fiscal_year": "1999"})
    assert listed(bad) == [] and "選択肢から選んでください。" in html(bad)


def test_mem_f1_pdf_download_is_audited(client: Client, fees_user: User, issued: dict[str, Invoice]) -> None:
    client.force_login(fees_user)
    invoice = issued["unpaid"]
    response = client.get(reverse("fees:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "広域電力株式会社" in text and invoice.number in text and "1,320,000円" in text
    event = Event.objects.get(action="fees.invoice_download")
    assert (event.actor_id, event.object_id, event.organization_id) == (
        fees_user.pk,
        str(invoice.pk),
        fees_user.organization_id,
    )


def test_another_members_invoice_is_404(
    client: Client, fees_user: User, other_fees_user: User, issued: dict[str, Invoice]
) -> None:
    client.force_login(fees_user)
    assert client.get(reverse("fees:invoice_pdf", args=[issued["other"].pk])).status_code == 404
    assert client.get(reverse("fees:invoice_pdf", args=[999999])).status_code == 404
    client.force_login(other_fees_user)
    assert client.get(reverse("fees:invoice_pdf", args=[issued["paid"].pk])).status_code == 404
    assert listed(client.get(LIST)) == [issued["other"].number]
    assert not Event.objects.filter(action="fees.invoice_download").exists()


def test_administrators_see_invoices_without_the_duty(
    client: Client, admin: User, issued: dict[str, Invoice]
) -> None:
    assert "fees" not in admin.duties
    client.force_login(admin)
    assert len(listed(client.get(LIST))) == 3
    assert client.get(reverse("fees:invoice_pdf", args=[issued["paid"].pk])).status_code == 200


def test_users_without_the_fees_duty_get_403(
    client: Client, plain_user: User, capacity_user: User, issued: dict[str, Invoice]
) -> None:
    for user in (plain_user, capacity_user):
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 403
        assert "担当業務「会費」" in html(response)
        assert client.get(reverse("fees:invoice_pdf", args=[issued["paid"].pk])).status_code == 403


def test_anonymous_and_staff_are_sent_to_the_member_login(client: Client, staff: User, db: None) -> None:
    assert client.get(LIST)["Location"].startswith("/member/login/")
    client.force_login(staff)
    assert client.get(LIST)["Location"].startswith("/member/login/")


def test_the_menu_shows_each_duty_its_screens(client: Client, fees_user: User, admin: User) -> None:
    client.force_login(fees_user)
    page = html(client.get(reverse("member:menu")))
    assert "請求書の確認" in page and LIST in page
    assert "容量市場請求書等情報管理" not in page
    client.force_login(admin)
    page = html(client.get(reverse("member:menu")))
    assert "請求書の確認" in page and "容量市場請求書等情報管理" in page


def test_mem_f1_list_queries_do_not_grow_with_rows(
    client: Client,
    fees_user: User,
    staff: User,
    profile: MemberProfile,
    payee: PayeeAccount,
    django_assert_max_num_queries: Any,
) -> None:
    code = profile.organization.code
    issue(staff, f"{code},2020,1000,0,{due()}")
    client.force_login(fees_user)
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    baseline = len(few.captured_queries)
    issue(staff, *(f"{code},{year},1000,0,{due()}" for year in range(2000, 2020)))
    client.get(LIST)  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST)
    assert len(listed(response)) == 20
