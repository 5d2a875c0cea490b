"""The organization's event feed (`after=N`) and its callback deliveries.

Both belong to 業務処理状況確認 (SW-L15): besides asking for the state of its applications, an
organization reads everything that changed for it since a sequence number it holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kouiki.core import events
from kouiki.core.api import problems
from kouiki.identity.access import organization_of
from kouiki.switching.api.common import SYSTEM, operation
from kouiki.switching.api.schemas import CallbackDeliveryPage, EventPage

if TYPE_CHECKING:
    from kouiki.identity.models import User

router = Router()


class FeedQuery(Schema):
    after: int = Field(0, ge=0, description="この通番より後のイベントを返す（初回は 0）")
    limit: int = Field(100, ge=1, le=events.MAX_LIMIT, description="最大件数（1〜1000）")


@operation(
    router,
    "get",
    "/events",
    "SW-L15",
    suffix="events",
    summary="イベント一覧（状況の変化） (SW-L15)",
    description=(
        "自社の申請・案件の状況の変化（イベント）を、通番 `after` より後から古い順に返します。"
        "各ページの `last_sequence` を次の `after` に指定すれば、イベントを漏れなく重複なく読めます。"
    ),
    response={200: EventPage, **problems(403)},
)
def list_events(request: HttpRequest, actor: User, query: Query[FeedQuery]) -> dict[str, Any]:
    """The events of the caller's organization numbered after `after`, oldest first.

    Hold the `last_sequence` of each page and pass it as `after` next time: no event is skipped
    and none is repeated, whatever the order in which concurrent changes were made.
    """
    found = events.events_after(
        organization_id=organization_of(actor),
        system=SYSTEM,
        after=query.after,
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    return {
        "events": [events.event_json(event) for event in page],
        "last_sequence": page[-1].sequence if page else query.after,
        "has_more": len(found) > query.limit,
    }


class DeliveryQuery(Schema):
    state: str = Field("", pattern="^(|pending|sending|delivered|failed)$", description="状態で絞り込み")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


@operation(
    router,
    "get",
    "/callbacks/deliveries",
    "SW-L15",
    suffix="deliveries",
    summary="イベント通知（コールバック）の送信状況 (SW-L15)",
    description="自社の通知先へのイベント通知（コールバック）の送信状況を新しい順に返します（状態で絞り込めます）。",
    response={200: CallbackDeliveryPage, **problems(403)},
)
def list_deliveries(request: HttpRequest, actor: User, query: Query[DeliveryQuery]) -> dict[str, Any]:
    """The callback deliveries of the caller's organization, newest first, with their outcome."""
    deliveries = events.callback_deliveries(
        organization_id=organization_of(actor),
        system=SYSTEM,
        state=query.state,
    )
    rows = deliveries[query.offset : query.offset + query.limit]
    return {
        "deliveries": [
            {
                "id": delivery.pk,
                "sequence": delivery.event.sequence,
                "topic": delivery.event.topic,
                "reference": delivery.event.reference,
                "url": delivery.url,
                "state": delivery.state,
                "attempts": delivery.attempts,
                "last_status": delivery.last_status,
                "last_error": delivery.last_error,
                "created_at": delivery.created_at,
                "last_attempt_at": delivery.last_attempt_at,
                "next_attempt_at": delivery.next_attempt_at if delivery.state == "pending" else None,
                "delivered_at": delivery.delivered_at,
            }
            for delivery in rows
        ],
        "count": deliveries.count(),
    }
