"""The types of API input that people's input needs, said once: what `core.forms` does for a web
form, for a Pydantic (django-ninja) schema.

- `Code`: a code-like value, normalized by `japanese.normalize_code` (`Ａ－９００１` is `A-9001`)
  and, as it is kept, in CP932; `UpperCode`, a number the hub issued and is looked up, also
  upper-cased.
- `Text`: free text; only characters Shift_JIS (CP932) holds (`japanese.validate_cp932`).
- `IsoDate`: a date written `YYYY-MM-DD` and nothing else (Pydantic alone takes `0` for
  1970-01-01: a Unix time).
- `SupplyPointNumber`: a 供給地点特定番号 typed in any width, with spaces or hyphens.
- `Kana`: a name in katakana (half-width widened, `japanese.normalize_kana`); `Phone`: a phone
  number (`japanese.normalize_phone`), each checked by its `japanese.validate_*`.

Constraints (`Field(max_length=..., pattern=...)`) apply to the normalized value; the OpenAPI
document declares them, so clients generated from it send what is accepted.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from kouiki.core.japanese import (
    SUPPLY_POINT_NUMBER_PATTERN,
    normalize_code,
    normalize_kana,
    normalize_phone,
    normalize_supply_point_number,
    plain_spaces,
    validate_cp932,
    validate_kana,
    validate_phone,
    validate_supply_point_number,
)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_MESSAGE = "日付は YYYY-MM-DD の形式で指定してください。"


def _code(value: Any) -> Any:
    return normalize_code(value) if isinstance(value, str) else value


def _upper_code(value: Any) -> Any:
    return normalize_code(value).upper() if isinstance(value, str) else value


def _cp932(value: str) -> str:
    try:
        validate_cp932(value)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    return value


def _spaces(value: Any) -> Any:
    return plain_spaces(value) if isinstance(value, str) else value


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(DATE_MESSAGE)
    return value


Code = Annotated[str, BeforeValidator(_code), AfterValidator(_cp932)]
# A number the hub issued (受付番号, 廃止取次番号), looked up, never kept as typed: normalized only.
UpperCode = Annotated[str, BeforeValidator(_upper_code)]
Text = Annotated[str, BeforeValidator(_spaces), AfterValidator(_cp932)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _point_number(value: Any) -> Any:
    return normalize_supply_point_number(value) if isinstance(value, str) else value


def _valid_point_number(value: str) -> str:
    try:
        validate_supply_point_number(value)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    return value


# 供給地点特定番号: 22 digits once narrowed and without separators; the OpenAPI pattern says how it may
# be typed (core.japanese.SUPPLY_POINT_NUMBER_PATTERN), the validator gives the message of a form.
SupplyPointNumber = Annotated[
    str,
    BeforeValidator(_point_number),
    AfterValidator(_valid_point_number),
    WithJsonSchema({"type": "string", "pattern": SUPPLY_POINT_NUMBER_PATTERN}),
]


def _checked(validate: Any) -> Any:
    """A `japanese.validate_*` as a Pydantic after-validator (its Japanese message kept)."""

    def check(value: str) -> str:
        try:
            validate(value)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None
        return value

    return check


def _kana(value: Any) -> Any:
    return normalize_kana(value) if isinstance(value, str) else value


def _phone(value: Any) -> Any:
    return normalize_phone(value) if isinstance(value, str) else value


# The stored forms, which the schema declares: katakana, ー, ・ and spaces; a phone of 10 or 11 digits
# in three groups (市外局番 2-5 digits with its 0, 市内局番 1-4, 加入者番号 3-4), each way of cutting them
# spelled out (a length would also count a space that the normalization removes).
KANA_PATTERN = "^[\u30a1-\u30faー・\u3000 ]*$"
PHONE_PATTERN = (
    "^0(?:"
    + "|".join(
        f"[0-9]{{{area}}}-[0-9]{{{local}}}-[0-9]{{{line}}}"
        for area in range(1, 5)
        for local in range(1, 5)
        for line in (3, 4)
        if 1 + area + local + line in (10, 11)
    )
    + ")$"
)
Kana = Annotated[
    str,
    BeforeValidator(_kana),
    AfterValidator(_checked(validate_kana)),
    WithJsonSchema({"type": "string", "pattern": KANA_PATTERN}),
]
Phone = Annotated[
    str,
    BeforeValidator(_phone),
    AfterValidator(_checked(validate_phone)),
    WithJsonSchema({"type": "string", "pattern": PHONE_PATTERN}),
]
