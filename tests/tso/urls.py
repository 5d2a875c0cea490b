"""The simulator's HTTP face alone, as the live server of the HTTP tests serves it."""

from django.urls import include, path

urlpatterns = [path("tso-simulator/", include("kouiki.tso.urls"))]
