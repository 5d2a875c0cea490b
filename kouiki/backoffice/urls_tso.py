"""Back office: the operators' gateway (/backoffice/tso/)."""

from django.urls import path

from kouiki.backoffice.views import tso

urlpatterns = [
    path("", tso.message_list, name="tso_messages"),
    path("messages/<str:message_id>/", tso.message_detail, name="tso_message"),
    path("mailbox/", tso.mailbox, name="tso_mailbox"),
]
