"""Timers. Each task loads by id and calls a service that re-reads the stored deadline, so a
task that runs twice, late, or after the deadline moved does the right thing."""

from django_tasks import task

from anxin.orders import services


@task()
def order_auto_confirm_task(order_id: int) -> str:
    return services.order_auto_confirm(order_id=order_id)


@task()
def order_expire_task(order_id: int) -> str:
    return services.order_expire(order_id=order_id)


@task()
def order_erase_task(order_id: int) -> str:
    """A buyer asked for erasure while the order was inside its retention period: erase it
    when the period ends (PIPL Art. 47, E-commerce Law Art. 31)."""
    from anxin.orders.privacy import erase_order

    return f"erased {erase_order(order_id)} records"
