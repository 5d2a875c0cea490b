"""Member Information Management System (会員情報管理システム): login and user screens."""

from django.urls import path

from kouiki.identity.views import auth, member, otp

app_name = "member"
SYSTEM = {"system": "member"}

urlpatterns = [
    path("", member.menu, name="menu"),
    path("login/", auth.protect(auth.participant_login), SYSTEM, name="login"),
    path("login/otp/", auth.protect(auth.participant_otp), SYSTEM, name="login_otp"),
    path("logout/", auth.logout_view, SYSTEM, name="logout"),
    path("password/change/", auth.protect(auth.member_password_change), SYSTEM, name="password_change"),
    path("password/reset/", auth.protect(auth.password_reset_request), SYSTEM, name="password_reset"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        auth.protect(auth.password_reset_confirm),
        SYSTEM,
        name="password_reset_confirm",
    ),
    path("profile/", member.profile, name="profile"),
    path("otp/", otp.member_otp, name="otp"),
    path("otp/remove/", otp.member_otp_remove, name="otp_remove"),
    path("users/", member.user_list, name="user_list"),
    path("users/new/", member.user_create, name="user_create"),
    path("users/<int:pk>/", member.user_detail, name="user_detail"),
    path("users/<int:pk>/delete/", member.user_delete, name="user_delete"),
    path("users/<int:pk>/password/", member.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/unlock/", member.user_unlock, name="user_unlock"),
]
