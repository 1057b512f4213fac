"""Re-verification timers: each re-reads the stored time."""

from __future__ import annotations

from django_tasks import task

from anxin.sellers import reverification


@task()
def remind_task(seller_id: int) -> str:
    return reverification.seller_reverify_remind(seller_id=seller_id)


@task()
def lapse_task(seller_id: int) -> str:
    return reverification.seller_verification_lapse(seller_id=seller_id)
