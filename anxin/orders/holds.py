"""Holds: while an order has an open hold (a refund request, a dispute, an after-sales
request), its auto-confirm timer is paused, so the buyer's money is not released while the
buyer is asking for it back. Holds open and close only under the order's lock (locks.py)."""

from __future__ import annotations

from django.utils import timezone

from anxin.accounts.models import User
from anxin.core.errors import Conflict, msg
from anxin.orders.events import OrderEventKind, order_event_record
from anxin.orders.locks import LockedOrder
from anxin.orders.models import Hold, Order, OrderStatus


def hold_is_open(locked: LockedOrder) -> bool:
    """Whether any hold is open on the locked order, as the lock read it."""
    return locked.open_hold


def hold_open(order: Order, *, kind: str, actor: User, reason: str) -> Hold:
    """Pause the auto-confirm timer."""
    if order.holds.filter(kind=kind, closed_at__isnull=True).exists():
        raise Conflict(
            msg("order {number}: a {kind} is already open", number=order.number, kind=kind),
            code="hold_open",
        )
    hold = Hold.objects.create(
        order=order, kind=kind, reason=reason, opened_by=actor, opened_at=timezone.now()
    )
    order_event_record(order, OrderEventKind(f"{kind}_opened"), actor=actor, reason=reason)
    return hold


def hold_close(order: Order, hold: Hold, *, actor: User | None, outcome: str, reason: str) -> None:
    """Close a hold; the time it was open is added to the auto-confirm deadline."""
    now = timezone.now()
    Hold.objects.filter(pk=hold.pk, closed_at__isnull=True).update(
        closed_at=now, outcome=outcome, outcome_reason=reason[:500]
    )
    if order.status == OrderStatus.SHIPPED and order.auto_confirm_at is not None:
        order.auto_confirm_at = order.auto_confirm_at + (now - hold.opened_at)
        order.save(update_fields=["auto_confirm_at"])
        order_auto_confirm_schedule(order)
    order_event_record(
        order,
        OrderEventKind(f"{hold.kind}_closed"),
        actor=actor,
        outcome=outcome,
        reason=reason,
        auto_confirm_at=order.auto_confirm_at.isoformat() if order.auto_confirm_at else None,
    )


def holds_close_all(order: Order, outcome: str, reason: str) -> None:
    """Close every open hold of the order at once, with no history step of their own: the
    step that ends them (a refund) is recorded by its caller."""
    order.holds.filter(closed_at__isnull=True).update(
        closed_at=timezone.now(), outcome=outcome, outcome_reason=reason[:500]
    )


def order_auto_confirm_schedule(order: Order) -> None:
    """Queue the auto-confirm timer for the order's stored time (firing it twice is harmless:
    the task reads the stored time)."""
    from anxin.orders.tasks import order_auto_confirm_task  # the task imports the services

    if order.auto_confirm_at is not None:
        order_auto_confirm_task.using(run_after=order.auto_confirm_at).enqueue(order.pk)
