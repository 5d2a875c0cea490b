"""Validators and normalizers for Japanese input, shared by forms, API schemas and CSV import.

Two kinds of plain functions:

- ``normalize_*`` / ``to_*`` turn what a person typed into the one form we store (half-width
  digits, full-width katakana, ...). They never raise: a value they cannot make sense of comes
  back cleaned as far as possible, and the validator then says what is wrong.
- ``validate_*`` raise ``django.core.exceptions.ValidationError`` with a Japanese message and a
  stable ``code``. A ``validate_x`` accepts every value that ``normalize_x`` turns into a valid
  stored value (so ``130-0001`` and ``１３０００１`` are valid postal codes); store
  ``normalize_x(value)``, never the raw value. ``validate_full_width`` and
  ``validate_half_width_kana`` are the exceptions: their rule *is* the width, so they check the
  value exactly as given.

Only ASCII digits count as digits (``[0-9]``, never ``\\d``, which also matches e.g. Arabic-Indic
digits).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

import jaconv
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models

# Characters people type for a hyphen or a dash; in numbers they all mean "-".
_HYPHENS = "-‐‑‒–—―−﹣－ｰー"
_HYPHENS_TO_ASCII = str.maketrans(_HYPHENS, "-" * len(_HYPHENS))
# In an address kana a long vowel mark is a real long vowel; every other dash is a hyphen.
_DASHES = _HYPHENS.replace("ー", "").replace("ｰ", "")
_DASHES_TO_FULL_WIDTH = str.maketrans(_DASHES, "－" * len(_DASHES))
_SPACES_RE = re.compile(r"[ \u3000]+")

# Full-width katakana ァ..ヺ (including ヴ, ヵ, ヶ, ヷ..ヺ), the long vowel mark and the middle dot.
_KATAKANA = "\u30a1-\u30fa"
_KANA_RE = re.compile(f"[{_KATAKANA}ー・\u3000]*")
_ADDRESS_KANA_PUNCTUATION = "－・．，、。（）／＆＇＃"
_ADDRESS_KANA_RE = re.compile(f"[{_KATAKANA}ー\u3000０-９Ａ-Ｚａ-ｚ{_ADDRESS_KANA_PUNCTUATION}]*")
# Half-width katakana block: ･ ｦ..ﾝ ｧ..ｯ ｰ ﾞ ﾟ (U+FF65..U+FF9F), plus the ASCII space.
_HALF_WIDTH_KANA_RE = re.compile("[\uff65-\uff9f ]*")

# Half-width signs that jaconv does not widen.
_EXTRA_TO_FULL_WIDTH = str.maketrans(
    {"ﾞ": "゛", "ﾟ": "゜", "¥": "￥", "¢": "￠", "£": "￡", "¬": "￢", "¦": "￤"}
)
# Small or historical katakana without a half-width form: the customary (Zengin) replacements.
_TO_HALF_WIDTH_KANA_EXTRA = str.maketrans(
    {
        "ヵ": "ｶ",
        "ヶ": "ｹ",
        "ヮ": "ﾜ",
        "ヰ": "ｲ",
        "ヱ": "ｴ",
        "ヷ": "ﾜﾞ",
        "ヸ": "ｲﾞ",
        "ヹ": "ｴﾞ",
        "ヺ": "ｦﾞ",
        "\u3000": " ",
    }
)

# Removed from what people type: controls, format characters (a zero-width space, a byte-order
# mark, a bidirectional mark) and halves of surrogate pairs — they show nothing.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_SHOWN_CHARS = 5
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _describe_char(char: str) -> str:
    names = {" ": "半角スペース", "\u3000": "全角スペース", "\t": "タブ", "\n": "改行", "\r": "改行"}
    if char in names:
        return names[char]
    if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return f"U+{ord(char):04X}"
    return f"「{char}」"


def _offending(value: str, is_bad: Callable[[str], bool]) -> str:
    """The distinct characters of ``value`` that break the rule, as shown to the user."""
    seen: list[str] = []
    for char in value:
        shown = _describe_char(char)
        if is_bad(char) and shown not in seen:
            seen.append(shown)
    text = "、".join(seen[:_SHOWN_CHARS])
    return text + " など" if len(seen) > _SHOWN_CHARS else text


# --- codes: numbers and IDs people type ----------------------------------------------------------


def normalize_code(value: str | None) -> str:
    """A code-like value (事業者コード, ユーザID, 受付番号, 契約番号, ...) as we keep and compare it:
    NFKC, so full-width digits and letters are half-width (`９００１` → `9001`, `Ａ－９００１` →
    `A-9001`); every hyphen or dash form a `-`; no spaces and no invisible characters anywhere.

    The one normalization of every code field: forms (`core.forms.CodeField`), the API
    (`core.schemas.code`) and CSV columns use it. Letters keep their case."""
    text = unicodedata.normalize("NFKC", value or "").translate(_HYPHENS_TO_ASCII)
    text = "".join(c for c in text if not c.isspace() and unicodedata.category(c) not in _REMOVED_CATEGORIES)
    # Again: what stood apart around a removed space may now compose (R + U+200B + a cedilla).
    return unicodedata.normalize("NFKC", text)


def _is_ascii_digits(value: str, length: int) -> bool:
    return len(value) == length and all("0" <= c <= "9" for c in value)


# --- 法人番号 (corporate number) -------------------------------------------------------------


def corporate_number_check_digit(base12: str) -> int:
    """The check digit (the first digit) of a 法人番号 whose other 12 digits are ``base12``.

    The rule of 国税庁 (法人番号の指定等に関する省令 第2条): with P(n) the n-th digit of the
    12-digit base counted from the right (the last digit is n = 1) and Q(n) = 1 when n is odd,
    2 when n is even, the check digit is 9 - (Σ P(n) × Q(n) mod 9). It is therefore 1..9, never 0.
    Example: 国税庁's own number 7000012050002.
    """
    if not _is_ascii_digits(base12, 12):
        raise ValueError("base12 must be 12 ASCII digits")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def normalize_corporate_number(value: str) -> str:
    """Half-width digits without spaces or hyphens."""
    return normalize_code(value).replace("-", "")


def validate_corporate_number(value: str) -> None:
    number = normalize_corporate_number(value)
    if not _is_ascii_digits(number, 13):
        raise ValidationError("法人番号は13桁の数字で入力してください。", code="corporate_number_format")
    if int(number[0]) != corporate_number_check_digit(number[1:]):
        raise ValidationError(
            "法人番号が正しくありません（チェックデジットが一致しません）。番号をご確認ください。",
            code="corporate_number_check_digit",
        )


# --- 事業者コード and ユーザID ------------------------------------------------------------------


def normalize_organization_code(value: str) -> str:
    return normalize_code(value)


def validate_organization_code(value: str) -> None:
    """事業者コード: the 4 digits the organization assigns (seed 003 1.4)."""
    if not _is_ascii_digits(normalize_organization_code(value), 4):
        raise ValidationError(
            "事業者コードは4桁の半角数字で入力してください。", code="organization_code_format"
        )


def normalize_user_login_id(value: str) -> str:
    return normalize_code(value)


def validate_user_login_id(value: str) -> None:
    """A participant's ユーザID: 6 half-width alphanumerics (seed 003 3.2)."""
    login_id = normalize_user_login_id(value)
    if not re.fullmatch(r"[0-9A-Za-z]{6}", login_id, flags=re.ASCII):
        raise ValidationError("ユーザIDは6桁の半角英数字で入力してください。", code="user_login_id_format")


