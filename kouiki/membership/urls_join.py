"""Joining (会員加入, seed 003 chapter 1), mounted at /member/join/: public screens, no login."""

from django.urls import path

from kouiki.membership import views_join

app_name = "join"

urlpatterns = [
    path("", views_join.link, name="link"),
    path("provisional/received/", views_join.received, name="received"),
    path("provisional/<str:token>/", views_join.provisional, name="provisional"),
    path("main/", views_join.main, name="main"),
    path("main/application/", views_join.main_edit, name="main_edit"),
    path("main/done/", views_join.main_done, name="main_done"),
]
