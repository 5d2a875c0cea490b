"""Reads of notices, scoped to the actor.

A participant's user sees the notices of one system that are published now (within their period,
not withdrawn) and addressed to every participant or to its own organization; anything else —
another organization's notice among them — is NotFound, never Forbidden. Staff see everything.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound
from kouiki.identity.access import require_enrolled, require_staff
from kouiki.notices.models import Audience, Notice, NoticeAttachment, NoticeRead, NoticeRecipient

if TYPE_CHECKING:
    from kouiki.identity.models import User


def published_q(now: datetime) -> Q:
    """Published at `now`: not withdrawn, started, not ended."""
    return Q(withdrawn_at__isnull=True, publish_from__lte=now) & (
        Q(publish_until__isnull=True) | Q(publish_until__gt=now)
    )


def _visible(system: str, organization_id: int, now: datetime) -> QuerySet[Notice]:
    addressed = NoticeRecipient.objects.filter(notice=OuterRef("pk"), organization_id=organization_id)
    return Notice.objects.filter(published_q(now), system=system).filter(
        Q(audience=Audience.ALL) | Q(Exists(addressed))
    )


@implements("SW-N01", "CAP-N1")
def notices_for(
    *, actor: User, system: str, category: str = "", unread_only: bool = False
) -> QuerySet[Notice]:
    """CAP-N1 / SW-N01: the notices the actor's organization sees now, newest first, each with
    `is_read` (this user opened it) and `has_attachments`."""
    organization_id = require_enrolled(actor, system)
    read = NoticeRead.objects.filter(notice=OuterRef("pk"), user_id=actor.pk)
    notices = _visible(system, organization_id, timezone.now()).annotate(
        is_read=Exists(read),
        has_attachments=Exists(NoticeAttachment.objects.filter(notice=OuterRef("pk"))),
    )
    if category:
        notices = notices.filter(category=category)
    if unread_only:
        notices = notices.filter(is_read=False)
    return notices.order_by("-publish_from", "-id")


def unread_count(*, actor: User, system: str) -> int:
    """How many of the notices the actor sees it has not opened yet."""
    return notices_for(actor=actor, system=system, unread_only=True).count()


@implements("SW-N02", "CAP-N1")
def notice_for(*, actor: User, system: str, pk: int) -> Notice:
    """CAP-N1 / SW-N02: one notice the actor's organization sees now, with its attachments."""
    notice = (
        notices_for(actor=actor, system=system)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("attachments", queryset=NoticeAttachment.objects.order_by("uploaded_at", "id"))
        )
        .first()
    )
    if notice is None:
        raise NotFound()
    return notice


@implements("SW-N02", "CAP-N1")
def attachment_for(*, actor: User, system: str, notice_pk: int, pk: int) -> NoticeAttachment:
    """A file of a notice the actor sees; the file of any other notice is NotFound."""
    notice = notice_for(actor=actor, system=system, pk=notice_pk)
    for attachment in notice.attachments.all():
        if attachment.pk == pk:
            return attachment
    raise NotFound()


# --- the back office ----------------------------------------------------------------------------


STATES = {
    "scheduled": "掲載前",
    "published": "掲載中",
    "ended": "掲載終了",
    "withdrawn": "取下げ",
}


def staff_notices(*, actor: Any, system: str = "", state: str = "", query: str = "") -> QuerySet[Notice]:
    """Every notice, newest first, narrowed by system, state and part of the title; each with how
    many users have read it and how many files it has."""
    require_staff(actor)
    now = timezone.now()
    notices = Notice.objects.all()
    if system:
        notices = notices.filter(system=system)
    if query:
        notices = notices.filter(title__icontains=query)
    if state == "withdrawn":
        notices = notices.filter(withdrawn_at__isnull=False)
    elif state == "scheduled":
        notices = notices.filter(withdrawn_at__isnull=True, publish_from__gt=now)
    elif state == "published":
        notices = notices.filter(published_q(now))
    elif state == "ended":
        notices = notices.filter(withdrawn_at__isnull=True, publish_until__lte=now)
    return notices.annotate(
        read_count=Count("reads", distinct=True),
        attachment_count=Count("attachments", distinct=True),
        recipient_count=Count("recipients", distinct=True),
    ).order_by("-publish_from", "-id")


def staff_notice(*, actor: Any, pk: int) -> Notice:
    """One notice with its recipients and files, for the back office."""
    require_staff(actor)
    notice = (
        Notice.objects.select_related("created_by", "withdrawn_by")
        .prefetch_related(
            Prefetch("recipients", queryset=NoticeRecipient.objects.select_related("organization")),
            Prefetch("attachments", queryset=NoticeAttachment.objects.order_by("uploaded_at", "id")),
        )
        .annotate(read_count=Count("reads", distinct=True))
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise NotFound()
    return notice


def staff_attachment(*, actor: Any, notice: Notice, pk: int) -> NoticeAttachment:
    require_staff(actor)
    attachment = NoticeAttachment.objects.filter(notice=notice, pk=pk).first()
    if attachment is None:
        raise NotFound()
    return attachment
