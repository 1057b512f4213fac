"""django-tasks' database backend, enqueuing with a statement compiled once.

Every order enqueues its timers (payment window, auto-confirm) and every provider event its
delivery; building the queue row's INSERT in the ORM each time was a measurable share of an
order's cost. The row is the same row, written the same way (see core.sql), so `db_worker`
and everything else of django-tasks-db work unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend, TaskResult
from django_tasks_db.compat import TaskResultStatus, normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import normalize_uuid

from anxin.core.sql import insert_instance, insert_many

# Rows waiting for the end of an `enqueued_together` block: a task enqueued one by one is
# its DBTaskResult (the result returned holds it); one of `enqueue_each`'s, its column values.
_together: ContextVar[list[DBTaskResult | dict[str, Any]] | None] = ContextVar(
    "_together", default=None
)
_log = logging.getLogger("django_tasks")


@contextmanager
def enqueued_together() -> Iterator[None]:
    """Tasks enqueued inside the block are written in one INSERT as it ends, inside the
    caller's transaction (a shipment's auto-confirm timer and its tracking request, say).
    If the block raises, nothing is written: the caller's transaction is failing anyway."""
    if _together.get() is not None:  # nested: the outer block writes them
        yield
        return
    rows: list[DBTaskResult | dict[str, Any]] = []
    token = _together.set(rows)
    try:
        yield
    finally:
        _together.reset(token)
    if rows:
        _write(rows)


def _write(rows: Sequence[DBTaskResult | dict[str, Any]]) -> None:
    """The rows in one statement (core.sql.insert_many), in the order they were enqueued,
    each field's pre_save run as the ORM runs it on a save (the time it was enqueued)."""
    fields = DBTaskResult._meta.concrete_fields
    values = [
        {**r, "enqueued_at": timezone.now()}
        if isinstance(r, dict)
        else {f.name: f.pre_save(r, add=True) for f in fields}  # type: ignore[union-attr]
        for r in rows
    ]
    insert_many(DBTaskResult, values)
    for r in rows:
        if not isinstance(r, dict):
            r._state.adding = False
            r._state.db = connection.alias


def enqueue_each(task: Any, calls: Iterable[Sequence[Any]]) -> int:
    """`task` queued once for each tuple of positional arguments in `calls`: the rows
    `task.enqueue(*args)` writes, all in one statement (or with the rows of the enclosing
    `enqueued_together` block). Returns how many. For work that queues many tasks and reads
    no result back: the task is validated once, and no TaskResult is made for each row nor
    the `task_enqueued` signal sent (Anxin connects no receiver; django-tasks' own logs each
    enqueue at DEBUG, so one line says how many were queued). In a batch of dispute deadline
    defaults a task enqueued one by one cost 60 us before its row was written, one queued
    here about 5."""
    backend = task.get_backend()
    backend.validate_task(task)
    fields = DBTaskResult._meta.concrete_fields
    model = backend._row(task, [], {})
    fixed = {f.name: f.pre_save(model, add=True) for f in fields}  # type: ignore[union-attr]
    rows = [
        {
            **fixed,
            "id": backend._get_id(),
            "args_kwargs": normalize_json({"args": args, "kwargs": {}}),
        }
        for args in calls
    ]
    if not rows:
        return 0
    _log.debug(
        "Task path=%s enqueued %d times backend=%s", task.module_path, len(rows), backend.alias
    )
    together = _together.get()
    if together is None:
        _write(rows)
    else:
        together += rows
    return len(rows)


class CompiledDatabaseBackend(DatabaseBackend):
    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        """As the stock backend enqueues (validate, write the row, signal, return the result),
        with the result made once and from the task in hand. The stock backend reads the
        row's `task_result` twice, and each read imports the task again by its path and
        copies it (a dataclass validated on every copy): in a batch of dispute deadline
        defaults that cost more than writing the rows."""
        self.validate_task(task)
        row = self._task_to_db_task(task, args, kwargs)
        result: TaskResult[Any, Any] = TaskResult(
            db_result=row,
            task=task,
            id=normalize_uuid(row.id),
            status=TaskResultStatus[row.status],
            enqueued_at=row.enqueued_at,
            started_at=row.started_at,
            last_attempted_at=row.started_at,
            finished_at=row.finished_at,
            args=row.args_kwargs["args"],
            kwargs=row.args_kwargs["kwargs"],
            backend=row.backend_name,
            errors=[],
            worker_ids=row.worker_ids,
        )
        object.__setattr__(result, "_return_value", row.return_value)
        task_enqueued.send(type(self), task_result=result)
        return result

    def _row(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        return DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            # What the backend's pre_save signal does for a task with no run_after.
            run_after=task.run_after if task.run_after is not None else get_date_max(),
            backend_name=self.alias,
        )

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        row = self._row(task, args, kwargs)
        rows = _together.get()
        if rows is None:
            insert_instance(row)
        else:
            rows.append(row)
        return row
