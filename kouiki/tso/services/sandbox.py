"""The sandbox's clock of the operators: where the ten area operators are the simulator (the demo,
a test environment), their work waits for its day — a switch for its switching date, weeks ahead —
and a newcomer would never see it end. Staff move the simulated operators' clock forward to a day:
every answer due by the end of that day is given at once and received by the hub, which moves the
registry as on that day. The hub's own clock (deadlines, today's date) does not move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.calendar import JST, today_jst
from kouiki.core.errors import Conflict, ValidationFailed
from kouiki.identity.access import require_staff
from kouiki.tso.services import delivery, simulator

NOT_A_SANDBOX = (
    "模擬時計は、一般送配電事業者として模擬（シミュレーター）を使う環境（デモ・検証環境）でのみ進められます。"
    "この環境は実際の一般送配電事業者と接続しています。"
)
# How far ahead the clock may be moved: as far as a desired date may lie (one year).
HORIZON_DAYS = 366


@dataclass(frozen=True)
class Advanced:
    """What moving the clock did: answers the operators gave, answers the hub received."""

    day: date
    given: int
    received: int


def is_sandbox() -> bool:
    """Whether the operators are the simulator in this process (KOUIKI_TSO_ADAPTER)."""
    return bool(settings.KOUIKI_TSO_ADAPTER == "simulator")


def end_of(day: date) -> datetime:
    """The last second of `day` in Japan time: what is due "by that day" is due by then."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=JST) - timedelta(seconds=1)


def check_day(day: date | None) -> date:
    """Today or a later day within the horizon; ValidationFailed naming the field otherwise."""
    today = today_jst()
    if day is None:
        raise ValidationFailed("日付を入力してください。", code="day_required", field="day")
    if day < today:
        raise ValidationFailed(
            f"今日（{today:%Y/%m/%d}）以降の日付を指定してください。", code="day_in_past", field="day"
        )
    if day > today + timedelta(days=HORIZON_DAYS):
        raise ValidationFailed("1年以内の日付を指定してください。", code="day_too_far", field="day")
    return day


def advance_operators_clock(*, actor: Any, day: date) -> Advanced:
    """Let the simulated operators do everything due by the end of `day`, and the hub receive their
    answers (staff only, sandbox only; audited)."""
    require_staff(actor)
    if not is_sandbox():
        raise Conflict(NOT_A_SANDBOX, code="not_a_sandbox")
    check_day(day)
    until = end_of(day)
    given = 0
    while done := simulator.tick(now=until):
        given += done
    received = sum(count for count in delivery.poll_answers().values() if count > 0)
    record(
        actor=actor,
        action=Action.TSO_OPERATORS_CLOCK_ADVANCE,
        system="backoffice",
        detail={"day": day.isoformat(), "given": given, "received": received},
    )
    return Advanced(day=day, given=given, received=received)
