"""Capacity Market System screens (CAP-R1..R2, CAP-P1..P2, CAP-U1), mounted at /capacity/ under the
namespace "cap"; login, menu, profile and password are identity's (namespace "capacity")."""

from django.urls import path

from kouiki.capacity.views import apply, operator, sources
from kouiki.identity.views import capacity_users

app_name = "cap"

urlpatterns = [
    # The application to use the system, before an account exists (CAP-R1, CAP-R2).
    path("apply/", apply.apply, name="apply"),
    path("apply/received/", apply.received, name="apply_received"),
    path("apply/status/", apply.lookup, name="apply_lookup"),
    path("apply/status/application/", apply.status, name="apply_status"),
    # 事業者情報 (CAP-R1, CAP-R2)
    path("operator/", operator.detail, name="operator"),
    path("operator/history/", operator.history, name="operator_history"),
    path("operator/change/", operator.change, name="operator_change"),
    path("operator/delete/", operator.delete, name="operator_delete"),
    path("operator/applications/", operator.applications, name="operator_applications"),
    path("operator/applications/<int:pk>/", operator.application, name="operator_application"),
    path("operator/applications/<int:pk>/edit/", operator.application_edit, name="operator_application_edit"),
    path(
        "operator/applications/<int:pk>/withdraw/",
        operator.application_withdraw,
        name="operator_application_withdraw",
    ),
    # 電源等情報 (CAP-P1, CAP-P2)
    path("sources/", sources.source_list, name="source_list"),
    path("sources/new/", sources.source_new, name="source_new"),
    path("sources/import/", sources.source_import, name="source_import"),
    path("sources/import/template.csv", sources.source_import_template, name="source_import_template"),
    path("sources/export.csv", sources.source_export, name="source_export"),
    path("sources/applications/", sources.applications, name="source_applications"),
    path("sources/applications/<int:pk>/", sources.application, name="source_application"),
    path("sources/applications/<int:pk>/edit/", sources.application_edit, name="source_application_edit"),
    path(
        "sources/applications/<int:pk>/withdraw/",
        sources.application_withdraw,
        name="source_application_withdraw",
    ),
    path("sources/<str:source_id>/", sources.source_detail, name="source_detail"),
    path("sources/<str:source_id>/change/", sources.source_change, name="source_change"),
    path("sources/<str:source_id>/delete/", sources.source_delete, name="source_delete"),
    # ユーザ情報管理 (CAP-U1)
    path("users/", capacity_users.user_list, name="user_list"),
    path("users/new/", capacity_users.user_create, name="user_create"),
    path("users/<int:pk>/", capacity_users.user_detail, name="user_detail"),
    path("users/<int:pk>/delete/", capacity_users.user_delete, name="user_delete"),
    path("users/<int:pk>/password/", capacity_users.user_password, name="user_password"),
    path("users/<int:pk>/unlock/", capacity_users.user_unlock, name="user_unlock"),
    path("users/<int:pk>/handover/", capacity_users.user_handover, name="user_handover"),
]
