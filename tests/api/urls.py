"""The project's URLs plus what issue 7 part E adds (until kouiki/urls.py includes them)."""

from django.urls import include, path

from kouiki.urls import handler400, handler403, handler404, handler500
from kouiki.urls import urlpatterns as project_patterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("api/switching/v1/", include("kouiki.switching.api.urls")),
    path("switching/tokens/", include("kouiki.identity.urls_tokens")),
    path("switching/callbacks/", include("kouiki.identity.urls_callbacks")),
    *project_patterns,
]
