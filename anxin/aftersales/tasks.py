"""Timers: each loads by id and calls a service that re-reads the stored deadline."""

from django_tasks import task

from anxin.aftersales import services


@task()
def auto_approve_task(after_sale_id: int) -> str:
    return services.aftersale_auto_approve(after_sale_id=after_sale_id)


@task()
def lapse_task(after_sale_id: int) -> str:
    return services.aftersale_lapse(after_sale_id=after_sale_id)


@task()
def refund_due_task(after_sale_id: int) -> str:
    return services.aftersale_refund_due(after_sale_id=after_sale_id)
