"""The collection of a seller's debts, queued when money reaches a seller who owes."""

from django_tasks import task

from anxin.remedies.services import debt_collect


@task()
def debts_collect_task(seller_id: int) -> int:
    return debt_collect(seller_id=seller_id)
