"""`manage.py worker`: django-tasks-db's worker, plus the periodic jobs of kouiki.core.periodic.

The task loop is django-tasks-db's own (`db_worker`, with every option it takes). Beside it a
scheduler thread enqueues the periodic jobs that are due every few seconds; the jobs then run as
ordinary tasks. SIGINT and SIGTERM stop the worker after the task in hand (db_worker's behaviour)
and the scheduler with it. Run as many workers as you like: a slot is enqueued by one of them.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.db import close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from kouiki.core import periodic

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
                except Exception:
                    logger.exception("Periodic scheduler failed; trying again in %s s.", self.interval)
                self._stopping.wait(self.interval)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=10)


class GracefulWorker(db_worker.Worker):
    """db_worker's loop, with one fix to its shutdown: a signal that lands while the loop holds its
    claim transaction open (no task running yet) must not `sys.exit(0)` from inside that
    transaction — the commit then fails and the worker exits 1. Stop after the transaction instead:
    the loop ends once `running` is False (a task claimed in it still runs to its end)."""

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running and not self.running_task and connections["default"].in_atomic_block:
            logger.warning("Received %s - shutting down gracefully...", signal.strsignal(signum))
            self.running = False
            return
        super().shutdown(signum, frame)


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
