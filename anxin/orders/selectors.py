from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anxin.accounts.models import Role, User
from anxin.core.errors import Forbidden, NotFound, msg
from anxin.core.series import as_series, per_day
from anxin.orders.models import Hold, Order, OrderEvent, OrderStatus


def visible_orders(actor: User) -> QuerySet[Order]:
    """The orders `actor` may see: their own as buyer or seller; all of them for an operator,
    who keeps the platform's records (ECL Art. 31)."""
    qs = Order.objects.select_related("snapshot", "buyer", "seller")
    if actor.role == Role.OPERATOR:
        return qs
    if actor.role in (Role.BUYER, Role.SELLER):
        return qs.filter(Q(buyer=actor) | Q(seller=actor))
    return qs.none()


def can_see(actor: User, order: Order) -> bool:
    """The rule of visible_orders, for an order already loaded."""
    if actor.role == Role.OPERATOR:
        return True
    return actor.role in (Role.BUYER, Role.SELLER) and actor.pk in (order.buyer_id, order.seller_id)


def order_for(actor: User, number: str) -> Order:
    """The order, or the same 404 whether it does not exist or is not the actor's to see."""
    try:
        return visible_orders(actor).get(number=number)
    except Order.DoesNotExist:
        raise NotFound(msg("order {number}: not found", number=number)) from None


