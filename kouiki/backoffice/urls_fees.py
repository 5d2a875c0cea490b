"""Back office: membership-fee invoices, the payee account, capacity-market documents and the
members' refund accounts (/backoffice/fees/)."""

from django.urls import path

from kouiki.backoffice.views import fees

urlpatterns = [
    path("", fees.invoice_list, name="fees_invoice_list"),
    path("invoices/import/", fees.invoice_import, name="fees_invoice_import"),
    path("invoices/template.csv", fees.invoice_template, name="fees_invoice_template"),
    path("invoices/<int:pk>/", fees.invoice_detail, name="fees_invoice_detail"),
    path("invoices/<int:pk>/pdf/", fees.invoice_pdf, name="fees_invoice_pdf"),
    path(
        "invoices/<int:pk>/payment/cancel/", fees.invoice_payment_cancel, name="fees_invoice_payment_cancel"
    ),
    path("payee/", fees.payee_account, name="fees_payee_account"),
    path("capacity/", fees.capacity_list, name="fees_capacity_list"),
    path("capacity/new/", fees.capacity_upload, name="fees_capacity_upload"),
    path("capacity/<int:pk>/file/", fees.capacity_file, name="fees_capacity_file"),
    path("capacity/<int:pk>/publish/", fees.capacity_publish, name="fees_capacity_publish"),
    path("capacity/<int:pk>/delete/", fees.capacity_delete, name="fees_capacity_delete"),
    path("refund-accounts/", fees.refund_account_list, name="fees_refund_accounts"),
]
