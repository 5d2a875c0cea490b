"""The bulk files' background job and its sweep (ADR 0030)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from kouiki.core.periodic import register_periodic


@task()
def run_bulk_file(file_id: int) -> str:
    """Validate or apply one file; safe to run twice (the file's claim, not the task, decides)."""
    from kouiki.bulk import services

    return services.run(file_id)


@task()
def sweep_bulk_files() -> dict[str, int]:
    """Take back files of dead workers and re-enqueue files whose task was lost."""
    from kouiki.bulk import services

    return services.sweep()


register_periodic(
    "bulk.sweep_files",
    every=timedelta(seconds=settings.KOUIKI_BULK_SWEEP_EVERY_SECONDS),
    task=sweep_bulk_files,
)
