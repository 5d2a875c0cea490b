from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "kouiki.backoffice"
    label = "backoffice"
