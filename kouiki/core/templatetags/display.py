"""The template filters of kouiki.core.display: `{{ value|day }}`, `{{ value|moment }}`,
`{{ value|moment:"seconds" }}`, `{{ value|number }}`."""

from __future__ import annotations

from typing import Any

from django import template

from kouiki.core import display

register = template.Library()


@register.filter
def day(value: Any) -> str:
    return display.day(value)


@register.filter
def moment(value: Any, precision: str = "") -> str:
    return display.moment(value, seconds=precision == "seconds")


@register.filter
def number(value: Any) -> str:
    return display.number(value)
