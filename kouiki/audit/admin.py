"""Django admin (superusers only): the audit log, read-only like everywhere else."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kouiki.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor_label", "organization_code", "object_type", "object_id", "ip")
    list_filter = ("action", "system")
    search_fields = ("action", "actor_label", "organization_code", "object_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
