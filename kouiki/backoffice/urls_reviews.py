"""Back office: the review queue of every application type (/backoffice/reviews/)."""

from django.urls import path

from kouiki.backoffice.views import reviews

urlpatterns = [
    path("", reviews.queue, name="review_queue"),
    path("<int:pk>/", reviews.detail, name="review_detail"),
    path("<int:pk>/decide/", reviews.decide, name="review_decide"),
]
