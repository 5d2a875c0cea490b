"""Back office: member organizations and their member information (/backoffice/members/)."""

from django.urls import path

from kouiki.backoffice.views import members

urlpatterns = [
    path("", members.member_list, name="member_list"),
    path("<str:code>/", members.member_detail, name="member_detail"),
]
