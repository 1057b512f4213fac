"""An upgrade keeps the work already queued: tasks whose code moved to another app run under
their new path after `anxin migrate`."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

MOVED = [
    (
        ("notices", "0001_initial"),
        "anxin.disputes.tasks.email_task",
        "anxin.notices.tasks.notice_email_task",
    ),
    (
        ("remedies", "0002_sellerdebt_own_table"),
        "anxin.aftersales.tasks.debts_collect_task",
        "anxin.remedies.tasks.debts_collect_task",
    ),
]


def _queue(task_path: str, status: str) -> uuid.UUID:
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        args_kwargs={"args": [1], "kwargs": {}},
        priority=0,
        task_path=task_path,
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
    )
    return row.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("before", "old", "new"), MOVED)
def test_a_task_queued_under_its_old_path_runs_under_its_new_one_after_migrate(
    before, old, new
) -> None:
    from django_tasks_db.models import DBTaskResult

    # Given a database from before the move, with the old task queued and one already run
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    waiting, finished = _queue(old, "READY"), _queue(old, "SUCCESSFUL")
    # When the upgrade migrates
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # Then the waiting task runs the moved code, and the history keeps what ran
    assert DBTaskResult.objects.get(pk=waiting).task_path == new
    assert DBTaskResult.objects.get(pk=finished).task_path == old
