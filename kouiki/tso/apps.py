from django.apps import AppConfig


class TsoConfig(AppConfig):
    name = "kouiki.tso"
    verbose_name = "一般送配電事業者ゲートウェイ"