# --- 全角 (full-width text) ------------------------------------------------------------------


def _is_half_width(char: str) -> bool:
    """ASCII, half-width kana and signs, controls and spaces other than the ideographic space."""
    if char == "\u3000":
        return False
    return (
        unicodedata.east_asian_width(char) in {"Na", "H"}
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
    )


def to_full_width(value: str) -> str:
    """Widen ASCII letters, digits, signs, spaces and half-width katakana (ｶﾞ → ガ)."""
    return jaconv.h2z(value, kana=True, ascii=True, digit=True).translate(_EXTRA_TO_FULL_WIDTH)


def widen_spaces(value: str) -> str:
    """Half-width spaces to full-width ones, nothing else: for names that must be typed full-width."""
    return value.strip().replace(" ", "\u3000")


def validate_full_width(value: str, *, multiline: bool = False) -> None:
    """No half-width character at all: ASCII, half-width katakana, control characters.

    ``multiline`` allows line breaks (for a textarea such as その他).
    """

    def is_bad(char: str) -> bool:
        return not (multiline and char in "\r\n") and _is_half_width(char)

    if any(is_bad(char) for char in value):
        raise ValidationError(
            "全角で入力してください。使用できない半角文字: %(chars)s",
            code="full_width",
            params={"chars": _offending(value, is_bad)},
        )


