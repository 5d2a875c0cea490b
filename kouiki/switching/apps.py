from django.apps import AppConfig


class SwitchingConfig(AppConfig):
    name = "kouiki.switching"
    label = "switching"
    verbose_name = "スイッチング支援"

    def ready(self) -> None:
        from kouiki.core import demo
        from kouiki.switching import demo as switching_demo
        from kouiki.switching.services import answers, bulk
        from kouiki.tso import services as tso

        # ADR 11: the gateway hands the hub the operators' answers, and reads the registry.
        tso.register_answer_handler(answers.handle_answer)
        tso.register_registry_reader(answers.read_registry)
        demo.register("switching", switching_demo.load)
        # Issue 14: the bulk CSV functions the bulk mechanism runs (ADR 30).
        bulk.register_all()
