from django.apps import AppConfig


class GovernmentConfig(AppConfig):
    name = "kouiki.government"
    label = "government"
    verbose_name = "行政機関への情報提供"
