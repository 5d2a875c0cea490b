"""Template filters of the fees screens, PDFs and mails."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yen(value: int | None) -> str:
    """1200000 → "1,200,000円"; None → "―"."""
    if value is None or value == "":
        return "―"
    return f"{int(value):,}円"
