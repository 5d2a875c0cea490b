"""Back office: membership-fee invoices issued from a CSV, payments, the payee account (MEM-F1's
organization side), capacity-market documents and the members' refund accounts (MEM-F2's)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core.csvio import csv_response
from kouiki.core.errors import KouikiError
from kouiki.core.lists import list_page
from kouiki.core.pdf import pdf_response
from kouiki.fees import selectors
from kouiki.fees.forms import (
    BankAccountForm,
    CapacityDocumentForm,
    InvoiceImportForm,
    PaymentForm,
    StaffCapacityFilterForm,
    StaffInvoiceFilterForm,
)
from kouiki.fees.services import accounts, capacity, invoices
from kouiki.fees.views.responses import document_response
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50


# --- invoices -------------------------------------------------------------------------------------


@staff_required
@require_GET
def invoice_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Every invoice issued, by year and state, with the batches that issued them."""
    return list_page(
        request,
        form=StaffInvoiceFilterForm(
            request.GET or None, fiscal_years=selectors.invoice_fiscal_years(actor=actor)
        ),
        select=partial(selectors.invoices, actor=actor),
        template="backoffice/fees/invoice_list.html",
        title="会費請求書",
        context={
            "batches": selectors.invoice_batches(actor=actor)[:10],
            "payee": selectors.current_payee_account(),
        },
        page_size=PAGE_SIZE,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def invoice_import(request: HttpRequest, actor: User) -> HttpResponse:
    """Issue invoices from a CSV; a file with one bad row issues nothing and lists every bad row."""
    form = InvoiceImportForm(request.POST or None, request.FILES or None)
    row_errors = None
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        try:
            outcome = invoices.import_invoices(
                actor=actor, data=upload.read(), filename=upload.name, dry_run=dry_run
            )
        except invoices.InvoiceImportFailed as error:
            row_errors = error.row_errors
            messages.error(request, error.message)
        except KouikiError as error:
            messages.error(request, error.message)
        else:
            if dry_run:
                preview = outcome.planned
                messages.info(
                    request,
                    f"誤りはありません。{len(preview)}件の請求書を発行できます（まだ発行していません）。",
                )
            else:
                batch = outcome.batch
                assert batch is not None
                messages.success(
                    request,
                    f"{batch.invoice_count}件の請求書を発行し、{batch.mail_count}会員に通知メールを送信しました。",
                )
                return redirect("backoffice:fees_invoice_list")
    return render(
        request,
        "backoffice/fees/invoice_import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "preview": preview,
            "header": invoices.HEADER,
            "payee": selectors.current_payee_account(),
            "title": "会費請求書の一括発行",
        },
    )


@staff_required
@require_GET
def invoice_template(request: HttpRequest, actor: User) -> HttpResponse:
    return csv_response("会費請求データ_見本.csv", invoices.csv_template())


@staff_required
@require_http_methods(["GET", "POST"])
def invoice_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One invoice, and the form that records its payment."""
    invoice = selectors.invoice(actor=actor, pk=pk)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invoices.record_payment(actor=actor, invoice=invoice, paid_on=form.cleaned_data["paid_on"])
        except KouikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"請求書 {invoice.number} の入金を記録しました。")
        return redirect("backoffice:fees_invoice_detail", pk=invoice.pk)
    return render(
        request,
        "backoffice/fees/invoice_detail.html",
        {"invoice": invoice, "form": form, "title": f"請求書 {invoice.number}"},
    )


@staff_required
@require_POST
def invoice_payment_cancel(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    invoice = selectors.invoice(actor=actor, pk=pk)
    try:
        invoices.cancel_payment(actor=actor, invoice=invoice)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"請求書 {invoice.number} の入金記録を取り消しました。")
    return redirect("backoffice:fees_invoice_detail", pk=invoice.pk)


@staff_required
@require_GET
def invoice_pdf(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    invoice = selectors.invoice(actor=actor, pk=pk)
    pdf = invoices.download_invoice_pdf(actor=actor, invoice=invoice)
    return pdf_response(pdf, f"請求書_{invoice.number}.pdf")


@staff_required
@require_http_methods(["GET", "POST"])
def payee_account(request: HttpRequest, actor: User) -> HttpResponse:
    """The account members pay fees into; registering a new one keeps the old in the list."""
    current = selectors.current_payee_account()
    initial = {field: getattr(current, field) for field in accounts.ACCOUNT_FIELDS} if current else None
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        accounts.register_payee_account(actor=actor, values=form.values())
        messages.success(request, "振込先口座を登録しました。これから発行する請求書に記載されます。")
        return redirect("backoffice:fees_payee_account")
    return render(
        request,
        "backoffice/fees/payee_account.html",
        {
            "form": form,
            "current": current,
            "accounts": selectors.payee_accounts(actor=actor)[:20],
            "title": "会費の振込先口座",
        },
    )


# --- capacity-market documents --------------------------------------------------------------------


@staff_required
@require_GET
def capacity_list(request: HttpRequest, actor: User) -> HttpResponse:
    return list_page(
        request,
        form=StaffCapacityFilterForm(request.GET or None),
        select=partial(selectors.capacity_documents, actor=actor),
        template="backoffice/fees/capacity_list.html",
        title="容量市場請求書等",
        page_size=PAGE_SIZE,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def capacity_upload(request: HttpRequest, actor: User) -> HttpResponse:
    """Upload one PDF for one member, as a draft to check before publishing."""
    form = CapacityDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            capacity.upload_capacity_document(
                actor=actor,
                organization_code=data["organization_code"],
                kind=data["kind"],
                title=data["title"],
                fiscal_year=data["fiscal_year"],
                month=data["month"],
                amount=data["amount"],
                file=data["file"],
                filename=data["file"].name,
            )
        except KouikiError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "書類を登録しました（未掲載）。内容を確認して掲載してください。")
            return redirect("backoffice:fees_capacity_list")
    return render(
        request,
        "backoffice/fees/capacity_form.html",
        {"form": form, "max_mb": capacity.MAX_PDF_BYTES // (1024 * 1024), "title": "容量市場請求書等の登録"},
    )


@staff_required
@require_GET
def capacity_file(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    document = selectors.capacity_document(actor=actor, pk=pk)
    capacity.open_capacity_document_as_staff(actor=actor, document=document)
    return document_response(document)


@staff_required
@require_POST
def capacity_publish(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    document = selectors.capacity_document(actor=actor, pk=pk)
    try:
        capacity.publish_capacity_document(actor=actor, document=document)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"「{document.title}」を掲載し、会員の容量市場担当者に通知しました。")
    return redirect("backoffice:fees_capacity_list")


@staff_required
@require_POST
def capacity_delete(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    document = selectors.capacity_document(actor=actor, pk=pk)
    try:
        capacity.delete_capacity_document(actor=actor, document=document)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"未掲載の書類「{document.title}」を削除しました。")
    return redirect("backoffice:fees_capacity_list")


# --- refund accounts ------------------------------------------------------------------------------


@staff_required
@require_GET
def refund_account_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The refund accounts members registered; `?download=csv` gives them all as CSV."""
    query = request.GET.get("q", "").strip()[:100]
    if request.GET.get("download") == "csv":
        return csv_response(
            "容量市場口座情報等.csv", accounts.export_refund_accounts(actor=actor, query=query)
        )
    return list_page(
        request,
        select=partial(selectors.refund_accounts, actor=actor, query=query),
        template="backoffice/fees/refund_accounts.html",
        title="容量市場口座情報等",
        context={"query": query},
        page_size=PAGE_SIZE,
    )
