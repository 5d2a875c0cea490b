from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "kouiki.membership"
    label = "membership"
    verbose_name = "会員情報管理"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.membership import demo as membership_demo
        from kouiki.membership import review_types  # noqa: F401  (registers the application kinds)

        demo.register("membership", membership_demo.load)
