from django.apps import AppConfig


class AssemblyConfig(AppConfig):
    name = "kouiki.assembly"
    label = "assembly"
    verbose_name = "総会"
