"""The health endpoint (/health/): the database answers, the task queue is being worked, the
evidence log's sequencer keeps up. django-health-check runs the checks; the answer is JSON,
200 when every check passes and 503 naming what failed otherwise, so a load balancer, the
compose file's healthcheck or an orchestrator can act on the status alone.

The measures are shared with the metrics (ops.metrics): the backlog is what a worker could
run now and has not; the sequencer's lag is how long the oldest pending record has waited.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any, NamedTuple

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Min, Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from anxin.evidence.models import Checkpoint, Pending, Record


class Backlog(NamedTuple):
    due: int  # tasks a worker could run now
    late: int  # of them, due longer than ANXIN_HEALTH_TASK_DELAY_SECONDS
    oldest_seconds: float  # how long the longest-waiting one has been due (0: none)


class Lag(NamedTuple):
    pending: int  # evidence records waiting for their place in the log
    seconds: float  # how long the oldest of them has waited (0: none)


def task_backlog(now: dt.datetime | None = None) -> Backlog:
    """Queued tasks that are due and not taken. A task queued to run at once is due since it
    was enqueued (its run_after is django-tasks-db's far-future mark); a timer since its
    run_after."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.ANXIN_HEALTH_TASK_DELAY_SECONDS)
    never = get_date_max()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    at_once = ready.filter(run_after=never)
    timers = ready.filter(run_after__lte=now).exclude(run_after=never)
    got = at_once.aggregate(n=Min("enqueued_at"))["n"], timers.aggregate(n=Min("run_after"))["n"]
    since = [t for t in got if t is not None]
    return Backlog(
        due=at_once.count() + timers.count(),
        late=ready.filter(
            Q(run_after=never, enqueued_at__lt=cutoff) | Q(run_after__lt=cutoff)
        ).count(),
        oldest_seconds=max(0.0, (now - min(since)).total_seconds()) if since else 0.0,
    )


def sequencer_lag(now: dt.datetime | None = None) -> Lag:
    """Records waiting for the sequencer, and how long the oldest has waited: since it was
    recorded, or since the last checkpoint if that is later (a record is stored with the time
    of what it records, which may be earlier than its insertion; the sequencer's last batch
    bounds how long anything has waited for it)."""
    now = now or timezone.now()
    first = Pending.objects.order_by("id").values_list("id", flat=True).first()
    if first is None:
        return Lag(0, 0.0)
    at = Record.objects.filter(id=first).values_list("at", flat=True).first()
    last = Checkpoint.objects.order_by("-size").values_list("at", flat=True).first()
    since = max((t for t in (at, last) if t is not None), default=now)
    return Lag(Pending.objects.count(), max(0.0, (now - since).total_seconds()))


class _InRequestThread(HealthCheck):
    """A check that reads through the request's own database connection (in the request's
    thread, as Django runs a synchronous function from an async view), rather than opening
    one in a pool thread that nothing would close."""

    async def run(self) -> None:
        await sync_to_async(self.check, thread_sensitive=True)()

    def check(self) -> None:
        raise NotImplementedError


@dataclasses.dataclass
class TaskQueue(_InRequestThread):
    """Unhealthy when a task has been due longer than ANXIN_HEALTH_TASK_DELAY_SECONDS: no
    worker runs, or the workers cannot keep up."""

    def check(self) -> None:
        b = task_backlog()
        if b.late:
            raise ServiceUnavailable(
                f"{b.late} of {b.due} due tasks waiting longer than "
                f"{settings.ANXIN_HEALTH_TASK_DELAY_SECONDS} s (oldest {b.oldest_seconds:.0f} s)"
            )


@dataclasses.dataclass
class Sequencer(_InRequestThread):
    """Unhealthy when evidence records have waited longer than
    ANXIN_HEALTH_SEQUENCER_LAG_SECONDS for the sequencer: it is not running, or behind."""

    def check(self) -> None:
        lag = sequencer_lag()
        if lag.seconds > settings.ANXIN_HEALTH_SEQUENCER_LAG_SECONDS:
            raise ServiceUnavailable(
                f"{lag.pending} evidence records pending, the oldest for {lag.seconds:.0f} s "
                f"(more than {settings.ANXIN_HEALTH_SEQUENCER_LAG_SECONDS} s)"
            )


class HealthView(HealthCheckView):
    """JSON whatever the Accept header: {"status": "ok"|"unhealthy", "checks": {name:
    {"ok": bool, "error": str|None, "seconds": float}}}; 200 or 503. No session, no sign-in,
    never cached (the base view's dispatch says so)."""

    checks = (Database, TaskQueue, Sequencer)

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        healthy = not any(r.error for r in self.results)
        return JsonResponse(
            {
                "status": "ok" if healthy else "unhealthy",
                "checks": {
                    type(r.check).__name__: {
                        "ok": r.error is None,
                        "error": str(r.error) if r.error else None,
                        "seconds": round(r.time_taken, 4),
                    }
                    for r in self.results
                },
            },
            status=200 if healthy else 503,
        )
