"""django-tasks' database backend, enqueuing with a statement compiled once.

Every order enqueues its timers (payment window, auto-confirm) and every provider event its
delivery; building the queue row's INSERT in the ORM each time was a measurable share of an
order's cost. The row is the same row, written the same way (see core.sql), so `db_worker`
and everything else of django-tasks-db work unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from anxin.core.sql import insert_instance, insert_instances

_together: ContextVar[list[DBTaskResult] | None] = ContextVar("_together", default=None)


@contextmanager
def enqueued_together() -> Iterator[None]:
    """Tasks enqueued inside the block are written in one INSERT as it ends, inside the
    caller's transaction (a shipment's auto-confirm timer and its tracking request, say).
    If the block raises, nothing is written: the caller's transaction is failing anyway."""
    if _together.get() is not None:  # nested: the outer block writes them
        yield
        return
    rows: list[DBTaskResult] = []
    token = _together.set(rows)
    try:
        yield
    finally:
        _together.reset(token)
    if rows:
        insert_instances(rows)  # type: ignore[arg-type]


class CompiledDatabaseBackend(DatabaseBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        row: DBTaskResult = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            # What the backend's pre_save signal does for a task with no run_after.
            run_after=task.run_after if task.run_after is not None else get_date_max(),
            backend_name=self.alias,
        )
        rows = _together.get()
        if rows is None:
            insert_instance(row)
        else:
            rows.append(row)
        return row
