"""Back office: staff acts on the mail outbox, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import outbox
from kouiki.core.outbox import OutboxMessage
from kouiki.identity.access import require_staff


def retry_outbox_message(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Put a failed mail back in the queue (再送); only staff, only a failed mail."""
    require_staff(actor)
    with transaction.atomic():
        message = outbox.retry_failed(message)
        record(actor=actor, action=Action.OUTBOX_RETRY, obj=message, detail={"to": message.to})
    return message
