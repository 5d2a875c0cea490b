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


def _next_serial(name: str) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [_SEQUENCES[name]])
            return int(cursor.fetchone()[0])
    counters = NumberCounter.objects.filter(name=name)
    if not counters.update(last=F("last") + 1):
        NumberCounter.objects.get_or_create(name=name, defaults={"last": 0})
        counters.update(last=F("last") + 1)
    return int(counters.values_list("last", flat=True).get())


def next_reception_number() -> str:
    """受付番号: YYYYMMDD + 8 digits."""
    return f"{today_jst():%Y%m%d}{_next_serial(RECEPTION) % 10**8:08d}"


def next_switch_number() -> str:
    """廃止取次番号: HT + YYYYMMDD + 6 digits."""
    return f"HT{today_jst():%Y%m%d}{_next_serial(SWITCH) % 10**6:06d}"
