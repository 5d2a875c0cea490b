"""The simulator's HTTP face, mounted at /tso-simulator/ (served only with KOUIKI_TSO_SIMULATOR_HTTP)."""

from django.urls import path

from kouiki.tso import views

app_name = "tso_simulator"

urlpatterns = [
    path("<str:area>/messages", views.messages, name="messages"),
    path("<str:area>/answers", views.answers, name="answers"),
]
