from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "kouiki.fees"
    label = "fees"
    verbose_name = "会費・容量市場請求書等"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.fees import demo as fees_demo

        demo.register("fees", fees_demo.load)