# --- カナ (katakana names and addresses) ---------------------------------------------------


def normalize_kana(value: str) -> str:
    """Full-width katakana, words separated by one full-width space, no leading/trailing space.

    Accepts half-width katakana (ﾔﾏﾀﾞ ﾀﾛｳ → ヤマダ　タロウ) and combining sound marks.
    Hiragana is left as typed: the validator asks for katakana.
    """
    text = jaconv.h2z(unicodedata.normalize("NFC", value), kana=True, ascii=False, digit=False)
    return _SPACES_RE.sub("\u3000", unicodedata.normalize("NFC", text).strip())


def validate_kana(value: str) -> None:
    """A name in katakana (full- or half-width), with spaces, ー and ・."""
    kana = normalize_kana(value)
    if not _KANA_RE.fullmatch(kana):
        raise ValidationError(
            "カナはカタカナ・長音（ー）・スペースで入力してください。使用できない文字: %(chars)s",
            code="kana",
            params={"chars": _offending(kana, lambda c: not _KANA_RE.fullmatch(c))},
        )


def normalize_address_kana(value: str) -> str:
    """Like ``normalize_kana``, and widens digits, letters and signs; a dash is －.

    A half-width double quote is kept as typed so that the validator can refuse it. A long
    vowel mark right after a digit (６ー２) is a mistyped hyphen.
    """
    text = jaconv.h2z(unicodedata.normalize("NFC", value), ignore='"', kana=True, ascii=True, digit=True)
    text = text.translate(_DASHES_TO_FULL_WIDTH)
    text = re.sub("(?<=[０-９])ー", "－", unicodedata.normalize("NFC", text))
    return _SPACES_RE.sub("\u3000", text.strip())


def validate_address_kana(value: str) -> None:
    """本社所在地カナ: katakana, digits, letters, spaces and common signs, never a half-width "."""
    if '"' in value:
        # seed 003 1.4: 「本社所在地カナ」欄では半角の”は使用しない
        raise ValidationError(
            '所在地カナに半角のダブルクォーテーション（"）は使用できません。',
            code="address_kana_double_quote",
        )
    kana = normalize_address_kana(value)
    if not _ADDRESS_KANA_RE.fullmatch(kana):
        raise ValidationError(
            "所在地カナはカタカナ・数字・英字・スペース・記号（－・．，（）／＆＇＃）で入力してください。"
            "使用できない文字: %(chars)s",
            code="address_kana",
            params={"chars": _offending(kana, lambda c: not _ADDRESS_KANA_RE.fullmatch(c))},
        )


def to_half_width_kana(value: str) -> str:
    """Half-width katakana (ヤマダ　タロウ → ﾔﾏﾀﾞ ﾀﾛｳ); hiragana becomes katakana too.

    ヵ ヶ ヮ ヰ ヱ, which have no half-width form, become ｶ ｹ ﾜ ｲ ｴ as banks do. Other
    characters are left as they are.
    """
    text = jaconv.hira2kata(unicodedata.normalize("NFC", value)).translate(_TO_HALF_WIDTH_KANA_EXTRA)
    return jaconv.z2h(text, kana=True, ascii=False, digit=False)


def validate_half_width_kana(value: str) -> None:
    """Half-width katakana (ｱ..ﾝ, ｧ..ｯ, ﾞ ﾟ ｰ ･) and half-width spaces only."""
    if not _HALF_WIDTH_KANA_RE.fullmatch(value):
        raise ValidationError(
            "半角カナで入力してください。使用できない文字: %(chars)s",
            code="half_width_kana",
            params={"chars": _offending(value, lambda c: not _HALF_WIDTH_KANA_RE.fullmatch(c))},
        )


# --- 電話番号 (phone) ------------------------------------------------------------------------

_PHONE_RE = re.compile(r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}")


def normalize_phone(value: str) -> str:
    """Half-width digits and ``-``: ０３－１２３４－５６７８ → 03-1234-5678; spaces removed."""
    return normalize_code(value)


