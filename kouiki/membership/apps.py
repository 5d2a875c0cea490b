from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "kouiki.membership"
    label = "membership"
