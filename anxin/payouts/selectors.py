"""What a seller may withdraw, and why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone

from anxin.aftersales.models import OPEN as AFTERSALE_OPEN
from anxin.core.errors import NotFound, msg
from anxin.disputes.models import Stage
from anxin.law import params
from anxin.law.days import due_at
from anxin.ledger.models import Account
from anxin.ledger.services import seller_account
from anxin.orders.models import Order, OrderStatus
from anxin.payouts.models import Payout, PayoutStatus, SellerPayoutAccount
from anxin.reputation.models import BlacklistEntry, EntryStatus
from anxin.sellers.services import shop_closure_of

# Blacklisting notices that stop withdrawals: from the notice until it is dismissed, expires
# or is lifted (a listed seller's money stays with us for what buyers may still claim).
_BLOCKING = (EntryStatus.NOTICED, EntryStatus.APPEALED, EntryStatus.LISTED)
# Orders still running: the buyer's money is in escrow and the order may yet be refunded.
_RUNNING = (OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID, OrderStatus.SHIPPED)
# Completed orders older than this cannot still be inside an after-sales window (the longest
# window, with holidays moving its end): only younger ones are read.
_LOOKBACK = dt.timedelta(days=60)


@dataclass(frozen=True)
class Balance:
    balance_fen: int  # the seller's payable balance (what the ledger says it may pay)
    held_fen: int  # of it, money from orders still inside their after-sales window or disputed
    processing_fen: int  # on its way to the seller's account (already out of the balance)
    blocked: str  # why withdrawals are stopped ('' when they are not): 'blacklist'

    @property
    def withdrawable_fen(self) -> int:
        return 0 if self.blocked else max(0, self.balance_fen - self.held_fen)


def after_sales_window_end(order: Order) -> dt.datetime:
    """When the buyer's after-sales windows (the no-reason return, the return for a defect)
    close: counted from delivery as the law counts them, or from completion if the order has
    no delivery time."""
    start = order.delivered_at or order.completed_at or timezone.now()
    day = start.date()
    days = max(
        params.value("no_reason_return.window_days", day),
        params.value("quality.return_window_days", day),
    )
    return due_at(start, int(days))


def held_orders(seller_id: int, *, now: dt.datetime | None = None) -> list[Order]:
    """The seller's completed orders whose money is not yet withdrawable: inside their
    after-sales window, or with a complaint or an after-sales request open."""
    now = now or timezone.now()
    open_claim = Q(after_sales__status__in=AFTERSALE_OPEN) | (
        Q(disputes__isnull=False) & ~Q(disputes__stage=Stage.CLOSED)
    )
    candidates = (
        Order.objects.filter(seller_id=seller_id, status=OrderStatus.COMPLETED)
        .filter(Q(completed_at__gte=now - _LOOKBACK) | open_claim)
        .distinct()
    )
    claimed = set(
        Order.objects.filter(seller_id=seller_id, status=OrderStatus.COMPLETED)
        .filter(open_claim)
        .values_list("pk", flat=True)
    )
    return [o for o in candidates if o.pk in claimed or after_sales_window_end(o) > now]


def blocked_reason(
    seller_id: int, *, held_fen: int | None = None, now: dt.datetime | None = None
) -> str:
    """Why the seller may withdraw nothing now ('' if it may): 'blacklist' while a
    blacklisting notice is open; 'closure' while its shop's closure is under way (ECL 16:
    until the shop has closed, no order of it is still running and no money is held for
    an after-sales window or a claim; then the rest may be withdrawn). `held_fen`, when the
    caller has it, is the money held now (held_orders)."""
    if BlacklistEntry.objects.filter(seller_id=seller_id, status__in=_BLOCKING).exists():
        return "blacklist"
    closure = shop_closure_of(seller_id)
    if closure is not None:
        now = now or timezone.now()
        if held_fen is None:
            held_fen = sum(o.seller_share_fen for o in held_orders(seller_id, now=now))
        if (
            closure.closes_at > now
            or held_fen > 0
            or Order.objects.filter(seller_id=seller_id, status__in=_RUNNING).exists()
        ):
            return "closure"
    return ""


def payout_balance(seller_id: int, *, now: dt.datetime | None = None) -> Balance:
    acc = Account.objects.filter(code=seller_account(seller_id)).first()
    balance = acc.available if acc is not None else 0
    held = sum(o.seller_share_fen for o in held_orders(seller_id, now=now))
    processing = (
        Payout.objects.filter(seller_id=seller_id, status=PayoutStatus.PROCESSING).aggregate(
            s=Sum("amount_fen")
        )["s"]
        or 0
    )
    return Balance(
        balance_fen=balance,
        held_fen=min(held, balance),
        processing_fen=processing,
        blocked=blocked_reason(seller_id, held_fen=held, now=now),
    )


def withdrawable(seller_id: int) -> int:
    return payout_balance(seller_id).withdrawable_fen


def payouts_of(seller_id: int) -> list[Payout]:
    return list(
        Payout.objects.filter(seller_id=seller_id).select_related("account").order_by("-pk")
    )


def payout_of(seller_id: int, payout_id: int) -> Payout:
    p = Payout.objects.filter(pk=payout_id, seller_id=seller_id).select_related("account").first()
    if p is None:
        raise NotFound(msg("payout {payout_id}: not found", payout_id=payout_id))
    return p


def accounts_of(seller_id: int) -> list[SellerPayoutAccount]:
    return list(
        SellerPayoutAccount.objects.filter(seller_id=seller_id, removed_at__isnull=True).order_by(
            "pk"
        )
    )
