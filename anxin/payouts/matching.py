"""Payouts in the daily reconciliation: the lines of the provider's fund bill (a payout paid
out, a payout the bank sent back) matched with Anxin's payouts by our payout key.

- paid out, and Anxin says paid (or sent back since): matched;
- sent back, and Anxin says sent back: matched;
- the bill says paid out or sent back and Anxin is still waiting for that word (the
  notification was lost): applied from the bill through the path a notification takes, so the
  payout settles (or its money returns to the seller's balance) once;
- anything else, a payout Anxin recorded as failed that the bill shows paid out above all:
  an alert with both sides; no money moves.
Then each payout Anxin saw paid out or sent back that day that is on neither bill is an alert.
"""

from __future__ import annotations

from anxin.payouts.models import Payout, PayoutStatus
from anxin.reconcile.models import AlertKind, Problem
from anxin.reconcile.services import (
    AlertDraft,
    Book,
    DayLines,
    Record,
    Tally,
    chunks,
    match,
)

# What each status on the bill agrees with in Anxin's books.
_AGREES: dict[str, tuple[str, ...]] = {
    PayoutStatus.SUCCEEDED: (PayoutStatus.SUCCEEDED, PayoutStatus.RETURNED),
    PayoutStatus.RETURNED: (PayoutStatus.RETURNED,),
}
# What a lost notification leaves Anxin at, for each status on the bill.
_WAITING: dict[str, tuple[str, ...]] = {
    PayoutStatus.SUCCEEDED: (PayoutStatus.PROCESSING,),
    PayoutStatus.RETURNED: (PayoutStatus.PROCESSING, PayoutStatus.SUCCEEDED),
}


def _find(d: DayLines) -> dict[str, Record]:
    found: dict[str, Record] = {}
    for chunk in chunks([line.merchant_ref for line in d.lines]):
        for pk, key, amount, status in Payout.objects.filter(
            provider=d.provider_name, payout_key__in=chunk
        ).values_list("pk", "payout_key", "amount_fen", "status"):
            found[key] = Record(pk, key, amount, status)
    return found


def _unbilled(d: DayLines) -> list[AlertDraft]:
    billed = {(line.merchant_ref, line.status) for line in d.lines + d.earlier}
    mine = Payout.objects.filter(provider=d.provider_name)
    missing: list[AlertDraft] = []
    for moved, rows in (
        (
            PayoutStatus.SUCCEEDED,
            mine.filter(
                status__in=_AGREES[PayoutStatus.SUCCEEDED],
                completed_at__gte=d.start,
                completed_at__lt=d.end,
            ),
        ),
        (
            PayoutStatus.RETURNED,
            mine.filter(
                status=PayoutStatus.RETURNED, returned_at__gte=d.start, returned_at__lt=d.end
            ),
        ),
    ):
        for key, pid, amount in rows.values_list("payout_key", "provider_payout_id", "amount_fen"):
            if (key, moved) not in billed:
                missing.append(
                    AlertDraft(
                        kind=AlertKind.PAYOUT,
                        problem=Problem.MISSING_FROM_BILL,
                        provider_id=pid,
                        merchant_ref=key,
                        anxin_amount_fen=amount,
                        anxin_status=moved,
                    )
                )
    return missing


PAYOUTS = Book(
    kind=AlertKind.PAYOUT,
    key=lambda line: line.merchant_ref,
    find=_find,
    agrees=lambda bill, ours: ours in _AGREES.get(bill, ()),
    missed=lambda bill, ours: ours in _WAITING.get(bill, ()),
    status_of=lambda pk: Payout.objects.filter(pk=pk).values_list("status", flat=True).get(),
    unbilled=_unbilled,
)


def payouts_match(d: DayLines) -> Tally:
    return match(PAYOUTS, d)
