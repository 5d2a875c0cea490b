"""The mail outbox: a row per mail, sent once, retried with backoff, swept when its task is lost.

The mail server is the one outside party faked here (a backend that fails, one that is slow);
everything else is the real database, the real task backend and, in the kill test, real worker
processes.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kouiki.core import outbox, outbox_delivery
from kouiki.core.models import OutboxMessage, OutboxState
from kouiki.core.outbox import queue_mail
from kouiki.core.outbox_delivery import REDACTED_BODY, deliver, sweep
from tests.tasks import run_ready_tasks

SEND_TASK = "kouiki.core.tasks.send_outbox_message"


class BrokenMailServer(BaseEmailBackend):
    """An SMTP server that drops the connection on every send."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class LeaseOutlivingMailServer(LocmemBackend):
    """A send so slow that the claim runs out meanwhile and the sweeper takes the row back."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        sweep(now=timezone.now() + timedelta(hours=1))
        return super().send_messages(messages)


class SecondDeliveryMidSend(LocmemBackend):
    """While the first delivery is inside the send, a second task for the same row runs."""

    results: list[str] = []

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            message_id = int(message.extra_headers["Message-ID"].split(".")[1])
            SecondDeliveryMidSend.results.append(deliver(message_id))
        return super().send_messages(messages)


def use_mail_server(settings: Any, backend: str) -> None:
    """Point the default mailer at `backend`."""
    settings.MAILERS = {"default": {"BACKEND": backend}}


def make_message(**fields: Any) -> OutboxMessage:
    values: dict[str, Any] = {"to": ["tanaka@example.co.jp"], "subject": "お知らせ", "body": "本文です。"}
    return OutboxMessage.objects.create(**(values | fields))


def send_tasks(message: OutboxMessage) -> list[DBTaskResult]:
    tasks = DBTaskResult.objects.filter(task_path=SEND_TASK).order_by("enqueued_at")
    return [task for task in tasks if task.args_kwargs["args"] == [message.pk]]


class Rollback(Exception):
    pass


# Writing: the row and its task exist exactly when the transaction commits.


@pytest.mark.django_db(transaction=True)
def test_queue_mail_in_a_rolled_back_transaction_leaves_no_row_and_no_task(mail_templates: None) -> None:
    with pytest.raises(Rollback), transaction.atomic():
        queue_mail(to="tanaka@example.co.jp", template="tests/notice", context={"name": "田中"})
        raise Rollback

    assert not OutboxMessage.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_queue_mail_committed_writes_the_row_and_enqueues_its_task(mail_templates: None) -> None:
    with transaction.atomic():
        message = queue_mail(to="tanaka@example.co.jp", template="tests/notice", context={"name": "田中"})
        assert not DBTaskResult.objects.exists()

    message.refresh_from_db()
    assert message.subject == "田中 様へのお知らせ"
    assert message.to == ["tanaka@example.co.jp"]
    assert message.state == OutboxState.PENDING
    assert len(send_tasks(message)) == 1


# Sending once.


def test_deliver_sends_the_row_and_marks_it_sent(db: None) -> None:
    message = make_message()

    assert deliver(message.pk) == "sent"

    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    [sent] = mail.outbox
    assert sent.to == ["tanaka@example.co.jp"]
    assert sent.subject == "お知らせ"
    assert sent.body == "本文です。"
    assert sent.extra_headers["Message-ID"] == outbox_delivery.message_id_header(message)


def test_deliver_twice_sends_one_mail(db: None) -> None:
    message = make_message()

    assert deliver(message.pk) == "sent"
    assert deliver(message.pk) == "already-sent"

    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_send_task_run_twice_by_the_worker_sends_one_mail() -> None:
    message = make_message()
    outbox.enqueue_send(message.pk)
    outbox.enqueue_send(message.pk)

    run_ready_tasks()

    assert len(mail.outbox) == 1
    results = sorted(task.return_value for task in send_tasks(message))
    assert results == ["already-sent", "sent"]


def test_a_second_delivery_during_the_send_does_nothing(db: None, settings: Any) -> None:
    use_mail_server(settings, "tests.core.test_outbox.SecondDeliveryMidSend")
    SecondDeliveryMidSend.results = []
    message = make_message()

    assert deliver(message.pk) == "sent"

    assert SecondDeliveryMidSend.results == ["in-progress"]
    assert len(mail.outbox) == 1


def test_a_sensitive_body_is_removed_once_sent(db: None) -> None:
    message = make_message(body="仮パスワード: Xy7-secret", sensitive=True)

    deliver(message.pk)

    message.refresh_from_db()
    assert message.body == REDACTED_BODY
    assert "Xy7-secret" in mail.outbox[0].body


def test_deliver_of_a_missing_row_does_nothing(db: None) -> None:
    assert deliver(999_999) == "missing"
    assert not mail.outbox


# Failing: retries with backoff, then failed, then a staff retry.


def test_a_failing_send_is_retried_with_backoff_then_failed(
    db: None, settings: Any, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    use_mail_server(settings, "tests.core.test_outbox.BrokenMailServer")
    settings.KOUIKI_OUTBOX_MAX_ATTEMPTS = 8
    time_machine.move_to(timezone.now(), tick=False)
    message = make_message()
    waits = []

    for attempt in range(1, 8):
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(message.pk) == "retrying"
        message.refresh_from_db()
        assert message.state == OutboxState.PENDING
        assert message.attempts == attempt
        assert message.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        waits.append((message.next_attempt_at - timezone.now()).total_seconds())
        # The retry is a task that runs when the row is due, not before.
        assert send_tasks(message)[-1].run_after == message.next_attempt_at
        assert deliver(message.pk) == "not-due"
        time_machine.move_to(message.next_attempt_at, tick=False)

    assert deliver(message.pk) == "failed"

    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    message.refresh_from_db()
    assert message.state == OutboxState.FAILED
    assert message.attempts == 8
    assert len(send_tasks(message)) == 7
    assert deliver(message.pk) == "failed"
    assert not mail.outbox


def test_the_backoff_is_capped_at_one_hour() -> None:
    assert outbox_delivery.backoff(1) == timedelta(seconds=30)
    assert outbox_delivery.backoff(7) == timedelta(seconds=1920)
    assert outbox_delivery.backoff(8) == timedelta(hours=1)
    assert outbox_delivery.backoff(30) == timedelta(hours=1)


def test_a_failed_mail_retried_by_staff_is_sent(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    use_mail_server(settings, "tests.core.test_outbox.BrokenMailServer")
    settings.KOUIKI_OUTBOX_MAX_ATTEMPTS = 1
    message = make_message()
    assert deliver(message.pk) == "failed"

    use_mail_server(settings, "django.core.mail.backends.locmem.EmailBackend")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.retry_failed(message)
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.attempts == 0
    assert len(send_tasks(message)) == 1

    assert deliver(message.pk) == "sent"
    assert len(mail.outbox) == 1


def test_only_a_failed_mail_can_be_retried(db: None) -> None:
    message = make_message()
    deliver(message.pk)

    with pytest.raises(outbox.InvalidTransition):
        outbox.retry_failed(message)


# The sweeper: lost tasks and dead workers.


def test_the_sweeper_re_enqueues_a_pending_row_whose_task_was_lost(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    long_ago = timezone.now() - timedelta(minutes=10)
    lost = make_message(created_at=long_ago, next_attempt_at=long_ago, enqueued_at=long_ago)
    fresh = make_message(enqueued_at=timezone.now())
    waiting = make_message(enqueued_at=long_ago, next_attempt_at=timezone.now() + timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"reclaimed": 0, "failed": 0, "requeued": 1}
    assert len(send_tasks(lost)) == 1
    assert send_tasks(fresh) == send_tasks(waiting) == []

    # Enqueued just now: the next sweep leaves it to its task.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["requeued"] == 0
    assert deliver(lost.pk) == "sent"


def test_the_sweeper_takes_back_a_row_whose_worker_died(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    past = timezone.now() - timedelta(seconds=1)
    dead = make_message(state=OutboxState.SENDING, attempts=1, claim_token="a" * 32, claimed_until=past)
    alive = make_message(
        state=OutboxState.SENDING,
        attempts=1,
        claim_token="b" * 32,
        claimed_until=timezone.now() + timedelta(minutes=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"reclaimed": 1, "failed": 0, "requeued": 0}

    dead.refresh_from_db()
    assert dead.state == OutboxState.PENDING
    assert dead.last_error == outbox_delivery.LEASE_EXPIRED_ERROR
    assert len(send_tasks(dead)) == 1
    alive.refresh_from_db()
    assert alive.state == OutboxState.SENDING
    assert deliver(alive.pk) == "in-progress"

    assert deliver(dead.pk) == "sent"
    dead.refresh_from_db()
    assert dead.attempts == 2
    assert len(mail.outbox) == 1


def test_a_mail_that_keeps_killing_its_worker_ends_failed(db: None, settings: Any) -> None:
    settings.KOUIKI_OUTBOX_MAX_ATTEMPTS = 3
    past = timezone.now() - timedelta(seconds=1)
    message = make_message(state=OutboxState.SENDING, attempts=3, claim_token="c" * 32, claimed_until=past)

    assert sweep()["failed"] == 1

    message.refresh_from_db()
    assert message.state == OutboxState.FAILED


def test_a_slow_send_that_outlives_its_claim_is_not_sent_again(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    use_mail_server(settings, "tests.core.test_outbox.LeaseOutlivingMailServer")
    message = make_message()

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(message.pk) == "sent"

    # The sweeper took the row back and enqueued it while the send went on; the send still
    # landed under its claim, so the new task finds the row sent.
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert len(send_tasks(message)) == 1
    assert deliver(message.pk) == "already-sent"
    assert len(mail.outbox) == 1


# The kill test: real worker processes on a database they share with this test.


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, logs: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            output = "\n".join(f"--- {log.name}\n{log.read_text()}" for log in sorted(logs.glob("*.log")))
            pytest.fail(f"timed out waiting for {what}\n{output}")
        time.sleep(0.05)


class WorkerDatabase:
    """The test database, as worker subprocesses can open it.

    PostgreSQL: the test database itself. SQLite: pytest-django's test database lives in memory,
    out of reach of another process, so it is copied (schema and rows) into a file that the
    workers use, and copied back before the test reads it.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "KOUIKI_SMTP_HOST", "KOUIKI_TEST_EMAIL_BACKEND"}
        }
        self.env |= {"DJANGO_SETTINGS_MODULE": "tests.core.worker_settings", "KOUIKI_VAR_DIR": str(directory)}
        self.sqlite_file: Path | None = None
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            self.env["DATABASE_URL"] = (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            )
        else:
            self.sqlite_file = directory / "kouiki.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(self.sqlite_file) as target:
                connection.connection.backup(target)  # type: ignore[union-attr]

    def mail_files(self) -> list[Path]:
        return sorted((self.directory / "mail").glob("*"))

    def read_back(self) -> None:
        """See what the workers wrote (SQLite: copy their file back over the test database)."""
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file) as source:
                source.backup(connection.connection)  # type: ignore[arg-type]

    def state(self, message: OutboxMessage) -> tuple[str, int]:
        self.read_back()
        message.refresh_from_db()
        return message.state, message.attempts

    def send_task_results(self, message: OutboxMessage) -> list[tuple[str, str]]:
        """(what `deliver` returned, which worker ran it) for each send task of the row."""
        self.read_back()
        return [(task.return_value, task.worker_ids[0]) for task in send_tasks(message)]

    def sweep_times(self) -> list[float]:
        self.read_back()
        sweeps = DBTaskResult.objects.filter(task_path="kouiki.core.tasks.sweep_outbox").order_by(
            "enqueued_at"
        )
        return [task.enqueued_at.timestamp() for task in sweeps]

    def start_worker(
        self, name: str, *options: str, mail_backend: str = "", lease_seconds: int = 1
    ) -> subprocess.Popen[bytes]:
        command = [sys.executable, "manage.py", "worker", "--skip-checks", "--interval", "0.05"]
        env = self.env | {"KOUIKI_TEST_LEASE_SECONDS": str(lease_seconds)}
        if mail_backend:
            env["KOUIKI_TEST_EMAIL_BACKEND"] = mail_backend
        with (self.directory / f"{name}.log").open("wb") as log:
            return subprocess.Popen(
                [*command, "--no-startup-delay", *options],
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leaves_the_mail_to_go_out_exactly_once(tmp_path: Path) -> None:
    message = make_message(subject="強制終了テスト")
    # Two tasks for the row, as after a duplicate enqueue: the row still goes out once.
    outbox.enqueue_send(message.pk)
    outbox.enqueue_send(message.pk)
    database = WorkerDatabase(tmp_path)

    workers: list[subprocess.Popen[bytes]] = []
    try:
        # The first worker claims the row and is killed inside the send, before the mail is out.
        first = database.start_worker(
            "first",
            "--no-scheduler",
            mail_backend="tests.core.worker_mail.HangingEmailBackend",
        )
        workers.append(first)
        wait_for(lambda: any(tmp_path.glob("sending-*")), timeout=20, what="the first send", logs=tmp_path)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert database.state(message) == (OutboxState.SENDING, 1)
        assert database.mail_files() == []

        # The second worker runs the duplicate task (the row is still claimed: nothing), its
        # scheduler sweeps once the one-second lease is over, and the row is sent.
        second = database.start_worker("second", "--schedule-interval", "0.1")
        workers.append(second)
        wait_for(lambda: bool(database.mail_files()), timeout=20, what="the mail", logs=tmp_path)
        time.sleep(1.2)  # a few more sweeps: nothing more goes out
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0
    finally:
        stop(workers)

    [sent] = database.mail_files()
    sent_mail = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
    assert sent_mail["Subject"] == "強制終了テスト"
    assert sent_mail["Message-ID"] == outbox_delivery.message_id_header(message)
    assert database.state(message) == (OutboxState.SENT, 2)


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_the_same_row_send_one_mail(tmp_path: Path) -> None:
    message = make_message(subject="競合テスト")
    outbox.enqueue_send(message.pk)
    outbox.enqueue_send(message.pk)
    database = WorkerDatabase(tmp_path)

    # Whichever worker claims the row stays inside the send until the other worker has taken
    # the duplicate task: the two overlap on the same row, for real, on the real database. Both
    # also run the periodic scheduler, every 50 ms, for a sweep due every second.
    options = ["--schedule-interval", "0.05"]
    backend = "tests.core.worker_mail.WaitForRivalEmailBackend"
    workers = [
        database.start_worker(name, *options, mail_backend=backend, lease_seconds=60) for name in ("a", "b")
    ]
    try:
        wait_for(lambda: bool(database.mail_files()), timeout=30, what="the mail", logs=tmp_path)
        time.sleep(1.2)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        assert [worker.wait(timeout=10) for worker in workers] == [0, 0]
    finally:
        stop(workers)

    assert len(database.mail_files()) == 1
    assert len(list(tmp_path.glob("sending-*"))) == 1
    assert database.state(message) == (OutboxState.SENT, 1)
    results = database.send_task_results(message)
    assert sorted(result for result, _ in results) == ["in-progress", "sent"]
    assert len({worker for _, worker in results}) == 2
    # One sweep per one-second slot, though two schedulers looked every 50 ms.
    sweeps = database.sweep_times()
    assert sweeps
    assert all(later - earlier >= 0.9 for earlier, later in itertools.pairwise(sweeps))
