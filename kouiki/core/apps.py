from django.apps import AppConfig


class CoreConfig(AppConfig):
    verbose_name = "共通基盤"
    name = "kouiki.core"
    label = "core"
