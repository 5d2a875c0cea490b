"""Member screens of fees (MEM-F1, MEM-F2), mounted at /member/fees/."""

from django.urls import path

from kouiki.fees import views

app_name = "fees"

urlpatterns = [
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("capacity/", views.capacity_list, name="capacity_list"),
    path("capacity/<int:pk>/file/", views.capacity_file, name="capacity_file"),
    path("capacity/account/", views.refund_account, name="refund_account"),
    path("capacity/account/edit/", views.refund_account_edit, name="refund_account_edit"),
]
