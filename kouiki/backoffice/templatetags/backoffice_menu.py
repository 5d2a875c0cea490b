"""The back office's navigation, made from its one list of areas (kouiki.backoffice.urls.AREAS):
the areas the signed-in member of the staff's roles open."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


def areas_of(actor: Any) -> list[dict[str, str]]:
    """The areas the actor's staff roles open, with the URL of each index, in the order of AREAS."""
    from kouiki.backoffice.urls import areas_for

    return [
        {"name": area.name, "group": area.group, "summary": area.summary, "url": reverse(area.index_url_name)}
        for area in areas_for(actor)
    ]


@register.simple_tag(takes_context=True)
def backoffice_areas(context: template.Context) -> list[dict[str, str]]:
    """The navigation's areas: those the signed-in user's staff roles open."""
    return areas_of(context.get("user"))
