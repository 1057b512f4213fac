"""A payout's submission to the provider (`payout_submit`, the body of the task queued by
services.payout_request and payouts_requeue), and the provider's answer applied to it (`settle`,
from a refusal here or from the provider's notification: services.payout_completed)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from anxin.core import faults
from anxin.notices.services import notice_send
from anxin.payments.models import NotificationStatus
from anxin.payments.providers import get_provider
from anxin.payments.providers.base import PayoutAccount
from anxin.payouts import ledger
from anxin.payouts.models import Payout, PayoutStatus, SellerPayoutAccount
from anxin.sellers import crypto

# After a failed submission, the wait before the next, in seconds; the last repeats.
SUBMIT_RETRY_SECONDS = (30, 60, 300, 900, 3600, 21600)
# The provider's refusals of the request itself (an HTTP 4xx): the payout fails at once.
_REFUSALS = frozenset({"invalid_account", "invalid_amount"})


def payout_account_open(account: SellerPayoutAccount) -> PayoutAccount:
    """The account as the provider needs it, unsealed (only to send it to the provider)."""
    return PayoutAccount(
        kind=account.kind,
        holder_name=crypto.open_sealed(account.holder_name_sealed, "payout.holder_name"),
        number=crypto.open_sealed(account.number_sealed, "payout.number"),
        bank=account.bank,
    )


def payout_submit(*, payout_id: int) -> str:
    """Ask the provider to make the payout, outside any transaction, and record that it
    accepted. Idempotent: the provider is given the payout's own key every time, so a second
    submission (a retry, two workers, a crash after the provider answered) pays once."""
    p = Payout.objects.select_related("account").get(pk=payout_id)
    if p.submitted_at is not None:
        return "already_submitted"
    if p.status != PayoutStatus.PROCESSING:
        return p.status
    provider = get_provider(p.provider)
    try:
        answer = provider.payout(
            payout_key=p.payout_key,
            amount_fen=p.amount_fen,
            account=payout_account_open(p.account),
            description="Anxin withdrawal",
        )
    except Exception as e:
        if getattr(e, "code", None) in _REFUSALS:
            with transaction.atomic():
                settle(p.payout_key, "failed", reason=str(e)[:200], provider_payout_id="")
            Payout.objects.filter(pk=p.pk).update(
                submitted_at=timezone.now(), last_error=str(e)[:300]
            )
            return "refused"
        delay = SUBMIT_RETRY_SECONDS[min(p.attempts, len(SUBMIT_RETRY_SECONDS) - 1)]
        Payout.objects.filter(pk=p.pk, submitted_at__isnull=True).update(
            attempts=F("attempts") + 1,
            last_error=f"{type(e).__name__}: {e}"[:300],
            submit_after=timezone.now() + dt.timedelta(seconds=delay),
        )
        raise
    faults.point("payout.answered")
    Payout.objects.filter(pk=p.pk, provider_payout_id="").update(
        provider_payout_id=answer.provider_payout_id
    )
    Payout.objects.filter(pk=p.pk, submitted_at__isnull=True).update(
        attempts=F("attempts") + 1, submitted_at=timezone.now(), last_error=""
    )
    return "submitted"


def settle(payout_key: str, event: str, *, reason: str, provider_payout_id: str) -> tuple[str, str]:
    """Move a payout to what the provider says, with its money, under the payout's lock.
    Notifications come late, twice or out of order: a return before its success applies
    both; a success after its return, or anything after a failure, changes nothing."""
    p = Payout.objects.select_for_update().get(payout_key=payout_key)
    now = timezone.now()
    was = p.status
    if event == "succeeded" and was == PayoutStatus.PROCESSING:
        ledger.paid(p)
        p.status, p.completed_at = PayoutStatus.SUCCEEDED, now
    elif event == "failed" and was == PayoutStatus.PROCESSING:
        ledger.void(p)
        p.status, p.completed_at, p.failure_reason = PayoutStatus.FAILED, now, reason[:200]
    elif event == "returned" and was in (PayoutStatus.PROCESSING, PayoutStatus.SUCCEEDED):
        if was == PayoutStatus.PROCESSING:
            ledger.paid_and_returned(p)
            p.completed_at = now
        else:
            ledger.returned(p)
        p.status, p.returned_at, p.failure_reason = PayoutStatus.RETURNED, now, reason[:200]
    else:
        return NotificationStatus.IGNORED, f"payout {payout_key} is {was}; {event} changes nothing"
    if provider_payout_id and not p.provider_payout_id:
        p.provider_payout_id = provider_payout_id
    p.save(
        update_fields=[
            "status",
            "completed_at",
            "returned_at",
            "failure_reason",
            "provider_payout_id",
        ]
    )
    if p.status in (PayoutStatus.FAILED, PayoutStatus.RETURNED):
        notice_send(
            [p.seller_id],
            f"payout_{p.status}",
            amount=f"¥{p.amount_fen / 100:.2f}",
            reason=p.failure_reason,
        )
    return NotificationStatus.APPLIED, f"payout {payout_key}: {was} -> {p.status}"
