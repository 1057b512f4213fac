from django_tasks import task


@task()
def payout_submit(payout_id: int) -> str:
    from anxin.payouts.services import payout_submit as submit

    return submit(payout_id=payout_id)
