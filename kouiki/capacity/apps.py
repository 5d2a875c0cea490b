from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "kouiki.capacity"
    verbose_name = "容量市場システム"
