from django_tasks import task


@task()
def audit_task(run_id: int) -> dict[str, int]:
    """The whole books' audit, queued by `anxin deadlines` (ops.audits.audit_schedule)."""
    from anxin.ops.audits import audit_recorded

    run = audit_recorded(run_id)
    return {"violations": run.violations}
