"""The simulated operators' usage data (使用量情報) and usage-inquiry passwords.

Usage is deterministic: a point's consumption on a day depends only on its number and the date,
so the same inquiry gives the same figures however often it is made. The answer is the 13 complete
months before the month of the inquiry: monthly kWh always, and where a smart meter is fitted the
48 half-hour values of every day (30-minute kWh; the month is their sum). Usage from before a
change of the contract holder is withheld (SWITCHING-REAL.md "Usage data"): a month the former
holder used, in whole or in part, is left out, and the answer says from when it is given.

The password is issued to the applying retailer (the status of its application carries it), valid
through the day it chose, at most one month ahead; any retailer holding it may retrieve while it
is valid.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from calendar import monthrange
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import check_password, make_password

from kouiki.core.calendar import JST

USAGE_MONTHS = 13
SLOTS_PER_DAY = 48
# No 0/O, 1/I/L: the password is read from a screen and typed in again, by another retailer too.
PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 10


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` later; the day is clamped to the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def latest_valid_day(today: date) -> date:
    """The last day a password applied for on ``today`` may be valid: one month ahead (the day
    clamped to the month's end)."""
    return add_months(datetime.combine(today, time()), 1).date()


def expires_at(valid_until: date) -> datetime:
    """The moment a password valid through ``valid_until`` (Japan time) stops working."""
    return datetime.combine(valid_until + timedelta(days=1), time(), tzinfo=JST)


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def hash_password(password: str) -> str:
    return make_password(password)


def password_matches(password: str, encoded: str) -> bool:
    return check_password(password.strip().upper(), encoded)


def usage_months(today: date) -> list[date]:
    """The first days of the 13 complete months before `today`'s month, oldest first."""
    first = today.replace(day=1)
    months = []
    for back in range(USAGE_MONTHS, 0, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    return months


def _rng(*parts: object) -> random.Random:
    seed = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:8])
    return random.Random(seed)  # noqa: S311 - simulated readings, not secrets


def _scale(number: str, point: dict[str, Any]) -> float:
    """Average kWh per half hour: from the contract where known, else a household's."""
    capacity = point.get("contract_capacity")
    try:
        kw = float(capacity) if capacity not in (None, "") else 0.0
    except (TypeError, ValueError):
        kw = 0.0
    household = 0.25 + _rng(number, "scale").random() * 0.3
    return household if kw <= 0 else max(household, kw * 0.06)


def _season(day: date) -> float:
    # More in winter (heating) and in high summer (cooling), least in spring and autumn.
    angle = 2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25
    return 1.0 + 0.3 * math.cos(angle) + 0.12 * math.cos(2 * angle)


def _daily_profile(slot: int) -> float:
    """Relative use of half hour `slot` (0 = 0:00-0:30): low at night, peaks morning and evening."""
    hour = slot / 2
    morning = math.exp(-((hour - 7.5) ** 2) / 3)
    evening = 1.6 * math.exp(-((hour - 19.5) ** 2) / 6)
    return 0.45 + morning + evening


def half_hourly(number: str, point: dict[str, Any], day: date) -> list[float]:
    """The 48 half-hour kWh values of one day."""
    rng = _rng(number, day.isoformat())
    scale = _scale(number, point) * _season(day)
    weekend = 1.1 if day.weekday() >= 5 else 1.0
    return [
        round(scale * weekend * _daily_profile(slot) * rng.uniform(0.7, 1.3) / 1.35, 2)
        for slot in range(SLOTS_PER_DAY)
    ]


def usage(
    number: str, point: dict[str, Any], today: date, *, holder_since: date | None = None
) -> dict[str, Any]:
    """13 months of usage of a point: monthly kWh, and half-hourly values for a smart meter; the
    months before ``holder_since`` (the current contract holder's first day) withheld."""
    smart = bool(point.get("smart_meter"))
    months = usage_months(today)
    given = [first for first in months if holder_since is None or first >= holder_since]
    monthly: list[dict[str, Any]] = []
    days: list[dict[str, Any]] = []
    for first in given:
        length = monthrange(first.year, first.month)[1]
        if smart:
            month_days = [first + timedelta(days=offset) for offset in range(length)]
            values = [half_hourly(number, point, day) for day in month_days]
            days.extend(
                {"date": day.isoformat(), "kwh": v} for day, v in zip(month_days, values, strict=True)
            )
            total = sum(sum(v) for v in values)
        else:
            rng = _rng(number, first.isoformat())
            total = (
                _scale(number, point)
                * SLOTS_PER_DAY
                * length
                * _season(first + timedelta(days=14))
                * rng.uniform(0.85, 1.15)
            )
        monthly.append({"month": first.strftime("%Y-%m"), "kwh": round(total, 1)})
    result: dict[str, Any] = {
        "supply_point_number": number,
        "smart_meter": smart,
        "unit": "kWh",
        "from": (given[0] if given else today.replace(day=1)).isoformat(),
        "to": (today.replace(day=1) - timedelta(days=1)).isoformat(),
        "monthly": monthly,
    }
    if smart:
        result["half_hourly"] = days
    if len(given) < len(months) and holder_since is not None:
        result["withheld_before"] = (given[0] if given else today.replace(day=1)).isoformat()
        result["notice"] = (
            f"契約名義の変更（{holder_since:%Y年%m月%d日}）より前の使用量は提供していません"
            f"（{months[len(months) - len(given) - 1]:%Y年%m月}分まで）。"
        )
    return result
