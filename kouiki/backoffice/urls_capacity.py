"""Back office: the capacity market system (/backoffice/capacity/)."""

from django.urls import path

from kouiki.backoffice.views import capacity

urlpatterns = [
    path("", capacity.operators, name="capacity_operators"),
    path("operators/<int:pk>/", capacity.operator_detail, name="capacity_operator"),
    path("sources/", capacity.sources, name="capacity_sources"),
    path("sources/<int:pk>/", capacity.source_detail, name="capacity_source"),
]
