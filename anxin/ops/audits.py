"""The whole books' audit: the ledger's invariants, then what each app above it checks of its
money (orders, returns, payouts). `anxin ledger audit` runs it and exits 1 on a violation;
`anxin deadlines` queues it every ANXIN_AUDIT_EVERY_MINUTES for a worker (ops.tasks); each run
is recorded (ledger.models.AuditRun) and the operator's desk shows the last one instead of
auditing the whole history on every view."""

from __future__ import annotations

import time

from django.utils import timezone

from anxin.disputes.audit import returns_audit
from anxin.ledger.audit import ledger_audit
from anxin.ledger.models import AuditRun
from anxin.orders.audit import orders_audit
from anxin.payouts.audit import payouts_audit

# The problems a run keeps, to show; the count is of all of them.
KEPT = 50


def books_audit() -> list[str]:
    return ledger_audit() + orders_audit() + returns_audit() + payouts_audit()


def audit_recorded(run_id: int | None = None) -> AuditRun:
    """Run the whole audit and record it (on the queued run `run_id`, or a new one)."""
    now = timezone.now()
    run = AuditRun.objects.filter(pk=run_id).first() if run_id else None
    if run is None:
        run = AuditRun.objects.create(queued_at=now)
    AuditRun.objects.filter(pk=run.pk).update(started_at=now)
    began = time.perf_counter()
    problems = books_audit()
    run.started_at, run.finished_at = now, timezone.now()
    run.seconds = round(time.perf_counter() - began, 3)
    run.violations, run.problems = len(problems), problems[:KEPT]
    run.save()
    return run
