from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class IdentityConfig(AppConfig):
    name = "kouiki.identity"
    label = "identity"
    verbose_name = "事業者・ユーザ"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.identity import demo as identity_demo

        demo.register("identity", identity_demo.load)

        # What an API token stands for is cached per process (services/tokens.py): any change to
        # what it depends on invalidates it, in every process.
        from axes.models import AccessAttempt
        from django.db.models.signals import post_delete, post_save

        from kouiki.identity.models import (
            ApiToken,
            ContractorGrant,
            Enrollment,
            Organization,
            RequestLimit,
            SystemUse,
            User,
        )
        from kouiki.identity.services.tokens import invalidate_access

        # (SystemUse: a suspension or termination refuses the participant on its next request.)
        # (RequestLimit: a tighter API rate of the organization, X-S1, rides with the token's user.)
        for model in (
            ApiToken,
            ContractorGrant,
            Enrollment,
            Organization,
            RequestLimit,
            SystemUse,
            User,
            AccessAttempt,
        ):
            post_save.connect(invalidate_access, sender=model, dispatch_uid=f"access-{model.__name__}")
            post_delete.connect(invalidate_access, sender=model, dispatch_uid=f"access-{model.__name__}-del")

        # A suspended participant's callbacks wait, and go on once it is lifted (X-S2).
        from kouiki.core import callback_delivery
        from kouiki.identity.selectors import is_paused
        from kouiki.identity.services.system_use import on_lift

        callback_delivery.register_pause(is_paused)
        on_lift(callback_delivery.requeue)

        # 管理者変更申請 of the switching system (X-I1), reviewed by the back office: registers the kind.
        import kouiki.identity.services.switching_admin  # noqa: F401


class StaffAdminSite(admin.AdminSite):
    """The admin has no door of its own: a password alone never opens it. Its login page sends the
    visitor to the back-office login (per-address rate limit, lockout, TOTP), and it lets in only
    superusers holding the 職員管理者 role whose session passed that login (ADR 17, issue 15)."""

    site_header = "広域機関システム 管理サイト（参照のみ）"
    site_title = "管理サイト"
    index_title = "参照"

    def has_permission(self, request: HttpRequest) -> bool:
        from kouiki.identity import access
        from kouiki.identity.choices import StaffRole

        user = request.user
        return bool(
            user.is_active
            and user.is_superuser
            and access.has_staff_session(request)
            and access.has_staff_role(user, {StaffRole.STAFF_ADMIN.value})
        )

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from kouiki.identity import access

        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next", "")
        return access.to_login(request, "backoffice", next_url if next_url.startswith(index) else index)


class StaffAdminConfig(admin_apps.AdminConfig):
    """The Django admin, behind the back office's door: its site lets in only staff superusers who
    passed the back-office login (rate limit, lockout, TOTP) in this session."""

    default = False  # identity's own config stays the default of this module
    default_site = "kouiki.identity.apps.StaffAdminSite"
