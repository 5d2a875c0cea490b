from django.apps import AppConfig


class AssemblyConfig(AppConfig):
    name = "kouiki.assembly"
    label = "assembly"
    verbose_name = "総会"

    def ready(self) -> None:
        from kouiki.assembly import demo as assembly_demo
        from kouiki.core import demo

        demo.register("assembly", assembly_demo.load)
