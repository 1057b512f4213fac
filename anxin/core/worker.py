"""Run the task queue in this process until nothing is due: for the demo, the tests and
`anxin bench`. Production runs `anxin db_worker` processes, which execute the same rows the
same way (claim under a row lock, run, record the result)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


class TaskFailed(Exception):
    pass


INLINE = "inline"


def reclaim_inline() -> int:
    """Tasks an inline runner claimed and never finished: it was killed mid-task (only one
    inline runner works at a time, so a RUNNING task of one is a dead runner's). They go back
    to the queue; every task re-reads the state it acts on, so running one again is safe.
    Returns how many were reclaimed."""
    stuck = [
        pk
        for pk, ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
            "pk", "worker_ids"
        )
        if ids and ids[-1] == INLINE
    ]
    if stuck:
        DBTaskResult.objects.filter(pk__in=stuck, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
    return len(stuck)


def reclaim_stale(*, now: dt.datetime | None = None) -> int:
    """Tasks a `db_worker` claimed more than ANXIN_TASK_STALE_MINUTES ago and never finished:
    its process was killed, or its machine lost. They go back to the queue (every task re-reads
    the state it acts on, so a task run twice does its work once). Run by `anxin deadlines`.
    Returns how many were reclaimed."""
    now = now or timezone.now()
    before = now - dt.timedelta(minutes=settings.ANXIN_TASK_STALE_MINUTES)
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=before
    ).update(status=TaskResultStatus.READY, started_at=None)


def run_due_tasks(*, max_tasks: int = 100_000, raise_failures: bool = True) -> int:
    """Execute every task whose run_after has passed (by the clock as the tests set it), and
    those they enqueue that are due too. Returns how many ran; raises TaskFailed if any task
    raised, because a task that fails silently is a deadline that never fires.

    Unlike `db_worker` this does not recycle database connections between tasks, so it can
    run inside a test's transaction."""
    started = timezone.now()
    reclaim_inline()
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=INLINE,
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
