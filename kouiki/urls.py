"""Top-level URLs: the portal, one prefix per system, the back office, the API, the Django admin."""

from django.contrib import admin
from django.urls import include, path

from kouiki.core.api import api_index
from kouiki.identity import urls as identity_urls
from kouiki.membership import urls as membership_urls
from kouiki.switching.api.api import api as switching_api

handler400 = "kouiki.core.views.bad_request"
handler403 = "kouiki.core.views.permission_denied"
handler404 = "kouiki.core.views.page_not_found"
handler500 = "kouiki.core.views.server_error"

urlpatterns = [
    path("", include(identity_urls.portal_urls)),
    path("member/join/", include(membership_urls.join_urls)),
    path("member/assembly/", include("kouiki.assembly.urls")),
    path("member/fees/", include("kouiki.fees.urls")),
    path("member/", include(identity_urls.member_urls)),
    path("member/", include(membership_urls.info_urls)),
    path(
        "switching/notices/",
        include("kouiki.notices.urls", namespace="switching_notices"),
        {"system": "switching"},
    ),
    path("api/", api_index, {"apis": [switching_api]}),
    path("api/<str:system>/", api_index, {"apis": [switching_api]}),
    path("api/switching/v1/", include("kouiki.switching.api.urls")),
    path("switching/tokens/", include(identity_urls.tokens_urls)),
    path("switching/callbacks/", include(identity_urls.callbacks_urls)),
    path("switching/", include(identity_urls.switching_urls)),
    path("switching/", include("kouiki.switching.urls")),
    path(
        "capacity/notices/",
        include("kouiki.notices.urls", namespace="capacity_notices"),
        {"system": "capacity"},
    ),
    path("capacity/", include(identity_urls.capacity_urls)),
    path("capacity/", include("kouiki.capacity.urls")),
    path("terms/", include("kouiki.terms.urls")),
    path("backoffice/", include("kouiki.backoffice.urls")),
    # The operators' simulator served over HTTP (404 unless KOUIKI_TSO_SIMULATOR_HTTP is on).
    path("tso-simulator/", include("kouiki.tso.urls")),
    path("admin/", admin.site.urls),
]
