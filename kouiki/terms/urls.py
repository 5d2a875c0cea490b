"""Public terms pages (X-T1), mounted at /terms/."""

from django.urls import path

from kouiki.terms import views

app_name = "terms"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.document, name="document"),
    path("<str:system>/<str:kind>/", views.current, name="current"),
]
