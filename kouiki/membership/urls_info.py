"""Member information screens (MEM-I1..I6), mounted at /member/ beside identity's member screens."""

from django.urls import path

from kouiki.membership import views_changes, views_info

app_name = "membership"

urlpatterns = [
    path("info/", views_info.info, name="info"),
    path("info/history/", views_info.info_history, name="info_history"),
    path("certificate/", views_info.certificate, name="certificate"),
    path("certificate/<str:number>.pdf", views_info.certificate_pdf, name="certificate_pdf"),
    path("verify/", views_info.verify, name="verify"),
    path("changes/", views_changes.change_list, name="change_list"),
    path("changes/new/", views_changes.change_new, name="change_new"),
    path("changes/<int:pk>/", views_changes.change_detail, name="change_detail"),
    path("changes/<int:pk>/edit/", views_changes.change_edit, name="change_edit"),
    path("changes/<int:pk>/withdraw/", views_changes.change_withdraw, name="change_withdraw"),
    path("exit/succession/", views_changes.succession, name="succession"),
    path("exit/withdrawal/", views_changes.withdrawal, name="withdrawal"),
]
