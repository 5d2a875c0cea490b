"""Top-level URLs: one prefix per system, the back office, the API, the Django admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

handler400 = "kouiki.core.views.bad_request"
handler403 = "kouiki.core.views.permission_denied"
handler404 = "kouiki.core.views.page_not_found"
handler500 = "kouiki.core.views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(url="/member/", permanent=False)),
    path("member/join/", include("kouiki.membership.urls_join")),
    path("member/assembly/", include("kouiki.assembly.urls")),
    path("member/fees/", include("kouiki.fees.urls")),
    path("member/", include("kouiki.identity.urls_member")),
    path("member/", include("kouiki.membership.urls_info")),
    path(
        "switching/notices/",
        include("kouiki.notices.urls", namespace="switching_notices"),
        {"system": "switching"},
    ),
    path("switching/", include("kouiki.identity.urls_switching")),
    path("switching/", include("kouiki.switching.urls")),
    path(
        "capacity/notices/",
        include("kouiki.notices.urls", namespace="capacity_notices"),
        {"system": "capacity"},
    ),
    path("capacity/", include("kouiki.identity.urls_capacity")),
    path("capacity/", include("kouiki.capacity.urls")),
    path("terms/", include("kouiki.terms.urls")),
    path("backoffice/", include("kouiki.backoffice.urls")),
    path("admin/", admin.site.urls),
]
