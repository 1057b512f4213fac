"""Reads of what buyers got back, what sellers owe and what the fund holds."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, Sum

from anxin.accounts.models import User
from anxin.core.series import per_day, running, window
from anxin.ledger.models import Account, AccountKind, Transfer
from anxin.ledger.services import deposit_account, fund_account
from anxin.orders.models import Order
from anxin.remedies.models import Creditor, SellerDebt

_BUYER = Q(credit_account__code__startswith="buyer:")
_FROM_BUYER = Q(debit_account__code__startswith="buyer:")


def buyer_position(refs: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """What each order's buyer paid and has been paid back, per order number, read from the
    ledger alone (so that a payer's own bookkeeping cannot vouch for itself).

    Paid is every capture. Paid back is what reached the buyer's funds on the order and did
    not go on to the seller or the fee: the captures and every other credit (clawbacks,
    fund advances, fees given back, debts repaid), less the escrow holds posted to the seller
    and the fee and the holds still pending. A refund out to the provider is the buyer's own
    money leaving its funds, so it does not reduce what was paid back; a refund the provider
    failed to pay comes back as a credit and is not counted twice."""
    rows = Transfer.objects.filter(_BUYER | _FROM_BUYER)
    if refs is not None:
        rows = rows.filter(ref__in=refs)
    out: dict[str, tuple[int, int]] = {}
    for r in rows.values("ref").annotate(
        paid=Sum("amount", filter=_BUYER & Q(code="capture")),
        credits=Sum("amount", filter=_BUYER & Q(kind="posted") & ~Q(code="refund_failed")),
        released=Sum("amount", filter=_FROM_BUYER & Q(kind="post_pending")),
        held=Sum("amount", filter=_FROM_BUYER & Q(kind="pending", pending_state="pending")),
    ):
        paid = r["paid"] or 0
        back = (r["credits"] or 0) - (r["released"] or 0) - (r["held"] or 0)
        out[r["ref"]] = (paid, back)
    return out


def returned_to_buyer(order: Order) -> int:
    """What the buyer of `order` has already been paid back on it (see buyer_position)."""
    return buyer_position([order.number]).get(order.number, (0, 0))[1]


def deposit_required(seller: User) -> int:
    """The deposit a seller lodges: the largest of its listings' categories (settings)."""
    table = settings.ANXIN_GUARANTEE_DEPOSITS_FEN
    categories = set(
        seller.listings.filter(is_active=True)
        .exclude(current_snapshot=None)
        .values_list("current_snapshot__category", flat=True)
    )
    return max([table.get(c, table["default"]) for c in categories] or [table["default"]])


def deposit_status(seller: User) -> dict[str, int]:
    required = deposit_required(seller)
    acc = Account.objects.filter(code=deposit_account(seller.pk)).first()
    lodged = acc.available if acc else 0
    return {
        "required_fen": required,
        "lodged_fen": lodged,
        "shortfall_fen": max(0, required - lodged),
    }


def fund_position() -> dict[str, int]:
    """What the operator sees: the fund's balance, advances made and recovered, deposits."""
    fund = Account.objects.filter(code=fund_account()).first()
    debts = SellerDebt.objects.filter(creditor=Creditor.FUND).aggregate(
        advanced=Sum("amount_fen"), recovered=Sum("repaid_fen")
    )
    deposits = Account.objects.filter(kind=AccountKind.GUARANTEE_DEPOSIT).aggregate(
        c=Sum("credits_posted"), d=Sum("debits_posted")
    )
    advanced, recovered = debts["advanced"] or 0, debts["recovered"] or 0
    return {
        "balance_fen": fund.available if fund else 0,
        "advanced_fen": advanced,
        "recovered_fen": recovered,
        "outstanding_fen": advanced - recovered,
        "deposits_fen": (deposits["c"] or 0) - (deposits["d"] or 0),
        "case_cap_fen": settings.ANXIN_GUARANTEE_CASE_CAP_FEN,
    }


def fund_balance_by_day(days: list[dt.date]) -> list[int]:
    """The guarantee fund's balance (ledger account `guarantee:fund`, posted credits less
    posted debits) at the end of each local day of `days`, for the dashboards: its balance
    when the window starts, then each day's posted transfers in and out. Two aggregate
    queries, however many days; holds (pending transfers) count when they are posted."""
    fund = Account.objects.filter(code=fund_account()).first()
    if fund is None:
        return [0 for _ in days]
    start, _ = window(days)
    moves = Transfer.objects.filter(
        Q(credit_account=fund) | Q(debit_account=fund), kind__in=["posted", "post_pending"]
    )
    net = Sum("amount", filter=Q(credit_account=fund), default=0) - Sum(
        "amount", filter=Q(debit_account=fund), default=0
    )
    before = moves.filter(created_at__lt=start).aggregate(n=net)["n"] or 0
    return running(before, per_day(moves, "created_at", days, value=net), days)
