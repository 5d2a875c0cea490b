"""Running the task worker in a test: what `manage.py db_worker --batch` (or our `manage.py worker`,
given its class) does — every ready task, then return."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker


def run_ready_tasks(worker: type[Worker] = Worker) -> None:
    worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
