"""Django admin (superusers only): the audit log, read-only like everywhere else."""

from __future__ import annotations

from django.contrib import admin

from kouiki.audit.models import Event
from kouiki.core.admin import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "actor_label", "organization_code", "object_type", "object_id", "ip")
    list_filter = ("action", "system")
    search_fields = ("action", "actor_label", "organization_code", "object_id")
    date_hierarchy = "at"
