"""What every web form shares: a service's domain error shown where the user can act on it, the
fields of free text and of codes (normalized and checked once), and the form renderer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest

from kouiki.core.errors import KouikiError
from kouiki.core.japanese import (
    normalize_address,
    normalize_code,
    plain_spaces,
    too_long_message,
    validate_cp932,
)


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


# --- fields: what people type, normalized and checked once -------------------------------------------


def _length_check(limit: int) -> Callable[[str], None]:
    def check(value: str) -> None:
        if len(value) > limit:
            raise ValidationError(too_long_message(limit, len(value)), code="max_length")

    return check


class TextField(forms.CharField):
    """Free text that may reach a CSV file or an operator's message (a name, an address, a note):
    only characters Shift_JIS (CP932) holds (`japanese.validate_cp932`, naming the character), odd
    spaces (a no-break space) as plain ones, and a value too long refused with the limit and the
    length typed (`japanese.too_long_message`). The browser gets no `maxlength`, so it never cuts a
    pasted text without a word (see `FormRenderer`)."""

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        label = kwargs.get("label")
        if label and kwargs.get("required", True):
            required = {"required": f"{label}を入力してください。"}
            kwargs["error_messages"] = {**required, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)
        self.max_length = max_length
        self.validators.append(validate_cp932)
        if max_length is not None:
            self.validators.append(_length_check(max_length))

    def to_python(self, value: Any) -> str:
        return plain_spaces(str(super().to_python(value)))


class CodeField(TextField):
    """A code people type (事業者コード, ユーザID, 受付番号, 契約番号, 廃止取次番号): the one
    normalization `japanese.normalize_code`, so `９００１` is `9001` and `Ａ－９００１` is `A-9001`;
    with `upper`, letters are upper-cased too (numbers that the hub issues in capitals)."""

    def __init__(self, *, upper: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: Any) -> str:
        code = normalize_code(super().to_python(value))
        return code.upper() if self.upper else code


class AddressField(TextField):
    """An address (住所, 所在地) in the one form every system keeps: `japanese.normalize_address`
    (digits, letters and hyphens half-width, kana full-width, one space between words); a value of
    invisible characters only is no address (required)."""

    def to_python(self, value: Any) -> str:
        return normalize_address(super().to_python(value))


class FormRenderer(DjangoTemplates):
    """Django's form renderer, without `maxlength` on any input (issue 17, point 18): a browser cuts
    a pasted text at it without telling, so the server refuses a value too long instead, with the
    limit and the length typed, and the user sees what was pasted."""

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict):
            _drop_maxlength(widget)
        return super().render(template_name, context, request=request)


def _drop_maxlength(widget: dict[str, Any]) -> None:
    widget.get("attrs", {}).pop("maxlength", None)
    for subwidget in widget.get("subwidgets", ()):
        if isinstance(subwidget, dict):
            _drop_maxlength(subwidget)
