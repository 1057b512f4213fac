import datetime as dt

from django_tasks import task


@task()
def reconcile_task(day: str, provider_name: str) -> dict[str, int]:
    """A day's reconciliation (queued by reconcile_schedule, from `anxin deadlines`)."""
    from anxin.reconcile.services import reconcile_day

    run = reconcile_day(dt.date.fromisoformat(day), provider_name=provider_name)
    return {
        "lines_read": run.lines_read,
        "matched": run.matched,
        "applied": run.applied,
        "alerts": run.alerts,
    }
