"""Capacity Market System screens (CAP-R*, CAP-P*, CAP-U1)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cap"

urlpatterns: list[URLPattern] = []
