from django.apps import AppConfig


class SwitchingConfig(AppConfig):
    name = "kouiki.switching"
    label = "switching"
    verbose_name = "スイッチング支援"
