"""What a seller may withdraw, and why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from anxin.aftersales.models import OPEN as AFTERSALE_OPEN
from anxin.aftersales.models import AfterSale
from anxin.core.errors import NotFound, msg
from anxin.disputes.models import Dispute, Stage
from anxin.law import params
from anxin.law.days import BEIJING, due_at, longest_shift
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
# The parameters whose longest is an order's after-sales window (after_sales_window_end).
_WINDOWS = ("no_reason_return.window_days", "quality.return_window_days")


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
    return _window_end(start.astimezone(BEIJING).date(), start.date())


def _window_end(day: dt.date, on: dt.date) -> dt.datetime:
    """The windows' end for an order that started on the Beijing day `day`, by the law in
    force on `on` (the start's date): due_at reads only the start's Beijing day."""
    days = max(params.value(name, on) for name in _WINDOWS)
    return due_at(dt.datetime.combine(day, dt.time(), tzinfo=BEIJING), int(days))


@cache
def window_days_bounds() -> tuple[int, int]:
    """The shortest and the longest after-sales window, in days, that the law's dated
    parameters give on any day (the window in force changes only on a day one of them
    changes)."""
    changes = sorted({v.since for name in _WINDOWS for v in params.table()[name]})
    windows = []
    for day in changes:
        try:
            windows.append(int(max(params.value(name, day) for name in _WINDOWS)))
        except params.NotInForce:
            continue  # before one of them was in force: no window is counted on that day
    return min(windows), max(windows)


def _open_claim(seller_id: int) -> Q:
    """The seller's orders with an after-sales request open or a complaint not closed,
    found from the requests and complaints (few) rather than order by order."""
    return Q(
        pk__in=AfterSale.objects.filter(
            order__seller_id=seller_id, status__in=AFTERSALE_OPEN
        ).values("order_id")
    ) | Q(
        pk__in=Dispute.objects.filter(order__seller_id=seller_id)
        .exclude(stage=Stage.CLOSED)
        .values("order_id")
    )


def held_fen(seller_id: int, *, now: dt.datetime | None = None) -> int:
    """What the seller's completed orders hold of its balance: the seller's share of every
    order with a complaint or an after-sales request open, or completed in the last 60 days
    and still inside its after-sales window (`after_sales_window_end`).

    A window runs from the order's start (delivery, else completion) to the end (24:00 Beijing
    time) of its last day, at least the shortest window's days after the start (the start's
    day counts as day 0 and ends after the start; Art. 203 only moves a last day later), and at
    most the longest window plus the longest holiday move the calendar holds
    (`law.days.longest_shift`) after the start's day. So, without counting any window, an
    order that started less than the shortest window ago is held, one whose latest possible
    last day ended before today (Beijing time) is not: both are summed or left in SQL, and
    only the orders between, a few days' worth, are counted: summed by the day they started,
    one window counted for each day."""
    now = now or timezone.now()
    shortest, longest = window_days_bounds()
    today = now.astimezone(BEIJING).date()
    # Started on a Beijing day before this one: its window's last day is at most
    # longest + longest_shift() days later, so it ended by 00:00 of today.
    ended_before = dt.datetime.combine(
        today - dt.timedelta(days=longest) - longest_shift(), dt.time(), tzinfo=BEIJING
    )
    young = now - dt.timedelta(days=shortest)
    claimed = _open_claim(seller_id)
    band = Q(start__lt=young)
    # One row for the claimed orders, one for the young ones, one for each day the band's
    # orders started on (its Beijing day and date: all a window's end depends on).
    rows = (
        Order.objects.filter(seller_id=seller_id, status=OrderStatus.COMPLETED)
        .annotate(start=Coalesce("delivered_at", "completed_at"))
        .filter(claimed | Q(completed_at__gte=now - _LOOKBACK, start__gte=ended_before))
        .annotate(
            kind=Case(
                When(claimed, then=Value("claimed")),
                When(band, then=Value("band")),
                default=Value("young"),
            ),
            day=Case(When(~claimed & band, then=TruncDate("start", tzinfo=BEIJING))),
            on=Case(When(~claimed & band, then=TruncDate("start", tzinfo=dt.UTC))),
        )
        .values("kind", "day", "on")
        .annotate(share=Sum(F("amount_fen") - F("fee_fen")))
        .order_by()
    )
    return sum(
        r["share"] for r in rows if r["kind"] != "band" or _window_end(r["day"], r["on"]) > now
    )


def blocked_reason(
    seller_id: int, *, held: int | None = None, now: dt.datetime | None = None
) -> str:
    """Why the seller may withdraw nothing now ('' if it may): 'blacklist' while a
    blacklisting notice is open; 'closure' while its shop's closure is under way (ECL 16:
    until the shop has closed, no order of it is still running and no money is held for
    an after-sales window or a claim; then the rest may be withdrawn). `held`, when the
    caller has it, is the money held now (held_fen)."""
    if BlacklistEntry.objects.filter(seller_id=seller_id, status__in=_BLOCKING).exists():
        return "blacklist"
    closure = shop_closure_of(seller_id)
    if closure is not None:
        now = now or timezone.now()
        if held is None:
            held = held_fen(seller_id, now=now)
        if (
            closure.closes_at > now
            or held > 0
            or Order.objects.filter(seller_id=seller_id, status__in=_RUNNING).exists()
        ):
            return "closure"
    return ""


def payout_balance(seller_id: int, *, now: dt.datetime | None = None) -> Balance:
    acc = Account.objects.filter(code=seller_account(seller_id)).first()
    balance = acc.available if acc is not None else 0
    held = held_fen(seller_id, now=now)
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
        blocked=blocked_reason(seller_id, held=held, now=now),
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
