from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "kouiki.capacity"
    label = "capacity"
    verbose_name = "容量市場システム"

    def ready(self) -> None:
        from kouiki.capacity import demo as capacity_demo
        from kouiki.capacity.services import review_types  # noqa: F401  (registers the application kinds)
        from kouiki.core import demo

        demo.register("capacity", capacity_demo.load)
