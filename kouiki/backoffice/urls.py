"""The organization's staff screens. Each area has its own URL module."""

from django.urls import include, path

from kouiki.backoffice.views import auth, home

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/otp/", auth.otp_view, name="login_otp"),
    path("otp/setup/", auth.otp_setup_view, name="otp_setup"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/change/", auth.protect_password_change, name="password_change"),
    path("audit/", include("kouiki.backoffice.urls_audit")),
    path("mail/", include("kouiki.backoffice.urls_outbox")),
    path("reviews/", include("kouiki.backoffice.urls_reviews")),
    path("joining/", include("kouiki.backoffice.urls_joining")),
    path("members/", include("kouiki.backoffice.urls_members")),
    path("assembly/", include("kouiki.backoffice.urls_assembly")),
    path("fees/", include("kouiki.backoffice.urls_fees")),
    path("capacity/", include("kouiki.backoffice.urls_capacity")),
    path("notices/", include("kouiki.backoffice.urls_notices")),
    path("terms/", include("kouiki.backoffice.urls_terms")),
    path("calendar/", include("kouiki.backoffice.urls_calendar")),
    path("switching/", include("kouiki.backoffice.urls_switching")),
    path("tso/", include("kouiki.backoffice.urls_tso")),
]
