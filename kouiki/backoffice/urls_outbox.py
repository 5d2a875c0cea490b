"""Back office: the mail outbox (/backoffice/mail/)."""

from django.urls import path

from kouiki.backoffice.views import outbox

urlpatterns = [
    path("", outbox.message_list, name="outbox_list"),
    path("<int:pk>/", outbox.message_detail, name="outbox_detail"),
    path("<int:pk>/retry/", outbox.message_retry, name="outbox_retry"),
]
