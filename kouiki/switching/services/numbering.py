"""受付番号 and 廃止取次番号.

A 受付番号 is 16 digits: the filing day in Japan (YYYYMMDD) and an 8-digit serial; a 廃止取次番号 is
"HT", the day and a 6-digit serial. Serials increase across days (they are not reset at midnight):
the day prefix keeps numbers readable and unique. On PostgreSQL a serial comes from a sequence,
which never makes concurrent filings wait for each other; a filing that rolls back leaves a gap
("gapless-ish"). Elsewhere a counter row is incremented in the filing's transaction (SQLite
serializes writers anyway), which is gapless.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from kouiki.core.calendar import today_jst
from kouiki.switching.models import NumberCounter

RECEPTION = "reception"
SWITCH = "switch"
_SEQUENCES = {RECEPTION: "switching_reception_seq", SWITCH: "switching_switch_seq"}


def _next_serials(name: str, count: int = 1) -> list[int]:
    """``count`` new serials of ``name`` in one statement (a bulk file's batch takes them at once)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if count == 1:
                cursor.execute("SELECT nextval(%s)", [_SEQUENCES[name]])
            else:
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_SEQUENCES[name], count])
            return sorted(int(row[0]) for row in cursor.fetchall())
    counters = NumberCounter.objects.filter(name=name)
    if not counters.update(last=F("last") + count):
        NumberCounter.objects.get_or_create(name=name, defaults={"last": 0})
        counters.update(last=F("last") + count)
    last = int(counters.values_list("last", flat=True).get())
    return list(range(last - count + 1, last + 1))


def next_reception_number() -> str:
    """受付番号: YYYYMMDD + 8 digits."""
    return next_reception_numbers(1)[0]


def next_reception_numbers(count: int) -> list[str]:
    """``count`` 受付番号 in increasing order."""
    day = f"{today_jst():%Y%m%d}"
    return [f"{day}{serial % 10**8:08d}" for serial in _next_serials(RECEPTION, count)]


def next_switch_number() -> str:
    """廃止取次番号: HT + YYYYMMDD + 6 digits."""
    return next_switch_numbers(1)[0]


def next_switch_numbers(count: int) -> list[str]:
    """``count`` 廃止取次番号 in increasing order."""
    day = f"{today_jst():%Y%m%d}"
    return [f"HT{day}{serial % 10**6:06d}" for serial in _next_serials(SWITCH, count)]
