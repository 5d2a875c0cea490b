from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "kouiki.fees"
    label = "fees"
    verbose_name = "会費・容量市場請求書等"
