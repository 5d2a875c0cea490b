"""Figures of the kernel's deliveries for the back office's overview (X-S1): the mails of the outbox
and the callbacks that failed for good, per day in Japan, over a bounded window.

A mail is read through the `created_at` index's window; a callback through its (state, …) index —
only the failed rows, never the whole table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from kouiki.core.calendar import JST, today_jst
from kouiki.core.models import CallbackDelivery, DeliveryState, OutboxMessage, OutboxState


@dataclass(frozen=True)
class FailedDay:
    day: date
    mails: int
    callbacks: int


def _per_day(rows: QuerySet[OutboxMessage] | QuerySet[CallbackDelivery], since: datetime) -> dict[date, int]:
    counted = (
        rows.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=JST))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["day"]: row["count"] for row in counted}


def failed_deliveries_per_day(*, days: int, today: date | None = None) -> list[FailedDay]:
    """Each of the last `days` days (today last): the mails and the callbacks written that day
    that failed for good (every attempt used, or the endpoint stopped)."""
    last = today or today_jst()
    first = last - timedelta(days=days - 1)
    since = datetime.combine(first, time(), tzinfo=JST)
    mails = _per_day(OutboxMessage.objects.filter(state=OutboxState.FAILED), since)
    callbacks = _per_day(CallbackDelivery.objects.filter(state=DeliveryState.FAILED), since)
    return [
        FailedDay(day=day, mails=mails.get(day, 0), callbacks=callbacks.get(day, 0))
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]
