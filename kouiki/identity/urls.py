"""identity's screens in each system: the member system's own (login, users, 2FA), the shell the
switching and capacity systems share (`patterns_for(system)`: login, menu, profile, password), and
the switching administrator's API tokens and callback endpoint."""

from __future__ import annotations

from django.urls import URLPattern, path

from kouiki.core.systems import System
from kouiki.identity.views import (
    auth,
    callbacks,
    certificates,
    contractors,
    member,
    otp,
    portal,
    switching_users,
    system,
    system_use,
    tokens,
)


def patterns_for(name: str) -> list[URLPattern]:
    kwargs = {"system": name}
    return [
        path("", system.system_menu, kwargs, name="menu"),
        path("login/", auth.protect(auth.participant_login), kwargs, name="login"),
        path("login/otp/", auth.protect(auth.participant_otp), kwargs, name="login_otp"),
        path("logout/", auth.logout_view, kwargs, name="logout"),
        path("profile/", system.system_profile, kwargs, name="profile"),
        # 利用終了の申請 (X-S3): the administrator's, in the switching and capacity systems alike
        path("termination/", system_use.termination, kwargs, name="termination"),
        path("password/change/", auth.protect(system.system_password_change), kwargs, name="password_change"),
        path("password/reset/", auth.protect(auth.password_reset_request), kwargs, name="password_reset"),
        path(
            "password/reset/<str:uidb64>/<str:token>/",
            auth.protect(auth.password_reset_confirm),
            kwargs,
            name="password_reset_confirm",
        ),
        # クライアント証明書 (X-C1): the administrator's, in the switching and capacity systems alike
        path("certificates/", certificates.certificate_list, kwargs, name="certificates"),
        path("certificates/issue/", certificates.certificate_issue, kwargs, name="certificate_issue"),
        path(
            "certificates/<int:pk>/bundle/",
            certificates.certificate_bundle,
            kwargs,
            name="certificate_bundle",
        ),
        path("certificates/<int:pk>/loss/", certificates.certificate_loss, kwargs, name="certificate_loss"),
    ]


# The portal at `/`: the systems and their login pages.
portal_urls = ([path("", portal.portal, name="portal")], "portal")


# Member Information Management System (会員情報管理システム): login and user screens.
SYSTEM = {"system": "member"}
member_urls = (
    [
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
    ],
    "member",
)


# Switching Support System (スイッチング支援システム): login, password, menu, own profile, and the
# administrator's user administration (SW-U01..U11) under `switching/users/`.
switching_urls = (
    [
        *patterns_for(System.SWITCHING),
        path("users/", switching_users.user_list, name="user_list"),
        path("users/csv/", switching_users.user_csv, name="user_csv"),
        path("users/new/", switching_users.user_create, name="user_create"),
        path("users/bulk/", switching_users.user_bulk, name="user_bulk"),
        path("users/admin-change/", switching_users.admin_change, name="admin_change"),
        path("users/<int:pk>/", switching_users.user_detail, name="user_detail"),
        path("users/<int:pk>/change/", switching_users.user_update, name="user_update"),
        path("users/<int:pk>/delete/", switching_users.user_delete, name="user_delete"),
        path("users/<int:pk>/unlock/", switching_users.user_unlock, name="user_unlock"),
        path("users/<int:pk>/active/", switching_users.user_active, name="user_active"),
        path("users/<int:pk>/password/", switching_users.user_password, name="user_password"),
        path("users/<int:pk>/rights/", switching_users.user_rights, name="user_rights"),
        # 業務委託 (受託者, X-I2): the principal's grants, the contractor's principals and selector
        path("contractors/", contractors.grant_list, name="contractor_grants"),
        path("contractors/new/", contractors.grant_create, name="contractor_grant_create"),
        path("contractors/<int:pk>/revoke/", contractors.grant_revoke, name="contractor_grant_revoke"),
        path("principals/", contractors.principal_list, name="contractor_principals"),
        path("acting/", contractors.acting_choose, name="acting"),
    ],
    "switching",
)


# Capacity Market System (容量市場システム): login, password, menu, own profile.
capacity_urls = (patterns_for(System.CAPACITY), "capacity")


# API tokens of the switching system's users: include at `switching/tokens/` (kouiki/urls.py).
tokens_urls = (
    [
        path("", tokens.token_list, name="list"),
        path("<int:pk>/revoke/", tokens.token_revoke, name="revoke"),
    ],
    "sw_tokens",
)


# The switching system's event callbacks: include at `switching/callbacks/` (kouiki/urls.py).
callbacks_urls = (
    [
        path("", callbacks.endpoint, name="endpoint"),
        path("rotate/", callbacks.action, {"name": "rotate"}, name="rotate"),
        path("stop/", callbacks.action, {"name": "stop"}, name="stop"),
        path("ping/", callbacks.action, {"name": "ping"}, name="ping"),
        path("deliveries/<int:pk>/retry/", callbacks.retry, name="retry"),
    ],
    "sw_callbacks",
)
