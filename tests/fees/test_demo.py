"""The fees demo data of 広域電力株式会社 (9001): one paid, one overdue and one unpaid invoice, a
published refund notice and the refund account; loading it twice adds nothing."""

from __future__ import annotations

from django.test import Client

from kouiki.core import demo
from kouiki.fees import demo as fees_demo
from kouiki.fees.models import CapacityDocument, Invoice, InvoiceState, RefundAccount
from kouiki.identity import demo as identity_demo
from kouiki.identity.selectors import user_by_credentials
from kouiki.membership import demo as membership_demo
from tests.fees.helpers import pdf_text


def test_the_demo_member_has_invoices_in_every_state_and_a_notice(client: Client, db: None) -> None:
    assert "fees" in [name for name, _loader in demo.loaders()]
    identity_demo.load()
    membership_demo.load()
    assert fees_demo.load() > 0
    assert fees_demo.load() == 0

    states = sorted(invoice.state for invoice in Invoice.objects.filter(organization_code="9001"))
    assert states == sorted([InvoiceState.PAID, InvoiceState.OVERDUE, InvoiceState.UNPAID])
    notice = CapacityDocument.objects.get()
    assert notice.published_at is not None
    assert "還元額通知" in pdf_text(notice.file.read())
    assert RefundAccount.objects.get().history.count() == 1

    user = user_by_credentials("9001", "usr001")  # 総会・会費 duties
    assert user is not None
    client.force_login(user)
    page = client.get("/member/fees/invoices/").content.decode()
    assert all(label in page for label in ("未払い", "支払済", "期限超過"))
    assert client.get("/member/fees/capacity/").status_code == 403
