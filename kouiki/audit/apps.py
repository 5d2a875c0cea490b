from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kouiki.audit"
    label = "audit"
