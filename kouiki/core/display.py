"""How the screens write dates, times and numbers — said once (issue 17 point 17).

- A day is `2026/12/07` and a moment `2026/12/07 14:30` (Japan time; `…:05` with seconds where
  the second matters: the audit log, the operators' messages, the last login). The slashes are what
  the screens used most, read at a glance in a table, and are the form of the organization's own
  manuals; ISO's `2026-12-07` stays for what machines read (API, CSV, form inputs), and the letters
  (mails, PDFs) keep `2026年12月7日`.
- A quantity has thousands separators: `500,000` kW, `12,000` kWh, `1,234`件. Identifiers (codes,
  numbers of supply points and receptions, years) are text and are never separated.

Templates use the filters `day`, `moment` and `number` (`{% load display %}`); code that builds a
text for a screen calls the functions here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

DATE_FORMAT = "%Y/%m/%d"
DATETIME_FORMAT = "%Y/%m/%d %H:%M"
DATETIME_SECONDS_FORMAT = "%Y/%m/%d %H:%M:%S"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _parsed(value: Any) -> date | datetime | None:
    """A date or a date-time from a value or an ISO 8601 text (payloads keep them as text)."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        try:
            if _ISO_DATE.match(value):
                return date.fromisoformat(value)
            if _ISO_DATETIME.match(value):
                return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def day(value: Any) -> str:
    """`2026/12/07`; a date-time gives its day in Japan time; anything else is shown as it is."""
    found = _parsed(value)
    if found is None:
        return "" if value is None else str(value)
    if isinstance(found, datetime):
        found = _local(found)
    return found.strftime(DATE_FORMAT)


def moment(value: Any, seconds: bool = False) -> str:
    """`2026/12/07 14:30` in Japan time (`2026/12/07 14:30:05` with `seconds`); a bare date is
    shown as a day."""
    found = _parsed(value)
    if found is None:
        return "" if value is None else str(value)
    if not isinstance(found, datetime):
        return found.strftime(DATE_FORMAT)
    return _local(found).strftime(DATETIME_SECONDS_FORMAT if seconds else DATETIME_FORMAT)


def number(value: Any) -> str:
    """`500000` → `500,000`; `12000.5` → `12,000.5` (the decimals as given); None → ""; text that is
    not a number is shown as it is."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, str):
        try:
            value = Decimal(value.replace(",", ""))
        except ArithmeticError:
            return value
    if isinstance(value, Decimal) and value.is_finite():
        whole, _, decimals = f"{value:f}".partition(".")
        sign = "-" if whole.startswith("-") else ""
        grouped = f"{int(whole.lstrip('-') or 0):,}"
        return f"{sign}{grouped}.{decimals}" if decimals else f"{sign}{grouped}"
    return str(value)
