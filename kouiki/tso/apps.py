from django.apps import AppConfig


class TsoConfig(AppConfig):
    name = "kouiki.tso"
    verbose_name = "一般送配電事業者ゲートウェイ"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.tso import demo as tso_demo

        demo.register("tso", tso_demo.load)
