"""Member screens of general meetings (MEM-G1..G3), mounted at /member/assembly/."""

from django.urls import path

from kouiki.assembly import views

app_name = "assembly"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/tickets/<int:attendee_pk>/", views.ticket, name="ticket"),
    path("<int:pk>/tickets/<int:attendee_pk>/ticket.pdf", views.ticket_pdf, name="ticket_pdf"),
]
