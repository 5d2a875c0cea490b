"""Back office: notices (/backoffice/notices/)."""

from django.urls import path

from kouiki.backoffice.views import notices

urlpatterns = [
    path("", notices.notice_list, name="notice_list"),
    path("new/", notices.notice_create, name="notice_create"),
    path("<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("<int:pk>/withdraw/", notices.notice_withdraw, name="notice_withdraw"),
    path("<int:pk>/files/<int:attachment_pk>/", notices.notice_attachment, name="notice_attachment"),
]
