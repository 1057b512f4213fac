from django_tasks import task

from anxin.payments.providers.sandbox import SandboxProvider


@task()
def sandbox_deliver(notification_row_id: int) -> bool:
    return SandboxProvider().deliver(notification_row_id)


@task()
def refund_submit(refund_id: int) -> str:
    from anxin.payments.services import refund_submit as submit

    return submit(refund_id=refund_id)


@task()
def payment_close_submit(payment_id: int) -> str:
    from anxin.payments.services import payment_close_submit as submit

    return submit(payment_id=payment_id)
