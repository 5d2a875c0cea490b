from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "kouiki.membership"
    label = "membership"
    verbose_name = "会員情報管理"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.membership import demo as membership_demo
        from kouiki.membership.services import review_changes, review_join  # noqa: F401  (register the kinds)

        demo.register("membership", membership_demo.load)
