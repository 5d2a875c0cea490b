"""A database that is busy (SQLite's write lock held past the busy timeout, ADR 18): a request
that cannot write answers 503 and changes nothing; a request that did commit answers its success
even when what runs after the commit cannot write, and the sweeper does that later; a task that met
the lock runs again.

The lock is what the database answers: `locked()` makes this connection refuse writes the way
SQLite does when another connection holds the lock past the busy timeout (the real lock, with a
real `manage.py serve`: tests/core/test_serve.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.tasks import TaskResultStatus
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kouiki.audit.models import Event
from kouiki.core.management.commands.worker import GracefulWorker
from kouiki.core.models import OutboxMessage, OutboxState
from kouiki.core.outbox import queue_mail
from kouiki.switching.models import Application
from kouiki.tso.models import MessageState, OperatorMessage
from kouiki.tso.services import delivery
from tests.api.conftest import API, make_point, make_retailer
from tests.factories import participant
from tests.tasks import run_ready_tasks

WRITE = re.compile(r"\s*(BEGIN|SAVEPOINT|INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
TASKS_TABLE = DBTaskResult._meta.db_table


@contextmanager
def locked(refuses: Callable[[str], bool] = WRITE.match) -> Iterator[list[str]]:  # type: ignore[assignment]
    """Refuse the statements `refuses` names with SQLite's answer to a lock held past the busy
    timeout; yields the statements refused."""
    refused: list[str] = []

    def database(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if refuses(sql):
            refused.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database):
        yield refused


def enqueues(sql: str) -> bool:
    return sql.lstrip().upper().startswith("INSERT") and TASKS_TABLE in sql


def test_every_on_commit_callback_is_robust() -> None:
    """What runs after a commit must not turn the committed request into an error: every
    `on_commit` is `robust=True` (Django logs what it raises)."""
    fragile = []
    for path in sorted((Path(django_settings.BASE_DIR) / "kouiki").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "on_commit":
                robust = [k for k in node.keywords if k.arg == "robust"]
                if not robust or not (isinstance(robust[0].value, ast.Constant) and robust[0].value.value):
                    fragile.append(f"{path.relative_to(django_settings.BASE_DIR)}:{node.lineno}")
    assert fragile == [], (
        "pass robust=True to on_commit: what runs after a commit must not turn the committed "
        "request into an error; leave a lost enqueue to the sweeper (ADR 18)"
    )


@pytest.fixture
def inquiry(db: None, settings: Any) -> tuple[Client, dict[str, str]]:
    """A switching user's API client and a facility inquiry it may file (sent to the operator)."""
    settings.KOUIKI_TSO_ADAPTER = "simulator"
    settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS = 0
    settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE = 0.0
    retailer = make_retailer("9101", "新電力A株式会社")
    point = make_point(make_retailer("9102", "新電力B株式会社").organization, 1)
    client = Client(headers={"Authorization": f"Bearer {retailer.token}"})
    return client, {"supply_point_number": point, "purpose": "point_info"}


@pytest.mark.django_db(transaction=True)
def test_a_committed_request_answers_its_success_when_the_enqueue_after_commit_meets_the_lock(
    inquiry: tuple[Client, dict[str, str]], settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client, body = inquiry
    with locked(enqueues) as refused:
        response = client.post(f"{API}/facility-inquiries", body, content_type="application/json")
    assert refused, "the enqueue after the commit met the lock"
    assert response.status_code == 202, response.content
    reception = response.json()["reception_number"]
    assert "Error calling" in caplog.text  # logged, not raised
    message = OperatorMessage.objects.get(reference=reception)
    assert message.state == MessageState.PENDING
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_operator_message").exists()

    # The sweeper finds the row whose task was never enqueued, and the worker sends it.
    later = timezone.now() + timedelta(seconds=settings.KOUIKI_TSO_SWEEP_AFTER_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert delivery.sweep()["requeued"] == 1
        run_ready_tasks(GracefulWorker)
    message.refresh_from_db()
    assert message.state in {MessageState.ACKNOWLEDGED, MessageState.ANSWERED}


@pytest.mark.django_db(transaction=True)
def test_an_api_request_that_cannot_get_the_lock_answers_503_and_changes_nothing(
    inquiry: tuple[Client, dict[str, str]],
) -> None:
    client, body = inquiry
    with locked() as refused:
        response = client.post(
            f"{API}/facility-inquiries",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "k1"},
        )
    assert refused
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "database_busy"
    assert "混み合っています" in response.json()["detail"]
    assert int(response["Retry-After"]) >= 1
    assert not Application.objects.exists()
    assert not OperatorMessage.objects.exists()

    # Sent again once the lock is gone, with the same key: done once.
    again = client.post(
        f"{API}/facility-inquiries", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert again.status_code == 202, again.content
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_web_page_that_cannot_get_the_lock_says_in_japanese_that_the_system_is_busy() -> None:
    user = participant()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    events = Event.objects.count()
    with locked() as refused:
        response = client.post("/member/logout/")
    assert refused
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert "混み合っています" in page and "しばらくしてから再度お試しください" in page
    # Nothing was done: no logout recorded, still signed in.
    assert Event.objects.count() == events
    assert client.get("/member/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("mail_templates")
def test_a_task_that_met_the_lock_runs_again_once_it_is_gone(settings: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    message = queue_mail(
        to="tanaka@example.co.jp", template="tests/notice", context={"name": "田中", "secret": "x"}
    )
    outbox_table = OutboxMessage._meta.db_table

    # The send task's claim of the row meets the lock: the task fails, and goes back in the queue.
    with locked(lambda sql: sql.lstrip().upper().startswith("UPDATE") and outbox_table in sql) as refused:
        run_ready_tasks(GracefulWorker)
    assert refused
    [task] = DBTaskResult.objects.filter(task_path__endswith="send_outbox_message")
    assert task.status == TaskResultStatus.READY
    assert task.run_after > timezone.now()

    with time_machine.travel(task.run_after + timedelta(seconds=1), tick=False):
        run_ready_tasks(GracefulWorker)
    task.refresh_from_db()
    message.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert message.state == OutboxState.SENT
