"""Periodic jobs: one enqueue per slot, however many workers look at the same time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kouiki.core import periodic
from kouiki.core.models import PeriodicRun

TICK = "tests.core.test_periodic.tick"


@task()
def tick() -> None:
    """A job that does nothing: the tests count how often it is enqueued."""


@pytest.fixture
def registry() -> Iterator[None]:
    """Only the test's own job is registered while the test runs."""
    saved = dict(periodic._registry)
    periodic._registry.clear()
    periodic.register_periodic("tests.tick", every=timedelta(minutes=10), task=tick)
    yield
    periodic._registry.clear()
    periodic._registry.update(saved)


def enqueued() -> int:
    return DBTaskResult.objects.filter(task_path=TICK).count()


def test_a_job_is_enqueued_once_per_slot(db: None, registry: None, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)

    assert periodic.run_due() == ["tests.tick"]
    assert periodic.run_due() == []
    time_machine.shift(timedelta(minutes=9))
    assert periodic.run_due() == []
    time_machine.shift(timedelta(minutes=1))
    assert periodic.run_due() == ["tests.tick"]

    assert enqueued() == 2
    run = PeriodicRun.objects.get(name="tests.tick")
    assert run.next_run_at == timezone.now() + timedelta(minutes=10)


def test_a_shortened_interval_takes_effect_at_once(db: None, registry: None) -> None:
    periodic.register_periodic("tests.tick", every=timedelta(days=1), task=tick)
    periodic.run_due()
    periodic.register_periodic("tests.tick", every=timedelta(minutes=1), task=tick)

    assert periodic.run_due() == ["tests.tick"]


def test_a_worker_a_moment_behind_does_not_take_the_slot_again(db: None, registry: None) -> None:
    # Two workers read the clock at nearly the same time; the later one takes the slot first.
    # (Real concurrent workers: tests/core/test_outbox.py, the two-worker race.)
    now = timezone.now()

    assert periodic.run_due(now) == ["tests.tick"]
    assert periodic.run_due(now - timedelta(milliseconds=500)) == []
    assert periodic.run_due(now) == []

    assert enqueued() == 1


def test_the_outbox_sweeper_is_registered_from_the_tasks_modules() -> None:
    periodic.autodiscover()

    [job] = [job for job in periodic.registered() if job.name == "core.sweep_outbox"]
    assert job.task.name == "sweep_outbox"


def test_an_interval_must_be_positive(registry: None) -> None:
    with pytest.raises(ValueError, match="positive"):
        periodic.register_periodic("tests.never", every=timedelta(0), task=tick)
