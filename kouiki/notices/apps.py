from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "kouiki.notices"
    label = "notices"
    verbose_name = "お知らせ"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.notices import demo as notices_demo

        demo.register("notices", notices_demo.load)
