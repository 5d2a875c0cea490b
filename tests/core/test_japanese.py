"""Japanese input: what people type is accepted, normalized once, and refused with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from kouiki.core.japanese import (
    Area,
    corporate_number_check_digit,
    normalize_address_kana,
    normalize_corporate_number,
    normalize_email,
    normalize_kana,
    normalize_phone,
    normalize_postal_code,
    normalize_supply_point_number,
    normalize_user_login_id,
    supply_point_area,
    to_full_width,
    to_half_width_kana,
    validate_address_kana,
    validate_corporate_number,
    validate_email,
    validate_full_width,
    validate_half_width_kana,
    validate_kana,
    validate_organization_code,
    validate_phone,
    validate_postal_code,
    validate_supply_point_number,
    validate_user_login_id,
)

FAST = settings(max_examples=60, deadline=None)

digits = st.text(alphabet="0123456789", min_size=12, max_size=12)
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def refusal(validator: Callable[[str], None], value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value


# --- 法人番号 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "7000012050002",  # 国税庁
        "4000012090001",  # 財務省
        "1180301018771",  # トヨタ自動車株式会社
    ],
)
def test_real_corporate_numbers_are_valid(number: str) -> None:
    validate_corporate_number(number)


def test_the_national_tax_agency_check_digit_by_hand() -> None:
    # base 000012050002, digits from the right with weights 1,2,1,2,...: 2 + 5 + 2 + 1*2 = 11;
    # 9 - 11 mod 9 = 7.
    assert corporate_number_check_digit("000012050002") == 7


def test_the_manual_sample_corporate_number_is_not_a_real_one() -> None:
    # seed 003 shows 1000000000003 as a placeholder; its check digit would be 6.
    error = refusal(validate_corporate_number, "1000000000003")
    assert error.code == "corporate_number_check_digit"


@pytest.mark.parametrize("value", ["", "700001205000", "70000120500021", "700001205000A", "７00001205000x"])
def test_corporate_number_must_be_13_digits(value: str) -> None:
    error = refusal(validate_corporate_number, value)
    assert error.code == "corporate_number_format"
    assert "13桁" in error.messages[0]


def test_corporate_number_typed_in_full_width_is_normalized() -> None:
    assert normalize_corporate_number(" ７０００－０１２０５－０００２ ") == "7000012050002"
    validate_corporate_number("７０００ ０１２０５ ０００２")


@FAST
@given(base=digits)
def test_the_computed_check_digit_validates_and_every_other_digit_fails(base: str) -> None:
    check = corporate_number_check_digit(base)
    assert 1 <= check <= 9
    validate_corporate_number(f"{check}{base}")
    for other in set(range(10)) - {check}:
        assert refusal(validate_corporate_number, f"{other}{base}").code == "corporate_number_check_digit"


def test_check_digit_needs_twelve_ascii_digits() -> None:
    with pytest.raises(ValueError):
        corporate_number_check_digit("٠٠٠٠١٢٠٥٠٠٠٢")  # Arabic-Indic digits are not digits here


# --- 事業者コード, ユーザID -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["2301", "0001", "２３０１"])
def test_organization_code_is_four_digits(value: str) -> None:
    validate_organization_code(value)


@pytest.mark.parametrize("value", ["", "230", "23011", "23a1", "٢٣٠١"])
def test_organization_code_refuses_anything_else(value: str) -> None:
    assert refusal(validate_organization_code, value).code == "organization_code_format"


@pytest.mark.parametrize("value", ["abc001", "ABC001", "123456", "ａｂｃ００１"])
def test_user_login_id_is_six_alphanumerics(value: str) -> None:
    validate_user_login_id(value)


@pytest.mark.parametrize("value", ["", "abc01", "abc0011", "abc-01", "あいう001", "abcdé1"])
def test_user_login_id_refuses_anything_else(value: str) -> None:
    error = refusal(validate_user_login_id, value)
    assert error.code == "user_login_id_format"
    assert "6桁の半角英数字" in error.messages[0]


def test_user_login_id_typed_in_full_width_is_stored_half_width() -> None:
    assert normalize_user_login_id(" ａｂｃ００１ ") == "abc001"


# --- 全角 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["総務部　課長", "広域　太郎", "ＡＢＣ（株）１２３", "①髙～", ""])
def test_full_width_text_passes(value: str) -> None:
    validate_full_width(value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("総務部 課長", "半角スペース"),
        ("営業1課", "「1」"),
        ("ｿｳﾑ", "「ｿ」"),
        ("A社", "「A」"),
        ("改行\nあり", "改行"),
    ],
)
def test_half_width_characters_are_named_in_the_message(value: str, shown: str) -> None:
    error = refusal(validate_full_width, value)
    assert error.code == "full_width"
    assert shown in error.messages[0]


def test_a_multiline_full_width_text_may_break_lines() -> None:
    validate_full_width("特になし\r\n以上", multiline=True)


def test_to_full_width_widens_ascii_digits_and_kana() -> None:
    assert to_full_width('Abc 123-"ｶﾞｯｺｳ"') == "Ａｂｃ　１２３－＂ガッコウ＂"


half_width_input = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x20, 0x7F)]
        + [chr(c) for c in range(0xFF61, 0xFFA0)]
        + list("漢字かなカナ①髙～")
    ),
    max_size=30,
)


@FAST
@given(text=half_width_input)
def test_to_full_width_always_gives_full_width_and_is_idempotent(text: str) -> None:
    wide = to_full_width(text)
    validate_full_width(wide)
    assert to_full_width(wide) == wide


# --- カナ ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ヤマダ　タロウ", "ヤマダ　タロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
        ("  ｾｲ  ﾋﾛｷ ", "セイ　ヒロキ"),
        ("ｳﾞｨｸﾄﾙ・ﾕｰｺﾞｰ", "ヴィクトル・ユーゴー"),
        ("カ\u3099ッコウ", "ガッコウ"),  # combining sound mark from a Mac
    ],
)
def test_kana_is_normalized_to_full_width_katakana(typed: str, stored: str) -> None:
    validate_kana(typed)
    assert normalize_kana(typed) == stored


@pytest.mark.parametrize(
    ("value", "shown"),
    [("やまだ たろう", "「や」"), ("山田", "「山」"), ("ﾀﾛｳ1", "「1」"), ("ﾀﾛｳ-", "「-」")],
)
def test_kana_refuses_other_characters_and_names_them(value: str, shown: str) -> None:
    error = refusal(validate_kana, value)
    assert error.code == "kana"
    assert shown in error.messages[0]


kana_input = st.text(alphabet=st.sampled_from(list("ｱｲｳｶﾞｷﾟﾊﾟｯｬｰ ･ァイウエオガパヴッャー・　ヵヶ")), max_size=20)


@FAST
@given(text=kana_input)
def test_normalize_kana_is_idempotent_and_its_result_validates(text: str) -> None:
    once = normalize_kana(text)
    assert normalize_kana(once) == once
    if "ﾞ" not in once and "ﾟ" not in once:  # a sound mark with nothing to join stays refused
        validate_kana(once)
        validate_kana(text)


def test_address_kana_of_the_manual() -> None:
    # seed 003: 本社所在地 1 カナ「ヨウイク 6-2-15」
    validate_address_kana("ヨウイク 6-2-15")
    assert normalize_address_kana("ﾖｳｲｸ 6-2-15") == "ヨウイク　６－２－１５"


def test_a_long_vowel_mark_after_a_digit_is_a_hyphen_in_an_address() -> None:
    assert normalize_address_kana("トヨス６ー２ー１５　ビルー") == "トヨス６－２－１５　ビルー"


def test_address_kana_refuses_the_half_width_double_quote() -> None:
    # seed 003 1.4: 「本社所在地1カナ」「本社所在地2カナ」欄では半角の”は使用しない
    error = refusal(validate_address_kana, 'ﾄﾖｽ "ﾋﾞﾙ"')
    assert error.code == "address_kana_double_quote"
    assert "ダブルクォーテーション" in error.messages[0]
    assert '"' in normalize_address_kana('"')  # never widened into an allowed character


def test_address_kana_refuses_kanji() -> None:
    error = refusal(validate_address_kana, "豊洲ビル")
    assert error.code == "address_kana"
    assert "「豊」" in error.messages[0]


address_input = st.text(
    alphabet=st.sampled_from(list("ﾄﾖｽｰ ビルー0123456789-－‐()./&'#ABCｂ・、。　")), max_size=25
)


@FAST
@given(text=address_input)
def test_normalize_address_kana_is_idempotent_and_its_result_validates(text: str) -> None:
    once = normalize_address_kana(text)
    assert normalize_address_kana(once) == once
    validate_address_kana(text)
    validate_address_kana(once)


def test_half_width_kana() -> None:
    assert to_half_width_kana("ヤマダ　タロウ") == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert to_half_width_kana("ヴィクトル・ユーゴー") == "ｳﾞｨｸﾄﾙ･ﾕｰｺﾞｰ"
    assert to_half_width_kana("ケ・ヶ・ヵ・ぱ") == "ｹ･ｹ･ｶ･ﾊﾟ"
    validate_half_width_kana("ﾔﾏﾀﾞ ﾀﾛｳ")
    error = refusal(validate_half_width_kana, "ヤマダ ﾀﾛｳ")
    assert error.code == "half_width_kana"
    assert "「ヤ」" in error.messages[0]


@FAST
@given(text=st.text(alphabet=st.sampled_from(list("アイウガパヴッャーヵヶヮ・　あがぱ")), max_size=20))
def test_to_half_width_kana_gives_valid_half_width_kana(text: str) -> None:
    half = to_half_width_kana(text)
    validate_half_width_kana(half)
    assert to_half_width_kana(half) == half
    assert normalize_kana(half) == normalize_kana(to_half_width_kana(normalize_kana(half)))


# --- 電話番号 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["03-1234-5678", "090-1234-5678", "0120-123-456", "0570-000-123", "01267-2-3456", "050-1234-5678"],
)
def test_phone_numbers_with_hyphens(value: str) -> None:
    validate_phone(value)
    assert normalize_phone(value) == value


def test_phone_typed_in_full_width_or_with_a_long_vowel_mark() -> None:
    assert normalize_phone("０３－１２３４－５６７８") == "03-1234-5678"
    assert normalize_phone("03ー1234ー5678") == "03-1234-5678"
    assert normalize_phone(" 090‐1234‐5678 ") == "090-1234-5678"
    validate_phone("０９０ー１２３４ー５６７８")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0312345678", "phone_hyphen"),
        ("03-12345678", "phone_hyphen"),
        ("03--1234-5678", "phone_hyphen"),
        ("03-1234-567", "phone_length"),
        ("090-1234-56789", "phone_length"),
        ("3-1234-5678", "phone_prefix"),
        ("+81-3-1234-5678", "phone_chars"),
        ("03(1234)5678", "phone_chars"),
        ("", "phone_length"),
    ],
)
def test_phone_refusals_say_what_is_wrong(value: str, code: str) -> None:
    assert refusal(validate_phone, value).code == code


@FAST
@given(
    area=st.from_regex(r"0[1-9][0-9]{0,2}", fullmatch=True),
    local=st.from_regex(r"[0-9]{1,4}", fullmatch=True),
    line=st.from_regex(r"[0-9]{4}", fullmatch=True),
)
def test_phone_normalize_is_idempotent(area: str, local: str, line: str) -> None:
    phone = f"{area}-{local}-{line}"
    wide = phone.translate(FULL_WIDTH_DIGITS).replace("-", "－")
    assert normalize_phone(wide) == phone
    assert normalize_phone(phone) == phone
    if len(phone) - 2 in (10, 11):
        validate_phone(wide)


# --- 郵便番号 --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1300001", "130-0001", "１３０－０００１", "〒130-0001", " 130ー0001 "])
def test_postal_code_forms_are_accepted_and_stored_as_seven_digits(value: str) -> None:
    validate_postal_code(value)
    assert normalize_postal_code(value) == "1300001"


@pytest.mark.parametrize("value", ["", "130001", "13000011", "1300-001", "13-00001", "130 0001a"])
def test_postal_code_refusals(value: str) -> None:
    error = refusal(validate_postal_code, value)
    assert error.code == "postal_code_format"
    assert "7桁" in error.messages[0]


@FAST
@given(code=st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_postal_code_round_trips_through_every_written_form(code: str) -> None:
    hyphenated = f"{code[:3]}-{code[3:]}"
    for form in (code, hyphenated, hyphenated.translate(FULL_WIDTH_DIGITS), f"〒{hyphenated}"):
        validate_postal_code(form)
        assert normalize_postal_code(form) == code


# --- 供給地点特定番号 -------------------------------------------------------------------------


def test_supply_point_number_and_its_area() -> None:
    number = "0312345678901234567890"
    validate_supply_point_number(number)
    assert supply_point_area(number) is Area.TOKYO
    assert Area.TOKYO.label == "東京"
    assert supply_point_area("10" + "0" * 20) is Area.OKINAWA


def test_supply_point_number_written_with_spaces_and_full_width_digits() -> None:
    typed = "０３ 1234-5678-9012 3456-7890"
    assert normalize_supply_point_number(typed) == "0312345678901234567890"
    assert supply_point_area(typed) is Area.TOKYO


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("031234567890123456789", "supply_point_number_format"),
        ("03123456789012345678901", "supply_point_number_format"),
        ("03123456789012345678A0", "supply_point_number_format"),
        ("0012345678901234567890", "supply_point_number_area"),
        ("1112345678901234567890", "supply_point_number_area"),
    ],
)
def test_supply_point_number_refusals(value: str, code: str) -> None:
    assert refusal(validate_supply_point_number, value).code == code
    with pytest.raises(ValidationError):
        supply_point_area(value)


def test_the_ten_areas() -> None:
    assert [(a.value, a.label) for a in Area] == [
        ("01", "北海道"),
        ("02", "東北"),
        ("03", "東京"),
        ("04", "中部"),
        ("05", "北陸"),
        ("06", "関西"),
        ("07", "中国"),
        ("08", "四国"),
        ("09", "九州"),
        ("10", "沖縄"),
    ]


@FAST
@given(area=st.sampled_from(Area.values), rest=st.from_regex(r"[0-9]{20}", fullmatch=True))
def test_every_area_code_gives_its_area(area: str, rest: str) -> None:
    number = area + rest
    assert supply_point_area(number) == Area(area)
    assert normalize_supply_point_number(number.translate(FULL_WIDTH_DIGITS)) == number


# --- メールアドレス --------------------------------------------------------------------------


def test_email() -> None:
    validate_email("taro@example.co.jp")
    assert normalize_email(" ｔａｒｏ＠Example.CO.JP ") == "taro@example.co.jp"
    validate_email("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ")
    error = refusal(validate_email, "taro@")
    assert error.code == "email_format"
    assert error.messages[0].startswith("メールアドレスの形式が正しくありません")
