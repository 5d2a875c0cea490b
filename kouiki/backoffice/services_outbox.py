"""Back office: staff acts on the mail outbox, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kouiki.audit.actions import Action
from kouiki.audit.services import record
from kouiki.core import outbox
from kouiki.core.errors import Forbidden
from kouiki.core.outbox import OutboxMessage


def retry_outbox_message(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Put a failed mail back in the queue (再送); only staff, only a failed mail."""
    if not getattr(actor, "is_kouiki_staff", False):
        raise Forbidden
    with transaction.atomic():
        message = outbox.retry_failed(message)
        record(actor=actor, action=Action.OUTBOX_RETRY, obj=message, detail={"to": message.to})
    return message
