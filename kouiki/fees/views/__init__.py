"""Member screens of fees: MEM-F1 請求書の確認 and MEM-F2 容量市場請求書等情報管理 (invoices and
notices of the capacity market, and the refund account). Views parse input, call one service or
selector, and render; the selectors refuse users without the 担当業務."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core.errors import Forbidden, KouikiError
from kouiki.core.lists import list_page
from kouiki.core.pdf import pdf_response
from kouiki.fees import selectors
from kouiki.fees.forms import BankAccountForm, CapacityFilterForm, InvoiceFilterForm
from kouiki.fees.services import accounts, capacity, invoices
from kouiki.fees.views.responses import document_response
from kouiki.identity.access import function_required

if TYPE_CHECKING:
    from kouiki.identity.models import User


# --- MEM-F1 請求書の確認 -----------------------------------------------------------------------------


@function_required("MEM-F1")
@require_GET
def invoice_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The member's invoices with their state (未払い / 支払済 / 期限超過), by fiscal year."""
    return list_page(
        request,
        form=InvoiceFilterForm(
            request.GET or None, fiscal_years=selectors.invoice_fiscal_years_for(actor=actor)
        ),
        select=partial(selectors.invoices_for, actor=actor),
        template="fees/invoice_list.html",
        title="請求書の確認",
    )


@function_required("MEM-F1")
@require_GET
def invoice_pdf(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One invoice as PDF; every download is audited."""
    invoice = selectors.invoice_for(actor=actor, pk=pk)
    pdf = invoices.download_invoice_pdf(actor=actor, invoice=invoice)
    return pdf_response(pdf, f"請求書_{invoice.number}.pdf", inline=False)


# --- MEM-F2 容量市場請求書等情報管理 ---------------------------------------------------------------------


@function_required("MEM-F2")
@require_GET
def capacity_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The capacity-market documents published for the member, newest first, with read marks."""
    return list_page(
        request,
        form=CapacityFilterForm(
            request.GET or None, fiscal_years=selectors.capacity_fiscal_years_for(actor=actor)
        ),
        select=partial(selectors.capacity_documents_for, actor=actor),
        template="fees/capacity_list.html",
        title="容量市場請求書等情報管理",
        context={"account_required": selectors.refund_account_required_for(actor=actor)},
    )


@function_required("MEM-F2")
@require_GET
def capacity_file(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """Download one document; it is marked read for this user."""
    document = capacity.open_capacity_document(actor=actor, pk=pk)
    return document_response(document)


@function_required("MEM-F2")
@require_GET
def refund_account(request: HttpRequest, actor: User) -> HttpResponse:
    """容量市場口座情報等: the registered refund account and its history (retailers and registered
    specified T&D operators; other members see that they need not register one)."""
    required = selectors.refund_account_required_for(actor=actor)
    account = selectors.refund_account_for(actor=actor)
    return render(
        request,
        "fees/refund_account.html",
        {
            "required": required,
            "account": account,
            "versions": selectors.account_versions(account) if account is not None else [],
            "can_change": required and selectors.is_member_admin(actor),
            "title": "容量市場口座情報等",
        },
    )


@function_required("MEM-F2")
@require_http_methods(["GET", "POST"])
def refund_account_edit(request: HttpRequest, actor: User) -> HttpResponse:
    """Register or change the refund account (administrators only)."""
    account = selectors.refund_account_for(actor=actor)
    if not selectors.is_member_admin(actor):
        raise Forbidden("容量市場口座情報等の登録・変更は管理者のみ行えます。")
    if not selectors.refund_account_required_for(actor=actor):
        messages.info(request, "貴社は容量市場口座情報等の登録の対象ではありません。")
        return redirect("fees:refund_account")
    initial = {field: getattr(account, field) for field in accounts.ACCOUNT_FIELDS} if account else None
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if initial == form.values():
            messages.info(request, "変更された項目はありません。")
            return redirect("fees:refund_account")
        try:
            accounts.save_refund_account(actor=actor, values=form.values())
        except KouikiError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, "容量市場口座情報等を登録しました。管理者の方にお知らせのメールを送信しました。"
            )
            return redirect("fees:refund_account")
    return render(
        request,
        "fees/refund_account_form.html",
        {"form": form, "account": account, "title": "容量市場口座情報等の登録・変更"},
    )
