"""Switching Support System screens (SW-*)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "sw"

urlpatterns: list[URLPattern] = []