def order_timeline(order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor").order_by("at", "pk")


def orders_to_ship(seller: User) -> list[Order]:
    """The seller's paid orders, the one due to ship first at the top (Order.ship_by)."""
    paid = Order.objects.filter(seller=seller, status=OrderStatus.PAID)
    rows = list(paid.select_related("snapshot", "buyer").order_by("paid_at", "pk"))
    return sorted(rows, key=lambda o: (o.ship_by, o.pk))


def seller_money(seller: User) -> dict[str, int]:
    """Money the seller has in escrow (paid, not yet confirmed) and money released to them."""
    held = Order.objects.filter(seller=seller, status__in=[OrderStatus.PAID, OrderStatus.SHIPPED])
    released = Order.objects.filter(seller=seller, status=OrderStatus.COMPLETED)

    def share(qs: QuerySet[Order]) -> int:
        totals = qs.aggregate(a=Sum("amount_fen"), f=Sum("fee_fen"))
        return (totals["a"] or 0) - (totals["f"] or 0)

    from anxin.ledger.models import Account

    account = Account.objects.filter(code=f"seller:{seller.pk}").first()
    return {
        "held_fen": share(held),
        "released_fen": share(released),
        "fees_fen": released.aggregate(f=Sum("fee_fen"))["f"] or 0,
        "balance_fen": account.credits_posted - account.debits_posted if account else 0,
        "pending_in_ledger_fen": account.credits_pending if account else 0,
    }


def seller_sales(*, seller_ids: list[int], since: dt.datetime) -> int:
    """What these sellers were paid for on orders completed since `since`, in fen: the sales
    the law weighs for a seller's duty to register (sellers.registration_duty)."""
    completed = Order.objects.filter(
        seller_id__in=seller_ids, status=OrderStatus.COMPLETED, completed_at__gte=since
    )
    return completed.aggregate(s=Sum("amount_fen"))["s"] or 0


def order_identity_basis(*, buyer: User, seller: User, reference: str) -> str | None:
    """Whether the order `reference` entitles its buyer to the seller's identity (hook
    IDENTITY_BASIS): paid, and not cancelled before shipment."""
    order = Order.objects.filter(buyer=buyer, seller=seller, number=reference).first()
    if order is None:
        return None
    if order.paid_at is None:
        raise Forbidden(
            msg(
                "order {reference} was never paid: an unpaid order gives no "
                "right to the seller's identity",
                reference=reference,
            ),
            code="order_not_paid",
        )
    if order.status == OrderStatus.CANCELLED or (
        order.status == OrderStatus.REFUNDED and order.shipped_at is None
    ):
        raise Forbidden(
            msg(
                "order {reference} was cancelled before shipment and "
                "refunded: nothing was lost that needs the seller's identity",
                reference=reference,
            ),
            code="order_cancelled",
        )
    return "order"


# --- the order list's tabs -----------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    # Which orders it holds, as the order kernel knows them: a tab that needs an app above
    # orders (reviews, returns, complaints) is given that app's part by the caller.
    where: Q


def order_tabs(*, reviewable: Q | None = None, after_sales: Q | None = None) -> list[Tab]:
    """The order list's tabs, as shopping apps name them. Two need the apps above orders,
    which the caller passes: `reviewable`, the orders their buyers may still review (not
    reviewed, in time); `after_sales`, the orders with a return or a complaint (beside the
    kernel's own refunds and refund requests, the orders with a hold)."""
    to_review = Q(status=OrderStatus.COMPLETED)
    if reviewable is not None:
        to_review &= reviewable
    refunds = Q(status=OrderStatus.REFUNDED) | Q(pk__in=Hold.objects.values("order_id"))
    if after_sales is not None:
        refunds |= after_sales
    return [
        Tab("all", _("All"), Q()),
        Tab("to_pay", _("To pay"), Q(status=OrderStatus.AWAITING_PAYMENT)),
        Tab("to_ship", _("To ship"), Q(status=OrderStatus.PAID)),
        Tab("to_receive", _("To receive"), Q(status=OrderStatus.SHIPPED)),
        Tab("to_review", _("To review"), to_review),
        Tab("after_sales", _("Refunds & after-sales"), refunds),
    ]


def order_tab_counts(orders: QuerySet[Order], tabs: list[Tab]) -> dict[str, int]:
    """How many of `orders` each tab holds, in one query."""
    return orders.aggregate(**{t.key: Count("pk", filter=t.where) for t in tabs})


# --- an order's progress ---------------------------------------------------------------------

# The steps every sale goes through, as the buyer sees them.
STEPS: tuple[tuple[str, str | Promise], ...] = (
    ("placed", pgettext_lazy("order progress", "Ordered")),
    ("paid", pgettext_lazy("order progress", "Paid")),
    ("shipped", pgettext_lazy("order progress", "Shipped")),
    ("received", pgettext_lazy("order progress", "Received")),
    ("done", pgettext_lazy("order progress", "Done")),
)
# The step an order in each status waits at (its index in STEPS): an unpaid order waits for
# payment, a paid one for shipment, a shipped one for receipt; a completed one is done.
_WAITS_AT = {
    OrderStatus.AWAITING_PAYMENT: 1,
    OrderStatus.PAID: 2,
    OrderStatus.SHIPPED: 3,
    OrderStatus.COMPLETED: 4,
}


@dataclass(frozen=True)
class ProgressStep:
    key: str
    label: str | Promise
    state: str  # done | current | paused | todo | stopped


def order_progress(order: Order, *, paused: bool) -> list[ProgressStep]:
    """The order's steps, each done, current (or paused, while a refund request, a return or
    a complaint holds the money in escrow) or still to come. A cancelled or refunded order
    stops at the step it reached."""
    last = len(STEPS) - 1
    if order.status in _WAITS_AT:
        at = _WAITS_AT[OrderStatus(order.status)]
        now_state = "done" if at == last else "paused" if paused else "current"
    else:
        # Cancelled or refunded: the step it had reached when it stopped.
        at = 4 if order.completed_at else 3 if order.shipped_at else 2 if order.paid_at else 1
        now_state = "done" if at == last else "stopped"
    states = ["done" if i < at else now_state if i == at else "todo" for i in range(len(STEPS))]
    return [ProgressStep(k, label, st) for (k, label), st in zip(STEPS, states, strict=True)]


def orders_per_day(days: list[dt.date]) -> list[int]:
    """The orders placed on each local day of `days` (the dashboards), in one query."""
    return as_series(per_day(Order.objects.all(), "created_at", days), days)


def unpaid_units(buyer_id: int, listing_id: int) -> int:
    """Units of one listing waiting for this buyer's payment (ANXIN_UNPAID_UNITS_PER_LISTING
    caps them, with the new order's, in order_create)."""
    held = Order.objects.filter(
        buyer_id=buyer_id, listing_id=listing_id, status=OrderStatus.AWAITING_PAYMENT
    ).aggregate(n=Sum("quantity"))["n"]
    return int(held or 0)


def order_record_subject(*, chain: str) -> list[tuple[Promise, str]] | None:
    """What an order's evidence record is about, for the log's public page when the voucher's
    holder opens the record (hook RECORD_SUBJECT): the order number, the item, the amount,
    the shop and when it was placed, as the voucher itself prints them. Nothing about the
    buyer. None for a chain that is not an order's."""
    from django.utils import timezone

    from anxin.core.money import format_fen

    if not chain.startswith("order:"):
        return None
    order = (
        Order.objects.select_related("snapshot", "seller__seller_profile")
        .filter(number=chain.removeprefix("order:"))
        .first()
    )
    if order is None:
        return None
    profile = getattr(order.seller, "seller_profile", None)
    return [
        (_("Order"), order.number),
        (_("Item"), f"{order.snapshot.title} × {order.quantity}"),
        (_("Amount"), format_fen(order.amount_fen)),
        (_("Seller"), profile.shop_name if profile else order.seller.username),
        (_("Placed"), timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M")),
    ]
