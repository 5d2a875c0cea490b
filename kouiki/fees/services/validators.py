"""Normalizers and validators of the fees app: bank accounts as Japanese banks (全銀) take them, and
the cells of the invoice CSV. Same contract as kouiki.core.japanese: ``normalize_*`` never raise,
``validate_*`` raise ``ValidationError`` with a Japanese message about the normalized value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import jaconv
from django.core.exceptions import ValidationError

from kouiki.core.japanese import to_half_width_kana

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SPACES_RE = re.compile(r"[ \u3000]+")

# --- bank accounts (全銀) --------------------------------------------------------------------

# 口座名義 as banks accept it: ｱ..ﾝ (with ｦ), ﾞ ﾟ, upper-case letters, digits, space and ( ) . - /
_ZENGIN_CHARS = "\uff66\uff71-\uff9d\uff9e\uff9fA-Z0-9 ().\\-/"
_ZENGIN_RE = re.compile(f"[{_ZENGIN_CHARS}]+")
_ZENGIN_CHAR_RE = re.compile(f"[{_ZENGIN_CHARS}]")
# Small kana are written large on a bank account (ｼﾔ for シャ); long vowel marks and dashes are "-",
# a middle dot is ".".
_ZENGIN_REPLACEMENTS = str.maketrans(
    {
        "ｧ": "ｱ",
        "ｨ": "ｲ",
        "ｩ": "ｳ",
        "ｪ": "ｴ",
        "ｫ": "ｵ",
        "ｬ": "ﾔ",
        "ｭ": "ﾕ",
        "ｮ": "ﾖ",
        "ｯ": "ﾂ",
        "ｰ": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "･": ".",
    }
)
HOLDER_NAME_MAX_LENGTH = 30  # 全銀 受取人名


def normalize_holder_name(value: str) -> str:
    """口座名義 in the characters banks accept: ヤマダ　タロウ → ﾔﾏﾀﾞ ﾀﾛｳ, ｶ)ｺｳｲｷ stays.

    Full-width letters, digits and signs become half-width, letters upper case, kana half-width
    (hiragana too) with small kana large, dashes and long vowel marks "-", runs of spaces one.
    """
    text = unicodedata.normalize("NFC", value)
    text = jaconv.z2h(text, kana=False, ascii=True, digit=True)
    text = to_half_width_kana(text).upper().translate(_ZENGIN_REPLACEMENTS)
    return _SPACES_RE.sub(" ", text).strip()


def _shown(char: str) -> str:
    if char == " ":
        return "半角スペース"
    if unicodedata.category(char)[0] in {"C", "Z"}:
        return f"U+{ord(char):04X}"
    return f"「{char}」"


def validate_holder_name(value: str) -> None:
    """Only the characters of 全銀, at most 30 of them."""
    name = normalize_holder_name(value)
    if not _ZENGIN_RE.fullmatch(name):
        bad: list[str] = []
        for char in name:
            if not _ZENGIN_CHAR_RE.fullmatch(char) and _shown(char) not in bad:
                bad.append(_shown(char))
        raise ValidationError(
            "口座名義は半角カナ・英大文字・数字・スペース・記号（ ( ) . - / ）で入力してください。"
            "使用できない文字: %(chars)s",
            code="holder_name_chars",
            params={"chars": "、".join(bad[:5]) + (" など" if len(bad) > 5 else "")},
        )
    if len(name) > HOLDER_NAME_MAX_LENGTH:
        raise ValidationError(
            "口座名義は半角%(max)s文字以内で入力してください（現在 %(length)s 文字）。",
            code="holder_name_length",
            params={"max": HOLDER_NAME_MAX_LENGTH, "length": len(name)},
        )


def normalize_digits(value: str) -> str:
    """Half-width digits, spaces removed: ０００１ → 0001."""
    return _SPACES_RE.sub("", value.strip().translate(_FULL_WIDTH_DIGITS))


def _digits_validator(label: str, length: int, code: str, hint: str = "") -> Callable[[str], None]:
    def validate(value: str) -> None:
        digits = normalize_digits(value)
        if not (len(digits) == length and all("0" <= c <= "9" for c in digits)):
            raise ValidationError(f"{label}は{length}桁の半角数字で入力してください。{hint}", code=code)

    return validate


validate_bank_code = _digits_validator("金融機関コード", 4, "bank_code_format", "（例: 0001）")
validate_branch_code = _digits_validator("支店コード", 3, "branch_code_format", "（例: 001）")
validate_account_number = _digits_validator(
    "口座番号", 7, "account_number_format", "7桁に満たない場合は先頭に0を付けてください（例: 0012345）。"
)


def normalize_bank_name(value: str) -> str:
    """A bank or branch name as typed, spaces trimmed and runs of spaces one full-width space."""
    return _SPACES_RE.sub("\u3000", unicodedata.normalize("NFC", value).strip())


# --- invoice CSV cells -------------------------------------------------------------------------

MAX_YEN = 999_999_999_999


def normalize_yen(value: str) -> str:
    """An amount as typed in Excel: ¥1,200,000 / １２００００円 → 1200000."""
    text = normalize_digits(value)
    for sign in (",", "，", "¥", "￥", "\\", "円"):
        text = text.replace(sign, "")
    return text


def validate_yen(value: str) -> None:
    text = normalize_yen(value)
    if not text or not all("0" <= c <= "9" for c in text):
        raise ValidationError("金額は0以上の整数（円）で入力してください。", code="yen_format")
    # The length first: int() refuses digit strings past 4,300 characters (a ValueError, not ours).
    if len(text.lstrip("0")) > len(str(MAX_YEN)) or int(text) > MAX_YEN:
        raise ValidationError("金額が大きすぎます。", code="yen_too_large")


def validate_positive_yen(value: str) -> None:
    validate_yen(value)
    if int(normalize_yen(value)) == 0:
        raise ValidationError("金額は1円以上で入力してください。", code="yen_zero")


def normalize_fiscal_year(value: str) -> str:
    """2025 / ２０２５ / 2025年度 → 2025."""
    return normalize_digits(value).removesuffix("年度")


def validate_fiscal_year(value: str) -> None:
    text = normalize_fiscal_year(value)
    if not (len(text) == 4 and all("0" <= c <= "9" for c in text) and 2000 <= int(text) <= 2099):
        raise ValidationError("年度は西暦4桁で入力してください（例: 2025）。", code="fiscal_year_format")
