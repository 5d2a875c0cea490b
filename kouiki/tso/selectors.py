"""Reads of the gateway: the messages and their answers (back office, the hub's status), the
simulator's pending work, and the operators' 検針日程 calendars (the hub's switching dates, the
back office). Other apps reach the gateway's models through this module."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import Ceil, RowNumber
from django.utils import timezone

from kouiki.core.errors import Conflict, NotFound
from kouiki.core.japanese import Area
from kouiki.tso.models import (
    AnswerRecord,
    FinalOutcome,
    MessageState,
    OperatorMessage,
    ReadingCalendar,
    ReadingDate,
    SimulatorJob,
)

__all__ = [
    "AnswerRecord",
    "AnswerTimes",
    "Backlog",
    "FinalOutcome",
    "MessageState",
    "MessageStatus",
    "OperatorMessage",
    "ReadingCalendar",
    "ReadingScheduleUnavailable",
    "answer_times_per_area",
    "backlog_per_area",
    "first_of_month",
    "masked",
    "message_status",
    "operator_message",
    "operator_messages",
    "reading_calendar",
    "reading_calendars",
    "reading_date",
    "simulated_work",
    "unanswered_count",
]


@dataclass(frozen=True)
class MessageStatus:
    """Where a message stands, for the hub's status screens ("operator answer pending")."""

    message_id: str
    state: str
    state_label: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    acknowledged_at: datetime | None
    answered_at: datetime | None
    final_outcome: str


def message_status(message_id: str) -> MessageStatus:
    """The delivery state of one message by its id; NotFound when unknown."""
    message = OperatorMessage.objects.filter(message_id=message_id).first()
    if message is None:
        raise NotFound
    return MessageStatus(
        message_id=message.message_id,
        state=message.state,
        state_label=message.get_state_display(),
        attempts=message.attempts,
        last_error=message.last_error,
        next_attempt_at=message.next_attempt_at if message.state == MessageState.PENDING else None,
        acknowledged_at=message.acknowledged_at,
        answered_at=message.answered_at,
        final_outcome=message.final_outcome,
    )


def operator_messages(
    *,
    state: str = "",
    area: str = "",
    operation: str = "",
    reference: str = "",
    final_outcome: str = "",
    failing: bool = False,
    unanswered: bool = False,
) -> QuerySet[OperatorMessage]:
    """Every message, newest first, with its number of answers; narrowed by the filters given.
    `failing`: only those whose last attempt failed and that the operator has not taken yet;
    `unanswered`: only those the operator took long ago (KOUIKI_TSO_UNANSWERED_HOURS) without
    answering anything since."""
    messages = OperatorMessage.objects.annotate(answer_count=Count("answers")).order_by("-created_at", "-id")
    if unanswered:
        messages = messages.filter(_unanswered())
    if state:
        messages = messages.filter(state=state)
    if area:
        messages = messages.filter(area=area)
    if operation:
        messages = messages.filter(operation=operation)
    if reference:
        messages = messages.filter(reference__icontains=reference)
    if final_outcome:
        messages = messages.filter(final_outcome=final_outcome)
    if failing:
        messages = messages.filter(state__in=[MessageState.PENDING, MessageState.SENDING]).exclude(
            last_error=""
        )
    return messages


def _unanswered() -> Q:
    taken_before = timezone.now() - timedelta(hours=settings.KOUIKI_TSO_UNANSWERED_HOURS)
    return Q(state=MessageState.ACKNOWLEDGED, acknowledged_at__lte=taken_before, answers__isnull=True)


def unanswered_count() -> int:
    """How many messages an operator took long ago and never answered (a warning for staff)."""
    return OperatorMessage.objects.filter(_unanswered()).count()


# --- Figures for the back office's overview (X-S1) --------------------------------------------------

# Not answered yet: waiting to be sent (or being sent), and taken by the operator without its
# final answer. Few rows whatever the table's size: read through the (state, next_attempt_at) index.
WAITING_STATES = (MessageState.PENDING, MessageState.SENDING)


@dataclass(frozen=True)
class Backlog:
    area: str
    waiting: int  # not sent yet (送信待ち・送信中)
    acknowledged: int  # taken by the operator, its final answer awaited


