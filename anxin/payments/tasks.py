from django_tasks import task

from anxin.payments.providers.sandbox import SandboxProvider


@task()
def sandbox_deliver(notification_row_id: int) -> bool:
    return SandboxProvider().deliver(notification_row_id)


@task()
def provider_call_deliver(call_id: int) -> str:
    from anxin.payments.services import provider_call_deliver as deliver

    return deliver(call_id=call_id)


@task()
def sandbox_payout_settle(payout_id: str) -> str:
    return SandboxProvider().payout_settle(payout_id)
