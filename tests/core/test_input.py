"""Issue 17 (6, 8, 13, 18): one normalization of codes, one CP932 rule for free text, the limit of a
field said instead of a pasted text cut by the browser — in forms, the API types and the helpers
behind both (kouiki.core.japanese, kouiki.core.forms, kouiki.core.schemas)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from ninja import Schema
from pydantic import Field
from pydantic import ValidationError as PydanticError

from kouiki.core.forms import CodeField, TextField
from kouiki.core.japanese import (
    SUPPLY_POINT_NUMBER_PATTERN,
    normalize_code,
    normalize_supply_point_number,
    plain_spaces,
    validate_cp932,
    validate_supply_point_number,
)
from kouiki.core.schemas import Code, IsoDate, SupplyPointNumber, Text, UpperCode

FAST = settings(max_examples=60, deadline=None)
CP932 = "「{}」は使用できません（Shift_JIS（CP932）で表せない文字です）。"


# --- normalize_code -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("９００１", "9001"),
        ("ｕｓｒ００１", "usr001"),
        ("Ａ－９００１", "A-9001"),
        ("Ａ―９００１", "A-9001"),
        ("B−0001", "B-0001"),
        (" ２０２６ １１２０ ００００ ０００１ ", "2026112000000001"),
        ("ｈｔ２０２６\u200b", "ht2026"),
    ],
)
def test_a_code_is_half_width_with_one_hyphen_and_no_spaces(typed: str, kept: str) -> None:
    assert normalize_code(typed) == kept


@FAST
@given(st.text())
def test_normalizing_a_code_twice_changes_nothing(text: str) -> None:
    once = normalize_code(text)
    assert normalize_code(once) == once
    assert not any(c.isspace() for c in once)


# --- CP932 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["🔥", "𠀋", "€", "ß"])
def test_a_character_cp932_cannot_hold_is_named(char: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_cp932(f"広域{char}太郎")
    assert refused.value.code == "cp932"
    assert refused.value.messages == [CP932.format(char)]


def test_what_people_type_in_japan_is_cp932() -> None:
    for text in ("髙橋①～－ｶﾀｶﾅ", "〜−‖", "広域 太郎\r\n", "\u200b"):
        validate_cp932(text)


def test_several_characters_are_named_once_each() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_cp932("🔥𠀋🔥")
    assert refused.value.messages == [
        "「🔥」、「𠀋」は使用できません（Shift_JIS（CP932）で表せない文字です）。"
    ]


def test_odd_spaces_become_plain_ones() -> None:
    assert plain_spaces("広域\u00a0太郎\u2009様\u3000") == "広域 太郎 様\u3000"


# --- the supply point number's pattern in the OpenAPI -------------------------------------------------


@FAST
@given(st.from_regex(SUPPLY_POINT_NUMBER_PATTERN, fullmatch=True))
def test_every_number_the_declared_pattern_allows_is_valid(typed: str) -> None:
    validate_supply_point_number(typed)


@FAST
@given(st.sampled_from([f"{a:02d}" for a in range(1, 11)]), st.from_regex(r"[0-9]{20}", fullmatch=True))
def test_every_valid_number_matches_the_declared_pattern(area: str, rest: str) -> None:
    assert re.fullmatch(SUPPLY_POINT_NUMBER_PATTERN, area + rest)
    full_width = (area + rest).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert re.fullmatch(SUPPLY_POINT_NUMBER_PATTERN, f"{full_width[:4]}－{full_width[4:]}")
    assert normalize_supply_point_number(full_width) == area + rest


# --- form fields ---------------------------------------------------------------------------------------


class Sample(forms.Form):
    name = TextField(label="氏名", max_length=5)
    contract = CodeField(label="契約番号", max_length=10)
    number = CodeField(label="受付番号", max_length=16, upper=True, required=False)
    other = forms.CharField(label="その他", max_length=3, required=False)


def test_a_code_field_keeps_the_code_as_people_mean_it() -> None:
    form = Sample({"name": "広域", "contract": "Ａ－９００１", "number": "ｈｔ２０２６"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["contract"], form.cleaned_data["number"]) == ("A-9001", "HT2026")


def test_a_text_field_names_what_cp932_cannot_hold() -> None:
    form = Sample({"name": "🔥広域", "contract": "A-1"})
    assert form.errors["name"] == [CP932.format("🔥")]


def test_too_long_says_the_limit_and_the_length_typed_and_every_error_at_once() -> None:
    form = Sample({"name": "広域電力株式会社🔥", "contract": ""})
    assert form.errors["name"] == [CP932.format("🔥"), "5文字以内で入力してください（現在 9 文字）。"]
    assert form.errors["contract"] == ["契約番号を入力してください。"]


def test_no_input_carries_maxlength_so_a_pasted_text_is_never_cut() -> None:
    html = str(Sample())
    assert "maxlength" not in html
    assert 'name="other"' in html


# --- API types --------------------------------------------------------------------------------------


class Body(Schema):
    code: Code = Field(max_length=6)
    number: UpperCode | None = None
    text: Text | None = None
    day: IsoDate | None = None
    point: SupplyPointNumber | None = None


def test_api_types_normalize_as_the_forms_do() -> None:
    body = Body(
        code="Ａ－９００１", number="ｈｔ１", text="広域\u00a0太郎", day="2026-11-20", point="０３" + "0" * 20
    )
    assert (body.code, body.number, body.text, body.day, body.point) == (
        "A-9001",
        "HT1",
        "広域 太郎",
        date(2026, 11, 20),
        "03" + "0" * 20,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day", 0, "日付は YYYY-MM-DD の形式で指定してください。"),
        ("day", "0", "日付は YYYY-MM-DD の形式で指定してください。"),
        ("day", "20261120", "日付は YYYY-MM-DD の形式で指定してください。"),
        ("text", "🔥", CP932.format("🔥")),
        ("point", "1", "供給地点特定番号は22桁の数字で入力してください（現在 1 桁）。"),
    ],
)
def test_api_types_refuse_what_a_form_refuses(field: str, value: object, message: str) -> None:
    with pytest.raises(PydanticError) as refused:
        Body(code="A", **{field: value})
    assert message in str(refused.value)


def test_the_schema_of_a_number_says_how_it_may_be_typed() -> None:
    document = Body.model_json_schema()
    point = next(
        option for option in document["properties"]["point"]["anyOf"] if option.get("type") == "string"
    )
    assert point["pattern"] == SUPPLY_POINT_NUMBER_PATTERN
    assert document["properties"]["day"]["anyOf"][0]["format"] == "date"
