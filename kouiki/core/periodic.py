"""Periodic jobs, run by the task workers themselves (no cron).

An app registers a job in its `tasks` module::

    register_periodic("membership.expire_applications", every=timedelta(days=1), task=expire_applications)

Each worker (`manage.py worker`) calls `run_due` every few seconds. A job has one `PeriodicRun`
row whose `next_run_at` is the next slot; a worker takes a slot with a conditional UPDATE and only
then enqueues the job's task, so with any number of workers a slot is enqueued once. The job
itself runs as an ordinary task on whichever worker picks it up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from kouiki.core.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: Task[[], Any]


_registry: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every: timedelta, task: Task[[], Any]) -> None:
    """Run `task` (which takes no arguments) every `every`, on one worker per slot."""
    if every <= timedelta(0):
        raise ValueError("A periodic job needs a positive interval.")
    _registry[name] = PeriodicJob(name=name, every=every, task=task)


def registered() -> list[PeriodicJob]:
    return sorted(_registry.values(), key=lambda job: job.name)


def autodiscover() -> None:
    """Import every installed app's `tasks` module, where jobs are registered."""
    autodiscover_modules("tasks")


def run_due(now: datetime | None = None) -> list[str]:
    """Enqueue each registered job whose slot has come; return the names enqueued by this call.

    `now` is for tests; by default the clock is read inside each job's transaction, once the
    database has let this worker write (SQLite takes its write lock at BEGIN), so a worker that
    waited for the lock does not act on a stale time.
    """
    jobs = registered()
    known = set(
        PeriodicRun.objects.filter(name__in=[job.name for job in jobs]).values_list("name", flat=True)
    )
    missing = [
        PeriodicRun(name=job.name, interval=job.every, next_run_at=now or timezone.now())
        for job in jobs
        if job.name not in known
    ]
    if missing:
        # Another worker may insert the same rows at the same time: the unique name settles it.
        PeriodicRun.objects.bulk_create(missing, ignore_conflicts=True)

    enqueued = []
    for job in jobs:
        with transaction.atomic():
            at = now or timezone.now()
            # Due, or scheduled with a longer interval than the job now has and further ahead than
            # the new one. (Not "next_run_at > at + every" alone: a worker whose clock reading is
            # a moment old would take the slot another worker has just taken.)
            due = Q(next_run_at__lte=at) | Q(interval__gt=job.every, next_run_at__gt=at + job.every)
            taken = PeriodicRun.objects.filter(due, name=job.name).update(
                interval=job.every, last_run_at=at, next_run_at=at + job.every
            )
            if taken:
                # Inside the transaction: with the database task backend the slot and its task
                # commit together.
                job.task.enqueue()
                enqueued.append(job.name)
    if enqueued:
        logger.info("Periodic jobs enqueued: %s", ", ".join(enqueued))
    return enqueued
