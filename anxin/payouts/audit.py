"""Payouts against the ledger: every payout's money is where its status says it is.

- every payout's transfers through the clearing account net to its status: held (pending)
  while processing, nothing once paid, failed or returned;
- the clearing account holds exactly the payouts still processing, and nothing posted;
- no payout is both paid out and given back to the seller unless the bank returned it, and
  none is given back twice;
- every payout transfer belongs to a payout.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from anxin.ledger.models import Account, Transfer
from anxin.ledger.services import payout_clearing_account
from anxin.payouts import ledger
from anxin.payouts.models import Payout, PayoutStatus

# Per status: which of a payout's transfer codes it must have (all others must be absent),
# and the state of its hold.
_EXPECTED: dict[str, tuple[frozenset[str], str]] = {
    PayoutStatus.PROCESSING: (frozenset({ledger.HOLD}), "pending"),
    PayoutStatus.SUCCEEDED: (frozenset({ledger.HOLD, ledger.POST, ledger.PAID}), "posted"),
    PayoutStatus.FAILED: (frozenset({ledger.HOLD, ledger.VOID}), "voided"),
    PayoutStatus.RETURNED: (
        frozenset({ledger.HOLD, ledger.POST, ledger.PAID, ledger.RETURNED_IN, ledger.RETURNED}),
        "posted",
    ),
}


def payouts_audit() -> list[str]:
    problems: list[str] = []
    clearing = Account.objects.filter(code=payout_clearing_account()).first()
    legs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    hold_state: dict[str, str | None] = {}
    net: dict[str, int] = defaultdict(int)
    for ref, code, amount, state, debit, credit in Transfer.objects.filter(
        code__in=ledger.CODES
    ).values_list(
        "ref", "code", "amount", "pending_state", "debit_account_id", "credit_account_id"
    ):
        legs[ref][code] += amount
        counts[ref][code] += 1
        if code == ledger.HOLD:
            hold_state[ref] = state
        if clearing is not None and code in (ledger.HOLD, ledger.POST, ledger.VOID):
            continue  # the hold, its post or void count once, below, by the hold's state
        if clearing is not None:
            if credit == clearing.pk:
                net[ref] += amount
            if debit == clearing.pk:
                net[ref] -= amount
    payouts = {p.payout_key: p for p in Payout.objects.all()}
    for ref in legs.keys() - payouts.keys():
        problems.append(f"payout transfers with ref {ref} belong to no payout")
    processing_total = 0
    for key, p in payouts.items():
        codes, state = _EXPECTED[p.status]
        have = {c for c, n in counts[key].items() if n}
        if have != codes:
            problems.append(
                f"payout {key} ({p.status}): transfers {sorted(have)}, expected {sorted(codes)}"
            )
        if any(n != 1 for n in counts[key].values()):
            problems.append(f"payout {key}: a step applied more than once {dict(counts[key])}")
        if any(a != p.amount_fen for a in legs[key].values()):
            problems.append(f"payout {key}: transfers of other amounts than {p.amount_fen}")
        if hold_state.get(key) != state:
            problems.append(
                f"payout {key} ({p.status}): hold is {hold_state.get(key)}, not {state}"
            )
        # The clearing legs: the hold counts while pending or posted; PAID, RETURNED_IN and
        # RETURNED move posted money in and out.
        held = p.amount_fen if hold_state.get(key) in ("pending", "posted") else 0
        if held + net[key] != (p.amount_fen if p.status == PayoutStatus.PROCESSING else 0):
            problems.append(
                f"payout {key} ({p.status}): its clearing legs net to {held + net[key]} fen"
            )
        if ledger.RETURNED in have and ledger.RETURNED_IN not in have:
            problems.append(
                f"payout {key}: given back to the seller but never returned by the bank"
            )
        if ledger.VOID in have and ledger.PAID in have:
            problems.append(f"payout {key}: both paid out and voided back to the balance")
        if p.status == PayoutStatus.PROCESSING:
            processing_total += p.amount_fen
    if clearing is not None:
        if clearing.credits_pending - clearing.debits_pending != processing_total:
            problems.append(
                f"payouts clearing holds {clearing.credits_pending} fen pending, "
                f"processing payouts add up to {processing_total}"
            )
        if clearing.credits_posted != clearing.debits_posted:
            problems.append(
                f"payouts clearing has {clearing.credits_posted - clearing.debits_posted} fen "
                "posted: money is stuck between the seller and the provider"
            )
    elif processing_total:
        problems.append(f"{processing_total} fen processing but no payouts clearing account")
    total = Payout.objects.aggregate(s=Sum("amount_fen"))["s"] or 0
    if total < 0:
        problems.append("negative payouts")  # pragma: no cover - the check constraint forbids it
    return problems