def backlog_per_area() -> list[Backlog]:
    """The messages not answered yet, per area (every area, zero included), in the areas' order."""
    found: dict[str, dict[str, int]] = {}
    rows = (
        OperatorMessage.objects.filter(state__in=[*WAITING_STATES, MessageState.ACKNOWLEDGED])
        .values("area", "state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        found.setdefault(row["area"], {})[row["state"]] = row["count"]
    return [
        Backlog(
            area=area,
            waiting=sum(found.get(area, {}).get(state, 0) for state in WAITING_STATES),
            acknowledged=found.get(area, {}).get(MessageState.ACKNOWLEDGED, 0),
        )
        for area in Area.values
    ]


@dataclass(frozen=True)
class AnswerTimes:
    area: str
    answered: int  # messages the figures are of
    median: timedelta | None
    p95: timedelta | None


def answer_times_per_area(*, days: int) -> list[AnswerTimes]:
    """How long the operators took from the message's sending to its final answer, per area (every
    area, in order): the median and the 95th percentile (nearest rank) of the messages sent in the
    last `days` days and answered since. Ranked in SQL (window functions, PostgreSQL and SQLite
    alike) over the `created_at` index's window: two rows per area come back."""
    since = timezone.now() - timedelta(days=days)
    took = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
    ranked = (
        OperatorMessage.objects.filter(
            created_at__gte=since, state=MessageState.ANSWERED, answered_at__isnull=False
        )
        .annotate(
            took=took,
            position=Window(RowNumber(), partition_by=[F("area")], order_by=[took.asc(), F("pk").asc()]),
            answered=Window(Count("pk"), partition_by=[F("area")]),
        )
        .filter(Q(position=Ceil(F("answered") * 0.5)) | Q(position=Ceil(F("answered") * 0.95)))
        .values("area", "took", "position", "answered")
        .order_by()
    )
    found: dict[str, dict[str, Any]] = {}
    for row in ranked:
        figures = found.setdefault(row["area"], {"answered": row["answered"]})
        if row["position"] == math.ceil(row["answered"] * 0.5):
            figures["median"] = row["took"]
        if row["position"] == math.ceil(row["answered"] * 0.95):
            figures["p95"] = row["took"]
    return [
        AnswerTimes(
            area=area,
            answered=found.get(area, {}).get("answered", 0),
            median=found.get(area, {}).get("median"),
            p95=found.get(area, {}).get("p95"),
        )
        for area in Area.values
    ]


# Never shown, even to staff, wherever they sit in a message or an answer: a usage-inquiry password
# travels in usage_retrieve's payload, and customers' basic info (SW-P1: read only for a named
# purpose, by the retailers) in customer changes and in the operators' registry data.
HIDDEN_PAYLOAD_KEYS = frozenset(
    {
        "password",
        "customer_name",
        "customer_address",
        "customer_phone",
        "contract_number",
        "retail_contract_number",
    }
)
MASK = "********"


def masked(value: Any) -> Any:
    """A message's payload or an answer's data as staff may see it: the keys above masked at any depth."""
    if isinstance(value, dict):
        return {key: MASK if key in HIDDEN_PAYLOAD_KEYS else masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def operator_message(message_id: str) -> OperatorMessage:
    """One message by its id, or NotFound."""
    message = OperatorMessage.objects.filter(message_id=message_id).first()
    if message is None:
        raise NotFound
    return message


def answers_of(message: OperatorMessage) -> QuerySet[AnswerRecord]:
    return AnswerRecord.objects.filter(message=message).order_by("received_at", "id")


def simulated_work(*, until: datetime | None = None) -> QuerySet[SimulatorJob]:
    """The simulated operators' work not done yet (a switch waits for its switching date), by due
    time; with `until`, only what is due by then."""
    jobs = (
        SimulatorJob.objects.filter(done_at__isnull=True).select_related("receipt").order_by("due_at", "id")
    )
    if until is not None:
        jobs = jobs.filter(due_at__lte=until)
    return jobs


# --- 検針日程 calendars -----------------------------------------------------------------------------


class ReadingScheduleUnavailable(Conflict):
    """The 検針日 of a point cannot be told: its operator's calendar of the month is not loaded
    (`reading_calendar_missing`), or does not have the point's 検針日程 (`reading_code_unknown`).
    A refusal the caller can act on, never a guessed date (docs/decisions/0025)."""

    code = "reading_calendar_missing"
    default_message = "検針日程カレンダーが登録されていないため、検針日を決められません。"


# The first date on or after a day lies in that day's month or the next: a month's calendar holds
# dates of that month only (reading_calendars checks it on loading).
_MONTHS_READ = 2
_LAST_MONTH = date(9999, 12, 1)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s."""
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def month_label(month: date) -> str:
    """2027年1月."""
    return f"{month.year}年{month.month}月"


def reading_date(*, area: str, code: str, on_or_after: date) -> date:
    """The first date on or after ``on_or_after`` on which the operator of ``area`` reads the points
    of 検針日程 ``code``, from its calendars of that month and the next (one query).

    Raises ReadingScheduleUnavailable when a month that must be read is not loaded, or its
    calendar does not list ``code``."""
    months = [first_of_month(on_or_after)]
    while len(months) < _MONTHS_READ and months[-1] < _LAST_MONTH:
        months.append(next_month(months[-1]))
    found = dict(
        ReadingDate.objects.filter(calendar__area=area, calendar__month__in=months, code=code).values_list(
            "calendar__month", "reading_date"
        )
    )
    for month in months:
        reading = found.get(month)
        if reading is None:
            raise _unavailable(area, code, month)
        if reading >= on_or_after:
            return reading
    raise _unavailable(area, code, next_month(months[-1]))


def _unavailable(area: str, code: str, month: date) -> ReadingScheduleUnavailable:
    name = Area(area).label if area in Area.values else area
    if ReadingCalendar.objects.filter(area=area, month=month).exists():
        return ReadingScheduleUnavailable(
            f"供給地点の検針日程「{code}」は{name}エリアの検針日程カレンダー（{month_label(month)}）に"
            "ありません。供給地点情報の検針日程を一般送配電事業者に確認してください"
            "（希望日を指定した申込みには影響しません）。",
            code="reading_code_unknown",
        )
    return ReadingScheduleUnavailable(
        f"{name}エリアの{month_label(month)}の検針日程カレンダーが本機関に登録されていないため、"
        "検針日（スイッチング予定日など）を決められません。登録されるまでお待ちいただくか、"
        "本機関にお問い合わせください（希望日を指定した申込みには影響しません）。",
        code="reading_calendar_missing",
    )


def reading_calendars(
    *, first_month: date | None = None, last_month: date | None = None
) -> QuerySet[ReadingCalendar]:
    """The loaded calendars by area and month, each with its number of codes and who loaded it."""
    calendars = (
        ReadingCalendar.objects.annotate(code_count=Count("dates"))
        .select_related("loaded_by")
        .order_by("area", "month")
    )
    if first_month is not None:
        calendars = calendars.filter(month__gte=first_of_month(first_month))
    if last_month is not None:
        calendars = calendars.filter(month__lte=first_of_month(last_month))
    return calendars


def reading_calendar(*, area: str, month: date) -> ReadingCalendar:
    """One area's calendar of one month, or NotFound."""
    calendar = (
        ReadingCalendar.objects.select_related("loaded_by")
        .filter(area=area, month=first_of_month(month))
        .first()
    )
    if calendar is None:
        raise NotFound("この月の検針日程カレンダーは登録されていません。")
    return calendar


def reading_dates(calendar: ReadingCalendar) -> QuerySet[ReadingDate]:
    return ReadingDate.objects.filter(calendar=calendar).order_by("code")


def loaded_months(areas: list[str] | None = None) -> dict[str, list[date]]:
    """Per area, the months whose calendar is loaded, in order."""
    found: dict[str, list[date]] = {area: [] for area in (areas or Area.values)}
    rows = ReadingCalendar.objects.order_by("area", "month").values_list("area", "month")
    for area, month in rows:
        if area in found:
            found[area].append(month)
    return found
