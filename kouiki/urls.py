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
    path("api/switching/v1/", include("kouiki.switching.api.urls")),
    path("switching/tokens/", include("kouiki.identity.urls_tokens")),
    path("switching/callbacks/", include("kouiki.identity.urls_callbacks")),
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
    # The operators' simulator served over HTTP (404 unless KOUIKI_TSO_SIMULATOR_HTTP is on).
    path("tso-simulator/", include("kouiki.tso.urls")),
    path("admin/", admin.site.urls),
]
