"""Run the task queue in this process until nothing is due: for the demo, the tests and
`anxin bench`. Production runs `anxin db_worker` processes, which execute the same rows the
same way (claim under a row lock, run, record the result)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


class TaskFailed(Exception):
    pass


def run_due_tasks(*, max_tasks: int = 100_000, raise_failures: bool = True) -> int:
    """Execute every task whose run_after has passed (by the clock as the tests set it), and
    those they enqueue that are due too. Returns how many ran; raises TaskFailed if any task
    raised, because a task that fails silently is a deadline that never fires.

    Unlike `db_worker` this does not recycle database connections between tasks, so it can
    run inside a test's transaction."""
    started = timezone.now()
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="inline",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < max_tasks:
        with exclusive_transaction():
            task_result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            break
        worker.run_task(task_result)
        ran += 1
    if raise_failures:
        failed = DBTaskResult.objects.filter(status="FAILED", finished_at__gte=started).first()
        if failed is not None:
            raise TaskFailed(f"task {failed.task_path} failed:\n{failed.traceback}")
    return ran
