"""The project's URLs, plus the switching API if kouiki/urls.py does not include it yet."""

from django.urls import URLResolver, include, path

from kouiki.urls import urlpatterns as project_patterns

_mounted = any(
    isinstance(pattern, URLResolver) and str(pattern.pattern) == "api/switching/v1/"
    for pattern in project_patterns
)

urlpatterns = (
    list(project_patterns)
    if _mounted
    else [path("api/switching/v1/", include("kouiki.switching.api.urls")), *project_patterns]
)