def validate_phone(value: str) -> None:
    """A Japanese number starting with 0, 10 or 11 digits, in three groups joined by hyphens.

    The groups are 市外局番 (2-5 digits with the 0), 市内局番 (1-4) and 加入者番号 (3-4):
    03-1234-5678, 090-1234-5678, 0120-123-456, 01267-2-3456.
    """
    phone = normalize_phone(value)
    if not re.fullmatch(r"[0-9-]*", phone):
        raise ValidationError(
            "電話番号は半角数字とハイフン（-）で入力してください（例: 03-1234-5678）。"
            "使用できない文字: %(chars)s",
            code="phone_chars",
            params={"chars": _offending(phone, lambda c: not ("0" <= c <= "9" or c == "-"))},
        )
    digits = phone.replace("-", "")
    if digits and not digits.startswith("0"):
        raise ValidationError("電話番号は0から始まる番号を入力してください。", code="phone_prefix")
    if len(digits) not in (10, 11):
        raise ValidationError(
            "電話番号の桁数が正しくありません（ハイフンを除いて10桁または11桁です）。", code="phone_length"
        )
    if not _PHONE_RE.fullmatch(phone):
        raise ValidationError(
            "電話番号の形式が正しくありません。市外局番・市内局番・加入者番号をハイフン（-）で"
            "区切って入力してください（例: 03-1234-5678）。",
            code="phone_hyphen",
        )


# --- 郵便番号 (postal code) ------------------------------------------------------------------


def normalize_postal_code(value: str) -> str:
    """7 half-width digits without hyphen: 130-0001, 〒１３０－０００１ → 1300001."""
    code = normalize_code(value).removeprefix("〒")
    match = re.fullmatch(r"([0-9]{3})-([0-9]{4})", code)
    return match[1] + match[2] if match else code


def validate_postal_code(value: str) -> None:
    if not _is_ascii_digits(normalize_postal_code(value), 7):
        raise ValidationError(
            "郵便番号は7桁の数字で入力してください（例: 1300001 または 130-0001）。",
            code="postal_code_format",
        )


# --- 供給地点特定番号 (supply point number) ----------------------------------------------------


class Area(models.TextChoices):
    """The ten areas of the general transmission and distribution operators (エリア).

    The value is the area code: the first two digits of a 供給地点特定番号.
    """

    HOKKAIDO = "01", "北海道"
    TOHOKU = "02", "東北"
    TOKYO = "03", "東京"
    CHUBU = "04", "中部"
    HOKURIKU = "05", "北陸"
    KANSAI = "06", "関西"
    CHUGOKU = "07", "中国"
    SHIKOKU = "08", "四国"
    KYUSHU = "09", "九州"
    OKINAWA = "10", "沖縄"


# What a 供給地点特定番号 may be typed as, for the OpenAPI document (ECMA-262 syntax): 22 digits of
# either width, the first two an area code (01-10), with spaces and hyphens of any form between.
_SEPARATORS = "[ \u3000" + _HYPHENS.replace("-", "") + "-]*"
_ANY_DIGIT = "[0-9０-９]"
SUPPLY_POINT_NUMBER_PATTERN = (
    f"^{_SEPARATORS}(?:[0０]{_SEPARATORS}[1-9１-９]|[1１]{_SEPARATORS}[0０])"
    f"(?:{_SEPARATORS}{_ANY_DIGIT}){{20}}{_SEPARATORS}$"
)


def normalize_supply_point_number(value: str) -> str:
    """22 half-width digits: full-width digits narrowed, spaces and hyphens removed."""
    return normalize_code(value).replace("-", "")


def validate_supply_point_number(value: str) -> None:
    number = normalize_supply_point_number(value)
    if not _is_ascii_digits(number, 22):
        raise ValidationError(
            "供給地点特定番号は22桁の数字で入力してください（現在 %(length)s 桁）。",
            code="supply_point_number_format",
            params={"length": len(number)},
        )
    if number[:2] not in Area.values:
        raise ValidationError(
            "供給地点特定番号の先頭2桁（エリアコード）が正しくありません。"
            "01（北海道）から10（沖縄）のいずれかです。",
            code="supply_point_number_area",
        )


def supply_point_area(number: str) -> Area:
    """The area of a 供給地点特定番号; raises ``ValidationError`` when the number is invalid."""
    validate_supply_point_number(number)
    return Area(normalize_supply_point_number(number)[:2])


