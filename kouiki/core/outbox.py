"""Outbox mail: every mail is a row first, sent by a task enqueued when the transaction commits.

`queue_mail` is the one way the code sends mail. It renders the template now (so the back office
shows exactly what goes out), writes the row inside the caller's transaction, and enqueues the
send task on commit: the mail exists exactly when the change that caused it does.

Delivery, retries and the sweeper live in `kouiki.core.outbox_delivery`
(docs/decisions/0003-outbox-delivery.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from kouiki.core.errors import InvalidTransition, NotFound
from kouiki.core.models import OutboxMessage, OutboxState

# Other apps reach the outbox's model and states through this module, not kouiki.core.models.
__all__ = [
    "OutboxMessage",
    "OutboxState",
    "enqueue_send",
    "outbox_message",
    "outbox_messages",
    "queue_mail",
    "retry_failed",
]


def queue_mail(
    *,
    to: str | Iterable[str],
    template: str,
    context: Mapping[str, Any],
    sensitive: bool = False,
) -> OutboxMessage:
    """Write a mail to the outbox; it is sent after the current transaction commits.

    `template` names a pair of templates: `<template>.subject.txt` (one line) and
    `<template>.body.txt`. `sensitive` mails (passwords, tokens) have their body blanked once sent.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    subject = " ".join(render_to_string(f"{template}.subject.txt", dict(context)).split())
    body = render_to_string(f"{template}.body.txt", dict(context))
    message = OutboxMessage.objects.create(
        to=recipients,
        subject=subject[:200],
        body=body,
        template=template,
        sensitive=sensitive,
        enqueued_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue_send(message.pk), robust=True)
    return message


def enqueue_send(message_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue the send task of one row now (call it from `transaction.on_commit`)."""
    from kouiki.core.tasks import send_outbox_message

    task = send_outbox_message if run_after is None else send_outbox_message.using(run_after=run_after)
    task.enqueue(message_id)


def retry_failed(message: OutboxMessage) -> OutboxMessage:
    """Put a failed row back in the queue with a fresh count of attempts.

    The caller (a staff service) records who asked for it. Only a failed row can be retried:
    the update is conditional, so two clicks enqueue one send.
    """
    now = timezone.now()
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.FAILED).update(
            state=OutboxState.PENDING, attempts=0, next_attempt_at=now, enqueued_at=now, claimed_until=None
        )
        if not updated:
            raise InvalidTransition("送信失敗のメールだけを再送できます。")
        transaction.on_commit(lambda: enqueue_send(message.pk), robust=True)
    message.refresh_from_db()
    return message


def outbox_messages(*, state: str = "", recipient: str = "", subject: str = "") -> QuerySet[OutboxMessage]:
    """Every outbox row, newest first, narrowed by state, part of a recipient, part of the subject."""
    messages = OutboxMessage.objects.order_by("-created_at", "-id")
    if state:
        messages = messages.filter(state=state)
    if recipient:
        # `to` is a JSON list: a partial, case-insensitive match on its text.
        messages = messages.filter(to__icontains=recipient)
    if subject:
        messages = messages.filter(subject__icontains=subject)
    return messages


def outbox_message(message_id: int) -> OutboxMessage:
    """One outbox row, or NotFound."""
    try:
        return OutboxMessage.objects.get(pk=message_id)
    except OutboxMessage.DoesNotExist:
        raise NotFound from None
