"""Back office: closing days and the capacity market system's service hours (/backoffice/calendar/)."""

from django.urls import path

from kouiki.backoffice.views import calendar

urlpatterns = [
    path("", calendar.closing_days, name="calendar"),
    path("<int:pk>/remove/", calendar.closing_day_remove, name="calendar_remove"),
]
