from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "kouiki.notices"
    verbose_name = "お知らせ"
