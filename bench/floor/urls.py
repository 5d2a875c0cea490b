from django.urls import path

from floor.api import api

urlpatterns = [path("", api.urls)]
