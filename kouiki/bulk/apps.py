from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "kouiki.bulk"
    label = "bulk"
    verbose_name = "一括登録（CSV）"
