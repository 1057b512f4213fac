from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet, Sum

from anxin.accounts.models import Role, User
from anxin.core.errors import Forbidden, NotFound, msg
from anxin.orders.models import Order, OrderEvent, OrderStatus


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


def orders_to_ship(seller: User) -> QuerySet[Order]:
    return (
        Order.objects.filter(seller=seller, status=OrderStatus.PAID)
        .select_related("snapshot", "buyer")
        .order_by("paid_at")
    )


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
