"""Participants' notices (CAP-N1, SW-N01/N02), mounted under each system's prefix
(`/capacity/notices/`, `/switching/notices/`) with the kwarg `system`."""

from django.urls import path

from kouiki.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/files/<int:attachment_pk>/", views.notice_attachment, name="attachment"),
]
