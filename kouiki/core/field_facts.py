"""The facts of an input item said once: its label and the longest value kept.

Where a model field keeps the value, the field says them (`verbose_name`, `max_length`) and forms,
API schemas, CSV headers and services read them from it with `field_facts`; where the value lives
only in a JSON payload, the owning app declares one `FieldFacts` and everyone uses that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.db import models


@dataclass(frozen=True)
class FieldFacts:
    label: str
    # None for a field with no length (a date, a number).
    max_length: int | None = None

    @property
    def limit(self) -> int:
        """The longest value, for an item that has one."""
        if self.max_length is None:
            raise ValueError(f"{self.label} has no maximum length")
        return self.max_length


def field_facts(model: type[models.Model], name: str) -> FieldFacts:
    """The label and maximum length of `model`'s field `name`."""
    field = cast(models.Field, model._meta.get_field(name))
    return FieldFacts(label=str(field.verbose_name), max_length=field.max_length)


def field_label(model: type[models.Model], name: str) -> str:
    """The label (`verbose_name`) of `model`'s field `name`, e.g. for a CSV header."""
    return field_facts(model, name).label
