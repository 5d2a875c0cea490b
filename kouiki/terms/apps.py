from django.apps import AppConfig


class TermsConfig(AppConfig):
    name = "kouiki.terms"
    label = "terms"
    verbose_name = "利用規約"
