from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kouiki.identity"
    label = "identity"
