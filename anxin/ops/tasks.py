"""The whole books' audit, for a worker: the task, and its schedule (`anxin deadlines` calls
audit_schedule every minute)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from anxin.ledger.models import AuditRun
from anxin.ops.audits import audit_recorded


@task()
def audit_task(run_id: int) -> dict[str, int]:
    """The whole books' audit, queued by `anxin deadlines` (audit_schedule)."""
    run = audit_recorded(run_id)
    return {"violations": run.violations}


def audit_schedule(*, now: dt.datetime | None = None) -> int:
    """Queue the whole audit for a worker when the last one was queued longer ago than
    ANXIN_AUDIT_EVERY_MINUTES (0: never; run `anxin ledger audit` from cron instead).
    Returns 1 if it queued one, else 0."""
    every = settings.ANXIN_AUDIT_EVERY_MINUTES
    if not every:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        # Two deadline runs at once may both queue one: the second audit is only redundant.
        last = AuditRun.objects.order_by("-queued_at").values("queued_at").first()
        if last is not None and last["queued_at"] > now - dt.timedelta(minutes=every):
            return 0
        run = AuditRun.objects.create(queued_at=now)
        audit_task.enqueue(run.pk)
    return 1
