"""What every web form shares: a service's domain error shown where the user can act on it."""

from __future__ import annotations

from django import forms

from kouiki.core.errors import KouikiError


def errors_onto_form(
    form: forms.BaseForm,
    error: KouikiError,
    *,
    default_field: str | None = None,
    with_summary: bool = False,
) -> None:
    """Show a service's error on the form: each message next to the field it names (a field the form
    does not have: `default_field`, else the form's summary above it); an error that names no field
    in the summary. With `with_summary`, the error's own message also stands in the summary when no
    field shows it (a refusal of the whole input that also points at fields)."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else default_field if default_field in form.fields else None
        for message in messages:
            form.add_error(target, message)
    shown = {message for messages in error.errors.values() for message in messages}
    if not error.errors or (with_summary and error.message not in shown):
        form.add_error(None, error.message)
