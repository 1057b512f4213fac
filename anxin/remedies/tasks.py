"""The collection of a seller's debts, queued when money reaches a seller who owes."""

from __future__ import annotations

from django_tasks import task

from anxin.orders.models import Order
from anxin.remedies.services import debt_collect


@task()
def debts_collect_task(seller_id: int) -> int:
    return debt_collect(seller_id=seller_id)


def on_seller_paid_out(*, order: Order, seller_in_debt: bool) -> None:
    """Money was released to a seller in debt (hook SELLER_PAID_OUT): collect it. Queued with
    this transaction, run in its own: the debt's order is locked there."""
    if seller_in_debt:
        debts_collect_task.enqueue(order.seller_id)
