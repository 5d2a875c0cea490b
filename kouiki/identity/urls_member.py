from django.urls import path

app_name = "member"
urlpatterns: list = []
