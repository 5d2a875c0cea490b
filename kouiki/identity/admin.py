"""Django admin (superusers only): inspection of organizations and accounts.

Changes go through the services and their screens, which enforce the rules and audit them; the
admin is read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kouiki.core.admin import ReadOnlyAdmin
from kouiki.identity.models import Enrollment, Organization, User


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "status", "member_since")
    list_filter = ("status",)
    search_fields = ("code", "name", "name_kana", "corporate_number")


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "kind", "organization", "last_name", "first_name", "is_active", "last_login")
    list_filter = ("kind", "is_active", "enrollments__system", "enrollments__participant_kind")
    search_fields = ("username", "login_id", "last_name", "first_name", "email")
    exclude = ("password",)
    inlines = (EnrollmentInline,)
