"""Locking an order: the one way a service of any app starts changing an order.

The lock order rule: the order row first, then ledger accounts in ascending id
(ledger.services), and many orders in ascending id. That fixed order is what keeps two
transactions from deadlocking. On PostgreSQL the order row is taken with FOR UPDATE OF the
order alone (the rows the lock reads beside it stay unlocked); on SQLite the IMMEDIATE
transaction's write lock serialises writers instead.

Each lock returns a frozen `LockedOrder`: the order and what its services need to know
beside it, read in the same statement. Whether a hold is open on it: holds open and close only
under this lock, so the flag stays true for the whole transaction. Whether its seller owes
an unsettled debt: debts live in an app above orders, which registers the expression that
reads it (`order_lock_read_register`, from its AppConfig.ready()); a debt recorded on another
order after this read is collected at the seller's next payout or by the task that recorded
it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Count, Exists, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from anxin.accounts.models import Role, User
from anxin.catalog.models import ListingSnapshot
from anxin.core.errors import Forbidden, NotFound
from anxin.orders.models import Hold, Order
from anxin.orders.selectors import can_see
from anxin.payments.models import Payment, PaymentStatus


@dataclass(frozen=True)
class LockedOrder:
    """An order row locked for this transaction, with what the lock read beside it."""

    order: Order
    # An open hold (refund request, dispute, after-sales request) pauses auto-confirmation.
    open_hold: bool
    # The seller owes an unsettled debt: money released to it is collected first.
    seller_in_debt: bool


@dataclass(frozen=True)
class LockedOrderToPay:
    """The buyer's order, locked to start a payment, with what starting one needs."""

    locked: LockedOrder
    # The title of the listing as the buyer agreed to it: what the provider shows.
    snapshot_title: str
    # Payments ever started for the order: the next attempt's number.
    payments_made: int
    # The payment still open, if any: starting again returns it.
    open_payment_id: int | None


# What a higher app may read beside the lock, by name: the kernel names the fact, the app that
# keeps it supplies the expression (on the order's columns, through OuterRef).
SELLER_IN_DEBT = "seller_in_debt"
READS = frozenset({SELLER_IN_DEBT})
_reads: dict[str, models.Expression] = {}


def order_lock_read_register(name: str, expression: Any) -> None:
    """Read `expression` (a boolean ORM expression over the order row: `Exists(...)` with
    `OuterRef("seller_id")`, say) beside every order lock, as the flag `name`. Called from
    the owning app's AppConfig.ready(); registering again replaces it (ready() may run twice
    in tests)."""
    if name not in READS:
        raise ValueError(f"no order lock read {name!r}")
    _reads[name] = expression


def order_lock_reads() -> dict[str, models.Expression]:
    """The registered reads, by name: what a test pins."""
    return dict(_reads)


def _annotations() -> dict[str, Any]:
    reads: dict[str, Any] = {
        "open_hold": Exists(Hold.objects.filter(order_id=OuterRef("pk"), closed_at__isnull=True))
    }
    for name in sorted(READS):
        reads[name] = _reads.get(name, Value(False, output_field=models.BooleanField()))
    return reads


def _locking(orders: models.QuerySet[Order]) -> models.QuerySet[Order]:
    of = ("self",) if connection.features.has_select_for_update_of else ()
    return orders.annotate(**_annotations()).select_for_update(of=of)


def _result(order: Order) -> LockedOrder:
    return LockedOrder(
        order=order,
        open_hold=bool(order.open_hold),  # type: ignore[attr-defined]
        seller_in_debt=bool(order.seller_in_debt),  # type: ignore[attr-defined]
    )


def _lock_one(orders: models.QuerySet[Order]) -> LockedOrder | None:
    order = _locking(orders).first()
    return None if order is None else _result(order)


def order_lock(order_id: int) -> LockedOrder:
    """The order, locked; NotFound if there is none (for tasks and notifications, which
    find the order by id)."""
    locked = _lock_one(Order.objects.filter(pk=order_id))
    if locked is None:
        raise NotFound(f"order {order_id}: not found")
    return locked


def order_lock_for(actor: User, number: str) -> LockedOrder:
    """The actor's order, locked, in one query; the same 404 as order_for for an order that
    does not exist and for one the actor may not see."""
    locked = _lock_one(Order.objects.filter(number=number))
    if locked is None or not can_see(actor, locked.order):
        raise NotFound(f"order {number}: not found")
    return locked


def order_lock_to_pay(actor: User, number: str) -> LockedOrderToPay:
    """The actor's order, locked, with the title it is paid for and its payments so far."""
    payments = Payment.objects.filter(order_id=OuterRef("pk"))
    orders = Order.objects.filter(number=number).annotate(
        snapshot_title=Subquery(
            ListingSnapshot.objects.filter(pk=OuterRef("snapshot_id")).values("title")[:1]
        ),
        payments_made=Coalesce(
            Subquery(
                payments.order_by().values("order_id").annotate(made=Count("pk")).values("made")
            ),
            0,
        ),
        open_payment_id=Subquery(
            payments.filter(status=PaymentStatus.CREATED)
            .order_by()
            .values("order_id")
            .annotate(last=Max("pk"))
            .values("last")
        ),
    )
    order = _locking(orders).first()
    if order is None or not can_see(actor, order):
        raise NotFound(f"order {number}: not found")
    return LockedOrderToPay(
        locked=_result(order),
        snapshot_title=order.snapshot_title,  # type: ignore[attr-defined]
        payments_made=order.payments_made,  # type: ignore[attr-defined]
        open_payment_id=order.open_payment_id,  # type: ignore[attr-defined]
    )


def orders_lock(ids: Iterable[int]) -> dict[int, LockedOrder]:
    """Many orders, locked in ascending id order (so two such calls never deadlock); for
    batch work."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found = _locking(Order.objects.filter(pk__in=wanted).order_by("pk"))
    return {order.pk: _result(order) for order in found}


def _order_key(model: type[models.Model]) -> str:
    """The column of `model` that names its order: its one foreign key to Order."""
    keys = [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is Order
    ]
    if len(keys) != 1:
        raise ValueError(f"{model.__name__} has {len(keys)} foreign keys to Order, not one")
    return keys[0]


def order_lock_of(model: type[models.Model], **key: Any) -> LockedOrder | None:
    """The order of another app's row (a dispute by its number, an after-sales request by its
    pk), locked before that row, as the lock order rule wants: found and locked in one
    statement. None if the row has no order (or there is no such row)."""
    own = model._default_manager.filter(**key).values(_order_key(model))[:1]
    return _lock_one(Order.objects.filter(pk=Subquery(own)))


def order_actor_require(actor: User, order: Order, *allowed: str) -> None:
    """`allowed` names who may act: 'buyer', 'seller' (of this order) or 'operator'."""
    if "buyer" in allowed and actor.pk == order.buyer_id and actor.role == Role.BUYER:
        return
    if "seller" in allowed and actor.pk == order.seller_id and actor.role == Role.SELLER:
        return
    if "operator" in allowed and actor.role == Role.OPERATOR:
        return
    raise Forbidden(
        f"order {order.number}: a {actor.role} cannot do this; only " + " or ".join(allowed),
        code="not_your_action",
    )
