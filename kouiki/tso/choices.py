"""Constants of the operators that the models, services and the hub share: the 検針日程 codes.

A 検針日程 (meter-reading schedule) is a two-digit code each operator gives a point; the operator's
calendar says, month by month, on which date the points of each code are read (ADR 25). Tokyo,
Hokkaido and Chubu use the codes they publish (../shared/SWITCHING-REAL.md); the seven others are
plausible ranges of about one code per business day, to be replaced by each operator's own list.
"""

from __future__ import annotations

from kouiki.core.japanese import Area


def _codes(first: int, last: int, *, without: tuple[int, ...] = ()) -> tuple[str, ...]:
    return tuple(f"{number:02d}" for number in range(first, last + 1) if number not in without)


READING_CODES: dict[str, tuple[str, ...]] = {
    Area.HOKKAIDO: _codes(1, 23),
    Area.TOHOKU: _codes(1, 20),
    Area.TOKYO: _codes(1, 26, without=(5, 6, 7, 13, 14, 20, 21)),
    Area.CHUBU: _codes(1, 19),
    Area.HOKURIKU: _codes(1, 20),
    Area.KANSAI: _codes(1, 20),
    Area.CHUGOKU: _codes(1, 20),
    Area.SHIKOKU: _codes(1, 20),
    Area.KYUSHU: _codes(1, 20),
    Area.OKINAWA: _codes(1, 20),
}


def reading_codes_text(area: str) -> str:
    """The codes of ``area`` as people read them: 01〜04、08〜12、15〜19、22〜26."""
    codes = [int(code) for code in READING_CODES[area]]
    runs: list[tuple[int, int]] = []
    for number in codes:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return "、".join(f"{a:02d}〜{b:02d}" if a != b else f"{a:02d}" for a, b in runs)
