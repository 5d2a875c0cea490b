"""Back office: the audit log viewer (/backoffice/audit/)."""

from django.urls import path

from kouiki.backoffice.views import audit

urlpatterns = [
    path("", audit.event_list, name="audit_list"),
    path("export/", audit.event_export, name="audit_export"),
    path("<int:pk>/", audit.event_detail, name="audit_detail"),
]
