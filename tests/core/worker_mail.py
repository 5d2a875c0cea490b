"""Mail backends for the worker subprocesses of tests/core/test_outbox.py.

They stand in for the mail server, the one outside party: one that never answers (the test kills
the worker inside the send), one that answers only once the rival worker has run the duplicate task
to its end (so that two workers demonstrably overlap on the same row: the rival found it claimed).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class HangingEmailBackend(FileBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        Path(settings.VAR_DIR, f"sending-{os.getpid()}").touch()
        time.sleep(60)
        raise AssertionError("the test should have killed this worker")


class WaitForRivalEmailBackend(FileBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        Path(settings.VAR_DIR, f"sending-{os.getpid()}").touch()
        deadline = time.monotonic() + 30
        # Waiting only until the rival has claimed its task is not enough: it may then read the
        # row after this send has committed, and find it sent rather than in progress.
        while not DBTaskResult.objects.filter(
            status=TaskResultStatus.SUCCESSFUL, task_path__endswith="send_outbox_message"
        ).exists():
            if time.monotonic() > deadline:
                raise AssertionError("the rival worker never ran the duplicate task")
            time.sleep(0.05)
        return super().send_messages(email_messages)
