"""URLs of the switching API: include at `api/switching/v1/` (kouiki/urls.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from kouiki.core.api import problem_response
from kouiki.switching.api.api import api


def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path under the API that names no operation: problem details, not the HTML 404 page."""
    return problem_response(request, status=404, code="not_found", detail="指定されたURLの機能はありません。")


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown),
]
