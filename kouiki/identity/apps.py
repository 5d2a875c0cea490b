from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kouiki.identity"
    label = "identity"
    verbose_name = "事業者・ユーザ"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.identity import demo as identity_demo

        demo.register("identity", identity_demo.load)
