from django_tasks import task

from anxin.payouts.submission import payout_submit as submit


@task()
def payout_submit(payout_id: int) -> str:
    return submit(payout_id=payout_id)
