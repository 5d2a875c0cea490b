"""The switching system's event callbacks: include at `switching/callbacks/` (kouiki/urls.py)."""

from django.urls import path

from kouiki.identity.views import callbacks

app_name = "sw_callbacks"

urlpatterns = [
    path("", callbacks.endpoint, name="endpoint"),
    path("rotate/", callbacks.action, {"name": "rotate"}, name="rotate"),
    path("stop/", callbacks.action, {"name": "stop"}, name="stop"),
    path("ping/", callbacks.action, {"name": "ping"}, name="ping"),
    path("deliveries/<int:pk>/retry/", callbacks.retry, name="retry"),
]