# --- メールアドレス (e-mail) -----------------------------------------------------------------

_email_validator = EmailValidator(
    message="メールアドレスの形式が正しくありません（例: taro@example.co.jp）。", code="email_format"
)


def normalize_email(value: str) -> str:
    """Half-width (an IME's ＠ becomes @), the domain in lower case."""
    email = jaconv.z2h(value.strip(), kana=False, ascii=True, digit=True)
    local, at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if at else email


def validate_email(value: str) -> None:
    _email_validator(normalize_email(value))


# --- free text as people type it --------------------------------------------------------------

# Letters and signs that show as blank space although they are not spaces (Hangul fillers, the
# blank Braille pattern).
_BLANK_SIGNS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def clean_text(value: str | None) -> str:
    """A name, address or number as typed, in the form we keep and compare: NFKC (full-width letters
    and digits narrowed, half-width katakana widened), controls, format characters and lone
    surrogates (Unicode Cc, Cf, Cs) removed, every run of spaces one half-width space, none at
    either end."""
    text = unicodedata.normalize("NFKC", value or "")
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) not in _REMOVED_CATEGORIES)
    return " ".join(text.split())


def is_visible(text: str) -> bool:
    """Whether the text shows anything: a letter, digit or sign, not only spaces, combining marks,
    invisible characters or blank signs."""
    return any(
        not c.isspace() and c not in _BLANK_SIGNS and unicodedata.category(c)[0] not in "CZM" for c in text
    )


def normalize_address(value: str | None) -> str:
    """An address (住所, 所在地) as every system keeps it: `clean_text`, so digits, letters and
    hyphens are half-width (`丸の内一丁目１番１号` → `丸の内一丁目1番1号`, as the member manual's own
    example `東京都中央区銀座6-2-15`) and kana full-width (ADR 21)."""
    return clean_text(value)


# --- Shift_JIS (CP932) ------------------------------------------------------------------------


def _outside_cp932(char: str) -> bool:
    if unicodedata.category(char) in _REMOVED_CATEGORIES:
        # Invisible: `clean_text` removes it, the width rules refuse it; nothing to name here.
        return False
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return True
    return False


def validate_cp932(value: str) -> None:
    """Only characters Shift_JIS (CP932) holds: what people type reaches CP932 CSV files and the
    operators' messages, which cannot carry an emoji (🔥) or a character outside JIS (𠀋). The
    message names the characters, as typed. Invisible characters (controls, a zero-width space)
    are left to `clean_text` and the width rules."""
    try:
        value.encode("cp932")  # the usual case, in one call
        return
    except UnicodeEncodeError:
        pass
    if any(_outside_cp932(char) for char in value):
        raise ValidationError(
            "%(chars)sは使用できません（Shift_JIS（CP932）で表せない文字です）。",
            code="cp932",
            params={"chars": _offending(value, _outside_cp932)},
        )


# --- 日付 (a date typed in a CSV cell) ------------------------------------------------------------

_DATE_RE = re.compile(r"([0-9]{4})[/\-.年]([0-9]{1,2})[/\-.月]([0-9]{1,2})日?")


def parse_date(value: str) -> date | None:
    """2025/6/30, 2025-06-30, 2025年6月30日, ２０２５／６／３０ or 20250630; None when it is not a date."""
    text = normalize_code(value)
    if re.fullmatch(r"[0-9]{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    elif match := _DATE_RE.fullmatch(text):
        parts = (match[1], match[2], match[3])
    else:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def validate_date(value: str) -> None:
    if parse_date(value) is None:
        raise ValidationError(
            "日付は「2025/06/30」の形式で、存在する日付を入力してください。", code="date_format"
        )


# --- length --------------------------------------------------------------------------------------


def too_long_message(limit: int, length: int) -> str:
    """A value longer than its field keeps: the limit and the length typed (forms, API, CSV)."""
    return f"{limit}文字以内で入力してください（現在 {length} 文字）。"


def plain_spaces(value: str) -> str:
    """Spaces other than the half-width and the ideographic one (a no-break space pasted from a web
    page, a thin space) as a half-width space: they look the same and CP932 holds none of them."""
    return "".join(" " if unicodedata.category(c) == "Zs" and c not in " \u3000" else c for c in value)
