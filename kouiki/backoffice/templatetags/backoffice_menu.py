"""The back office's navigation, made from its one list of areas (kouiki.backoffice.urls.AREAS)."""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def backoffice_areas() -> list[dict[str, str]]:
    """Every area of the back office with the URL of its index, in the order of AREAS."""
    from kouiki.backoffice.urls import AREAS

    return [
        {"name": area.name, "group": area.group, "summary": area.summary, "url": reverse(area.index_url_name)}
        for area in AREAS
    ]
