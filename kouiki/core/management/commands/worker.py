"""`manage.py worker`: django-tasks-db's worker, plus the periodic jobs of kouiki.core.periodic.

The task loop is django-tasks-db's own (`db_worker`, with every option it takes). Beside it a
scheduler thread enqueues the periodic jobs that are due every few seconds; the jobs then run as
ordinary tasks. SIGINT and SIGTERM stop the worker after the task in hand (db_worker's behaviour)
and the scheduler with it. Run as many workers as you like: a slot is enqueued by one of them.

A locked database (SQLite's write lock held past the busy timeout) never stops the worker: it
waits with a backoff and goes on; a task that failed only because of the lock runs again, and an
outcome the lock kept from being recorded is recorded once it can be (ADR 18).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from argparse import ArgumentParser
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.db import OperationalError, close_old_connections, connections
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from kouiki.core import periodic
from kouiki.core.database import busy_backoff, database_busy

logger = logging.getLogger("kouiki.core.worker")


class Scheduler(threading.Thread):
    """Calls `periodic.run_due` every `interval` seconds until stopped."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="kouiki-periodic", daemon=True)
        self.interval = interval
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    close_old_connections()
                    periodic.run_due()
                except Exception as error:
                    if database_busy(error):
                        logger.warning(
                            "The database is busy (%s); periodic jobs wait %s s.", error, self.interval
                        )
                    else:
                        logger.exception("Periodic scheduler failed; trying again in %s s.", self.interval)
                self._stopping.wait(self.interval)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=10)


class GracefulWorker(db_worker.Worker):
    """db_worker's loop, which neither a signal nor a locked database ends before its time.

    A signal that lands while the loop holds its claim transaction open (no task running yet) must
    not `sys.exit(0)` from inside that transaction — the commit then fails and the worker exits 1.
    Stop after the transaction instead: the loop ends once `running` is False (a task claimed in
    it still runs to its end).

    db_worker shrugs off a lock met by its claim query, but not one met at BEGIN or COMMIT, nor
    one that keeps it from recording a task's outcome: any of these ended the worker. Here the
    loop waits (1, 2, 4, … at most 30 s while the lock lasts) and goes on.
    """

    # A busy failure this long after the loop went on again starts the backoff afresh.
    BUSY_RESET_SECONDS = 60.0

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running and not self.running_task and connections["default"].in_atomic_block:
            logger.warning("Received %s - shutting down gracefully...", signal.strsignal(signum))
            self.running = False
            return
        super().shutdown(signum, frame)

    def run(self) -> None:
        failures = 0
        while self.running:
            resumed = time.monotonic()
            try:
                super().run()
                return
            except OperationalError as error:
                if not database_busy(error):
                    raise
                failures = failures + 1 if time.monotonic() - resumed < self.BUSY_RESET_SECONDS else 1
                self._wait_for_database(error, failures)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except OperationalError as error:
            if not database_busy(error):
                raise
            # db_worker could not write the outcome (its few quick retries met the same lock): the
            # result in memory holds it, written once the database is free.
            self._until_free(
                lambda: db_task_result.save(
                    update_fields=[
                        "status",
                        "return_value",
                        "finished_at",
                        "exception_class_path",
                        "traceback",
                    ]
                )
            )
        if failed_on_busy_database(db_task_result):
            # Every task of ours is safe to run twice (the row, not the task, decides): run it
            # again rather than leave its row to the sweeper.
            logger.warning("Task %s met a locked database; it will run again.", db_task_result.task_path)
            self._until_free(lambda: run_again(db_task_result))

    def _until_free(self, write: Callable[[], object]) -> None:
        failures = 0
        while True:
            try:
                write()
                return
            except OperationalError as error:
                if not database_busy(error):
                    raise
                failures += 1
                self._wait_for_database(error, failures)

    def _wait_for_database(self, error: OperationalError, failures: int) -> None:
        wait = busy_backoff(failures).total_seconds()
        logger.warning("The database is busy (%s); the worker tries again in %s s.", error, wait)
        # A signal now ends the worker at once (db_worker's shutdown: no task in hand).
        time.sleep(wait)


def failed_on_busy_database(result: DBTaskResult) -> bool:
    """The task failed only because the database stayed locked past the busy timeout."""
    error_class = f"{OperationalError.__module__}.{OperationalError.__qualname__}"
    if result.status != TaskResultStatus.FAILED or result.exception_class_path != error_class:
        return False
    # The traceback's last line is "<class path>: <message>".
    message = result.traceback.rstrip().rpartition("\n")[2].partition(": ")[2]
    return database_busy(OperationalError(message))


def run_again(result: DBTaskResult) -> None:
    """Put a task that failed on a locked database back in the queue, to run a moment later."""
    DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now() + busy_backoff(1),
        started_at=None,
        finished_at=None,
        exception_class_path="",
        traceback="",
    )


class Command(db_worker.Command):
    help = "Run a task worker (django-tasks-db) and enqueue the periodic jobs that are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-interval",
            type=db_worker.valid_interval,
            default=5.0,
            help="Seconds between two looks at the periodic jobs (default: %(default)r)",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Only run tasks; enqueue no periodic job from this worker.",
        )

    def handle(self, **options: Any) -> None:
        scheduler: bool = options.pop("scheduler")
        schedule_interval: float = options.pop("schedule_interval")
        periodic.autodiscover()
        # With --reload the parent process only watches files: the child runs the worker.
        in_worker_process = not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        thread = Scheduler(schedule_interval) if scheduler and in_worker_process else None
        if thread is not None:
            thread.start()
        # db_worker.Command.handle builds its worker from the module's `Worker`: ours instead.
        db_worker.Worker = GracefulWorker  # type: ignore[misc]
        try:
            super().handle(**options)
        finally:
            if thread is not None:
                thread.stop()
