"""Delivering outbox rows (filled in by the outbox work: retries, backoff, sweeper)."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from kouiki.core.models import OutboxMessage, OutboxState


def deliver(message_id: int) -> str:
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.state != OutboxState.PENDING:
            return message.state
        EmailMessage(subject=message.subject, body=message.body, to=message.to).send()
        message.state = OutboxState.SENT
        message.sent_at = timezone.now()
        message.attempts += 1
        message.save()
    return message.state
