"""Run the task queue in this process until nothing is due: for the demo, the tests and
`anxin bench`. Production runs `anxin db_worker` processes, which execute the same rows."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_due_tasks(*, max_tasks: int = 100_000) -> int:
    """Execute every task whose run_after has passed (by the clock as the tests set it), and
    those they enqueue that are due too. Returns how many ran."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=max_tasks, worker_id="inline",
                    excluded_queue_names=[])
    worker.run()
    return DBTaskResult.objects.exclude(status="READY").count() - before
