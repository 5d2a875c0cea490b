"""Participants' notices (CAP-N1, SW-N01/N02), mounted under each system's prefix."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "notices"

urlpatterns: list[URLPattern] = []
