"""Outbox mail: every mail is a row first, sent by a task enqueued when the transaction commits.

`queue_mail` is the one way the code sends mail. It renders the template now (so the back office
shows exactly what goes out), writes the row inside the caller's transaction, and enqueues the
send task on commit: the mail exists exactly when the change that caused it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from kouiki.core.models import OutboxMessage


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
        to=recipients, subject=subject[:200], body=body, template=template, sensitive=sensitive
    )
    transaction.on_commit(lambda: enqueue_send(message.pk))
    return message


def enqueue_send(message_id: int) -> None:
    from kouiki.core.tasks import send_outbox_message

    send_outbox_message.enqueue(message_id)
