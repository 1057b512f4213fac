"""Re-verification: the reminder before it is due, and the lapse once it is overdue (each run by
its timer task, from sellers.tasks, and the lapse also by `anxin deadlines`). Each re-reads
the stored time, so firing early, late or twice is harmless."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anxin.evidence import services as evidence
from anxin.notices.services import notice_send
from anxin.sellers.models import Status, Verification
from anxin.sellers.record import seller_lock, seller_rescore


@transaction.atomic
def seller_verification_lapse(*, seller_id: int) -> str:
    """Re-verification is overdue: the seller takes no new orders until re-verified. Reads
    the stored time, so firing early, late or twice is harmless."""
    seller_lock(seller_id)
    v = Verification.objects.select_for_update().filter(seller_id=seller_id).first()
    if v is None:
        return "not verified"
    if v.status == Status.LAPSED:
        return "already lapsed"
    if timezone.now() < v.reverify_by:
        return "not due"
    v.status = Status.LAPSED
    v.save(update_fields=["status"])
    evidence.append(chain=f"seller:{seller_id}", kind="seller.lapsed", body={"seller": seller_id})
    notice_send([seller_id], "reverify_lapsed")
    seller_rescore(seller_id)
    return "lapsed"


@transaction.atomic
def seller_reverify_remind(*, seller_id: int) -> str:
    v = Verification.objects.select_for_update().filter(seller_id=seller_id).first()
    if v is None or v.status != Status.VERIFIED:
        return "nothing to remind"
    if v.reminded_at is not None and v.reminded_at >= v.verified_at:
        return "already reminded"
    if timezone.now() < v.reverify_by - dt.timedelta(days=settings.ANXIN_SELLER_REMIND_DAYS):
        return "not yet"
    notice_send([seller_id], "reverify", due_at=v.reverify_by.isoformat())
    v.reminded_at = timezone.now()
    v.save(update_fields=["reminded_at"])
    return "reminded"


def seller_deadlines_run(*, limit: int = 1000) -> dict[str, int]:
    now = timezone.now()
    due = Verification.objects.filter(status=Status.VERIFIED, reverify_by__lte=now)
    lapsed = sum(
        seller_verification_lapse(seller_id=s) == "lapsed"
        for s in due.values_list("seller_id", flat=True)[:limit]
    )
    return {"sellers_lapsed": lapsed}
