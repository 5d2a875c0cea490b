"""Checking an application's payload with the screens' own forms (an application type's `validate`).

A payload is checked piece by piece, each piece with the form of the screen it comes from; every
error is kept under the payload key it belongs to, so that the screen (or a CSV import) shows it
next to its field, and all of them are raised at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms import BaseForm

from kouiki.core.errors import ValidationFailed


def _field_name(name: str) -> str:
    return name


def form_errors(form: BaseForm, key: Callable[[str], str] = _field_name) -> dict[str, list[str]]:
    """A form's errors, each under `key(field name)`: the payload key of that field."""
    return {key(name): [str(message) for message in messages] for name, messages in form.errors.items()}


class PayloadCheck:
    """One payload being checked: the values that passed (`cleaned`) and every error (`errors`)."""

    def __init__(self, payload: object) -> None:
        if not isinstance(payload, Mapping):
            raise ValidationFailed("申請内容の形式が正しくありません。")
        self.cleaned: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}

    def form(self, form: BaseForm, key: Callable[[str], str] = _field_name) -> bool:
        """Whether `form` is valid; when it is not, its errors are kept under `key(field name)`."""
        if form.is_valid():
            return True
        self.errors.update(form_errors(form, key))
        return False

    def result(self) -> dict[str, Any]:
        """The cleaned payload; ValidationFailed with every error by key when there is one."""
        if self.errors:
            raise ValidationFailed(errors=self.errors)
        return self.cleaned
