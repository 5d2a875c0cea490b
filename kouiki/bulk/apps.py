from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "kouiki.bulk"
    label = "bulk"
    verbose_name = "一括登録（CSV）"

    def ready(self) -> None:
        # A suspended participant's files wait (identity.selectors.is_paused); lifting resumes them.
        from kouiki.bulk.services import resume
        from kouiki.identity.services.system_use import on_lift

        on_lift(resume)
