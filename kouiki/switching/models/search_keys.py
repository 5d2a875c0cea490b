"""The search keys of a supply point (SW-W01, SW-W14): one function computes them for every writer
of the registry (`SupplyPointVersion.save`, the generator's COPY and `bulk_create`), and the same
rules normalize what a user types, so that a key and a query meet in one form (ADR 31).

- Address (需要場所住所): NFKC (full/half width), lower case, no spaces; kanji numerals become
  digits where they are numbers of the block part (before 丁目/番地/番/号/条/地割 or a hyphen, or
  after them); 丁目, 番地, 番, 号, 地割, hyphens of every form and 「の」 between numbers are dropped,
  and each number of up to four digits becomes one character of its own (U+20000 + the number, CJK
  Extension B: a letter to pg_trgm), so a number is whole — 「丸の内1-9」 finds 番 9, not 19 or 90 —
  and a trigram holds a town's last character with two numbers (「内」 丁目1 番9), rare enough for the
  index to narrow at once. 「東京都千代田区丸の内一丁目9番2号」 and 「千代田区丸の内1-9-2」 both hold
  「丸の内」 followed by the characters of 1, 9 and 2; so does the fragment 「丸の内1-9」 (1, 9).
- Pole number (引込柱番号), meter number (計器番号): NFKC, upper case, no spaces or hyphens.
- Customer name (需要者氏名): NFKC, no spaces (searched only within the searcher's lawful points).

Kanji numerals are read by `kanjize` (MIT); width by the standard library's NFKC.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from kanjize import kanji2number

SEPARATOR = "x"
# Hyphen-like characters people type in addresses and numbers (ー and ｰ only after a digit).
DASHES = "-‐‑‒–—―−─━﹣－"
_DASH = "[" + re.escape(DASHES) + "]"
_KANJI_NUMBER = "[〇一二三四五六七八九十百千]+"
_BLOCK = "丁目|番地|番|号|条|地割"
_SPACE = re.compile(r"\s+")
# A kanji numeral is a number where a block word or a hyphen follows, or a block word precedes.
_KANJI_BEFORE = re.compile(f"({_KANJI_NUMBER})(?=(?:{_BLOCK})|{_DASH}|ー)")
_KANJI_AFTER = re.compile(f"(?:(?<=丁目)|(?<=番地)|(?<=番地の)|(?<=番の)|(?<=[番号]))({_KANJI_NUMBER})")
_UNITS = re.compile(f"(?<=[0-9])(?:丁目|番地|番|号|地割|{_DASH}|ー)")
_NO_BETWEEN = re.compile(f"(?<=[0-9]){SEPARATOR}?の(?=[0-9])")
_DOUBLED = re.compile(f"{SEPARATOR}{{2,}}")
# A number of up to four digits (and the separator after it) as one character: U+20000 + n.
NUMBER_BASE = 0x20000
_NUMBER = re.compile(f"(?<![0-9])([0-9]{{1,4}})(?![0-9]){SEPARATOR}?")
_NUMBER_DASHES = re.compile(f"{_DASH}|ー|ｰ")


def _kanji_to_digits(match: re.Match[str]) -> str:
    try:
        return str(kanji2number(match.group(1)))
    except (ValueError, KeyError, IndexError):  # not a well-formed numeral: keep it as written
        return match.group(1)


def _nfkc(value: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", value or ""))


def address_key(value: str) -> str:
    """The address in its one search form, the same for a stored address and a typed fragment."""
    text = _nfkc(value).lower().replace("ヶ", "ケ").replace("ヵ", "カ")
    text = _KANJI_BEFORE.sub(_kanji_to_digits, text)
    text = _KANJI_AFTER.sub(_kanji_to_digits, text)
    text = _UNITS.sub(SEPARATOR, text)
    text = _NO_BETWEEN.sub(SEPARATOR, text)
    text = _DOUBLED.sub(SEPARATOR, text)
    return _NUMBER.sub(_number_character, text)


def _number_character(match: re.Match[str]) -> str:
    return chr(NUMBER_BASE + int(match.group(1)))


def number_key(value: str) -> str:
    """A pole or meter number in its one search form."""
    return _NUMBER_DASHES.sub("", _nfkc(value)).upper()


def name_key(value: str) -> str:
    return _nfkc(value)


def meter_number(meter: Any) -> str:
    """The meter number a version's 計器情報 (JSON) holds ("" when none)."""
    if isinstance(meter, dict):
        return str(meter.get("meter_number") or "")
    return ""


def keys(*, address: str, pole: str, meter: Any, name: str) -> dict[str, str]:
    """The search columns of a version from its address, pole number, 計器情報 and customer name."""
    return {
        "search_address": address_key(address)[:200],
        "search_pole": number_key(pole)[:30],
        "search_meter": number_key(meter_number(meter))[:40],
        "search_name": name_key(name)[:100],
    }


def keys_of(data: dict[str, Any]) -> dict[str, str]:
    """The search columns of a version's field values (as the generator holds them)."""
    return keys(
        address=data.get("customer_address", ""),
        pole=data.get("pole_number", ""),
        meter=data.get("meter"),
        name=data.get("customer_name", ""),
    )
