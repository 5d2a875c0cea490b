from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "kouiki.reviews"
    label = "reviews"
    verbose_name = "審査"
