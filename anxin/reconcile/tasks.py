"""A day's reconciliation, for a worker: the task, and its daily schedule (`anxin deadlines`
calls reconcile_schedule every minute)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from anxin.law.days import BEIJING
from anxin.payments.providers import get_provider
from anxin.reconcile.models import ReconciliationRun, RunStatus
from anxin.reconcile.services import STALE_RUN, reconcile_day


@task()
def reconcile_task(day: str, provider_name: str) -> dict[str, int]:
    """A day's reconciliation (queued by reconcile_schedule)."""
    run = reconcile_day(dt.date.fromisoformat(day), provider_name=provider_name)
    return {
        "lines_read": run.lines_read,
        "matched": run.matched,
        "applied": run.applied,
        "alerts": run.alerts,
    }


# Days a reconciliation missed (the server or its cron down) are caught up this far back, never
# before the first day ever reconciled (a new installation does not reconcile its past).
CATCH_UP_DAYS = 7


def reconcile_schedule(*, now: dt.datetime | None = None) -> int:
    """Queue yesterday's reconciliation once the providers' bills are out (ANXIN_RECONCILE_HOUR,
    Beijing time; WeChat Pay's are ready from 10:00). Called by `anxin deadlines` every minute,
    it queues a day once (its run row is the mark), and again when it did not get done: its
    task lost (queued an hour ago and never started), its run failed (the provider's bill not
    out, say: retried hourly) or died (running for an hour). Days missed while nothing ran are
    caught up, back to CATCH_UP_DAYS. Returns how many days it queued."""
    now = now or timezone.now()
    local = now.astimezone(BEIJING)
    if not settings.ANXIN_RECONCILE_DAILY or local.hour < settings.ANXIN_RECONCILE_HOUR:
        return 0
    yesterday = local.date() - dt.timedelta(days=1)
    provider = get_provider().name
    runs = ReconciliationRun.objects.filter(provider=provider)
    first = runs.order_by("day").values_list("day", flat=True).first()
    days = [yesterday] + [
        yesterday - dt.timedelta(days=k)
        for k in range(1, CATCH_UP_DAYS)
        if first is not None and yesterday - dt.timedelta(days=k) > first
    ]
    stale = now - STALE_RUN
    queued = 0
    for day in days:
        with transaction.atomic():
            run, created = runs.get_or_create(
                provider=provider, day=day, defaults={"queued_at": now}
            )
            again = not created and (
                runs.filter(pk=run.pk)
                .filter(
                    Q(status__in=(RunStatus.QUEUED, RunStatus.FAILED), queued_at__lt=stale)
                    | Q(status=RunStatus.RUNNING, started_at__lt=stale)
                )
                .update(status=RunStatus.QUEUED, queued_at=now)
                == 1
            )
            if created or again:
                reconcile_task.enqueue(day.isoformat(), provider)
                queued += 1
    return queued
