"""The login, password and menu URLs of a participant system other than the member system.

`/switching/` and `/capacity/` include `patterns_for(system)` under the namespace of the system
(`switching:login`, `capacity:menu`, ...); their business screens live in their own apps.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kouiki.identity.views import auth, system


def patterns_for(name: str) -> list[URLPattern]:
    kwargs = {"system": name}
    return [
        path("", system.system_menu, kwargs, name="menu"),
        path("login/", auth.protect(auth.participant_login), kwargs, name="login"),
        path("login/otp/", auth.protect(auth.participant_otp), kwargs, name="login_otp"),
        path("logout/", auth.logout_view, kwargs, name="logout"),
        path("profile/", system.system_profile, kwargs, name="profile"),
        path("password/change/", auth.protect(system.system_password_change), kwargs, name="password_change"),
        path("password/reset/", auth.protect(auth.password_reset_request), kwargs, name="password_reset"),
        path(
            "password/reset/<str:uidb64>/<str:token>/",
            auth.protect(auth.password_reset_confirm),
            kwargs,
            name="password_reset_confirm",
        ),
    ]
