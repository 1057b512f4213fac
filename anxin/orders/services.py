"""Every change to an order. One function per change, one transaction each; the order row is
locked first (locks.py, which keeps the lock order rule), the transition checked against
TRANSITIONS (events.order_transition), the ledger moved in the same transaction, and a history
row written for every change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.carriers.registry import carrier_get
from anxin.catalog import services as catalog
from anxin.catalog.models import ListingSnapshot
from anxin.core import faults, hooks
from anxin.core.errors import (
    Conflict,
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    RateLimited,
    ValidationFailed,
    msg,
)
from anxin.core.money import fee_for
from anxin.core.tasks_backend import enqueued_together
from anxin.core.text import clean_recipient_phone, clean_text
from anxin.evidence import services as evidence
from anxin.law.days import due_at
from anxin.orders import escrow, events
from anxin.orders.events import (
    OrderEventKind,
    order_created_record,
    order_event_record,
    order_event_rows,
)
from anxin.orders.holds import (
    hold_close,
    hold_is_open,
    hold_open,
    holds_close_all,
    order_auto_confirm_schedule,
)
from anxin.orders.locks import (
    LockedOrder,
    checkout_read,
    order_actor_require,
    order_lock,
    order_lock_for,
    order_lock_to_pay,
)
from anxin.orders.models import TRANSITIONS, Hold, HoldKind, Order, OrderStatus
from anxin.orders.notify import order_notice
from anxin.payments import services as payments
from anxin.payments.models import NotificationStatus, Payment, PaymentStatus, Refund, RefundStatus
from anxin.sellers.services import seller_refuse_if_closed, seller_refuse_orders

_TRACKING = re.compile(r"^[A-Za-z0-9-]{6,40}$")


# --- creating and paying ---------------------------------------------------------------------


def _column(name: str) -> str:
    field = Order._meta.get_field(name)
    assert isinstance(field, models.Field)  # a concrete column, not a relation's reverse
    return connection.ops.quote_name(field.column)


# A buyer's unpaid orders (listing, quantity): the ORM built this query anew for every order
# placed: 550-590 us of CPU a call against 100-105 us for this statement (PostgreSQL,
# 2026-12-04, load average 4).
_UNPAID = (
    f"SELECT {_column('listing')}, {_column('quantity')} "  # noqa: S608
    f"FROM {connection.ops.quote_name(Order._meta.db_table)} "
    f"WHERE {_column('buyer')} = %s AND {_column('status')} = %s"
)


def _within_unpaid_limits(buyer: User, listing_id: int, quantity: int) -> None:
    """An unpaid order holds stock until it is paid or times out: without a limit one free
    account could empty a listing, again every ANXIN_PAYMENT_TIMEOUT_MINUTES."""
    with connection.cursor() as cur:
        cur.execute(_UNPAID, [buyer.pk, OrderStatus.AWAITING_PAYMENT.value])
        unpaid = cur.fetchall()
    most_orders = settings.ANXIN_UNPAID_ORDERS_PER_BUYER
    if len(unpaid) >= most_orders:
        raise RateLimited(
            msg(
                "you have {n_unpaid} unpaid orders: pay or cancel one before "
                "placing another (at most {most_orders})",
                n_unpaid=len(unpaid),
                most_orders=most_orders,
            ),
            code="too_many_unpaid_orders",
        )
    most_units = settings.ANXIN_UNPAID_UNITS_PER_LISTING
    held = sum(q for listing, q in unpaid if listing == listing_id)
    if held + quantity > most_units:
        raise RateLimited(
            msg(
                "quantity: at most {most_units} of one listing may wait for "
                "your payment at once ({held} already do); pay for them first",
                most_units=most_units,
                held=held,
            ),
            code="too_many_unpaid_units",
            field="quantity",
        )


@transaction.atomic
def order_create(
    *,
    buyer: User,
    listing_code: str,
    snapshot_id: int,
    quantity: int,
    recipient_name: str,
    recipient_phone: str,
    shipping_address: str,
    buyer_note: str = "",
    idempotency_key: str,
) -> Order:
    """Place an order for exactly the snapshot the buyer was shown.

    If the seller edited the listing after the page was loaded, the order is refused so that the
    buyer can look at what changed: nobody buys something other than what they saw.
    """
    if buyer.role != Role.BUYER:
        raise Forbidden("only buyers can place orders", code="not_a_buyer")
    if not isinstance(quantity, int) or not 1 <= quantity <= settings.ANXIN_MAX_ORDER_QUANTITY:
        raise ValidationFailed(
            msg(
                "quantity: must be 1 to {most}",
                most=settings.ANXIN_MAX_ORDER_QUANTITY,
            ),
            field="quantity",
        )
    key = clean_text(idempotency_key, "idempotency_key", 80)
    recipient_name = clean_text(recipient_name, "recipient_name", 60)
    recipient_phone = clean_recipient_phone(recipient_phone, "recipient_phone")
    shipping_address = clean_text(shipping_address, "shipping_address", 300, multiline=True)
    buyer_note = clean_text(buyer_note, "buyer_note", 300, required=False, multiline=True)
    request = {
        "listing": listing_code,
        "snapshot": snapshot_id,
        "quantity": quantity,
        "name": recipient_name,
        "phone": recipient_phone,
        "address": shipping_address,
        "note": buyer_note,
    }
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    read = checkout_read(buyer.pk, key, listing_code)
    replay = (
        read.replay
        if read is not None
        # a listing code no longer known
        else Order.objects.filter(buyer_id=buyer.pk, idempotency_key=key).exists()
    )
    if replay:
        existing = Order.objects.get(buyer=buyer, idempotency_key=key)
        if existing.request_digest != digest:
            raise IdempotencyConflict(
                "idempotency_key: already used for a different order", field="idempotency_key"
            )
        return existing

    if read is None or not read.listing_active:
        raise NotFound("listing: no such listing, or it is no longer for sale", field="listing")
    snap, seller_id = read.snapshot, read.seller_id
    if seller_id == buyer.pk:
        raise Forbidden("you cannot buy your own listing", code="own_listing")
    seller_refuse_if_closed(read.seller_closes_at)
    if settings.ANXIN_SELLER_VERIFICATION_REQUIRED:
        seller_refuse_orders(read.seller_verification)
    if snap.pk != snapshot_id:
        if not ListingSnapshot.objects.filter(pk=snapshot_id, listing=snap.listing_id).exists():
            raise ValidationFailed(
                "snapshot_id: not a version of this listing", field="snapshot_id"
            )
        raise Conflict(
            "the seller changed this listing after you opened it; please review it",
            code="listing_changed",
            field="snapshot_id",
            extra={"current_snapshot_id": snap.pk},
        )
    catalog.stock_reserve(listing_id=snap.listing_id, quantity=quantity)
    # Counted after the reservation, whose UPDATE holds the listing's row until commit: two
    # checkouts of one buyer on one listing cannot both pass on the same count.
    _within_unpaid_limits(buyer, snap.listing_id, quantity)
    amount = snap.price_fen * quantity
    bps = settings.ANXIN_PLATFORM_FEE_BPS
    now = timezone.now()
    order = Order(
        buyer=buyer,
        seller_id=seller_id,
        listing_id=snap.listing_id,
        snapshot=snap,
        quantity=quantity,
        shipping_days=snap.shipping_days,
        unit_price_fen=snap.price_fen,
        amount_fen=amount,
        fee_bps=bps,
        fee_fen=fee_for(amount, bps),
        currency=snap.currency,
        recipient_name=recipient_name,
        recipient_phone=recipient_phone,
        shipping_address=shipping_address,
        buyer_note=buyer_note,
        idempotency_key=key,
        request_digest=digest,
        created_at=now,
        pay_by=now + dt.timedelta(minutes=settings.ANXIN_PAYMENT_TIMEOUT_MINUTES),
    )
    event, record = order_event_rows(
        order,
        OrderEventKind.CREATED,
        actor=buyer,
        to_status=order.status,
        snapshot=snap.pk,
        snapshot_version=snap.version,
        amount_fen=amount,
        evidence_extra={
            # What the buyer saw and agreed to, in full: the listing as it was at checkout.
            "listing": {
                "code": listing_code,
                "version": snap.version,
                "title": snap.title,
                "description": snap.description,
                "category": snap.category,
                "price_fen": snap.price_fen,
                "currency": snap.currency,
                "shipping_days": snap.shipping_days,
                "return_policy": snap.return_policy,
                "return_policy_note": snap.return_policy_note,
                "images_sha256": list(snap.images),
                "digest": snap.digest,
            },
            "seller": seller_id,
            "buyer": buyer.pk,
            "quantity": quantity,
            "unit_price_fen": snap.price_fen,
            "fee_fen": order.fee_fen,
            "currency": snap.currency,
            "recipient": {
                "name": recipient_name,
                "phone": recipient_phone,
                "address": shipping_address,
            },
            "buyer_note": buyer_note,
            "pay_by": evidence.iso(order.pay_by),
        },
    )
    order_created_record(order, event, record)  # with the evidence head set just above
    from anxin.orders.tasks import order_expire_task

    order_expire_task.using(run_after=order.pay_by).enqueue(order.pk)
    return order


@payments.payment_start_committed
def order_payment_start(*, actor: User, number: str) -> Payment:
    to_pay = order_lock_to_pay(actor, number)
    order = to_pay.locked.order
    order_actor_require(actor, order, "buyer")
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise InvalidTransition(
            msg(
                "order {number} is {status}; nothing to pay",
                number=order.number,
                status=order.status,
            )
        )
    if timezone.now() >= order.pay_by:
        raise InvalidTransition(
            msg("order {number}: the time to pay has run out", number=order.number),
            code="payment_window_closed",
        )
    return payments.payment_start(
        order=order,
        description=to_pay.snapshot_title,
        made=to_pay.payments_made,
        open_id=to_pay.open_payment_id,
    )


# Only ever runs inside notification_receive's transaction: no savepoint needed.
@transaction.atomic(savepoint=False)
def order_payment_succeeded(
    *, payment: Payment, notification: dict[str, Any] | None = None
) -> tuple[str, str]:
    """The provider says the buyer paid. Called once per authentic notification."""
    order = order_lock(payment.order_id).order
    if payment.status == PaymentStatus.SUCCEEDED:
        return NotificationStatus.IGNORED, "payment already recorded as succeeded"
    if not payments.payment_transition(payment, PaymentStatus.SUCCEEDED):
        return NotificationStatus.IGNORED, f"payment is {payment.status}"
    if order.status == OrderStatus.AWAITING_PAYMENT:
        escrow.capture(order, payment_id=payment.pk, provider=payment.provider)
        faults.point("capture.after_ledger")
        now = timezone.now()
        events.order_transition(
            order,
            OrderStatus.PAID,
            actor=None,
            role="provider",
            kind=OrderEventKind.PAID,
            fields={"paid_at": now},
            payment=payment.provider_payment_id,
            evidence_extra={"amount_fen": payment.amount_fen, "notification": notification},
        )
        # The seller has an order to ship, by the days the listing promised (what the credit
        # score measures "shipped on time" against).
        ship_by = order.ship_by
        assert ship_by is not None  # paid_at was set by the transition
        order_notice(order, [order.seller_id], "order_paid", actor=None, due_at=ship_by.isoformat())
        # Any other payment still open for this order can no longer be used.
        others = (
            _open_payments(order, besides=payment.pk) if getattr(payment, "others_open", 1) else []
        )
        for other in others:
            _payment_close(other)
        return NotificationStatus.APPLIED, ""
    # The money came for an order that can no longer take it: cancelled or expired while the
    # buyer was paying, or paid twice. It goes straight back.
    key = f"payment:{payment.pk}:returned"
    escrow.capture_and_return(
        order,
        payment_id=payment.pk,
        amount_fen=payment.amount_fen,
        provider=payment.provider,
        refund_key=key,
    )
    payments.refund_create(
        order=order,
        payment=payment,
        amount_fen=payment.amount_fen,
        reason="payment arrived after the order closed",
        key=key,
    )
    order_event_record(
        order,
        OrderEventKind.LATE_PAYMENT_RETURNED,
        actor=None,
        role="provider",
        payment=payment.provider_payment_id,
        amount_fen=payment.amount_fen,
        evidence_extra={"notification": notification},
    )
    return NotificationStatus.APPLIED, ""


# Only ever runs inside notification_receive's transaction: no savepoint needed.
@transaction.atomic(savepoint=False)
def order_payment_failed(
    *, payment: Payment, reason: str, notification: dict[str, Any] | None = None
) -> tuple[str, str]:
    order = order_lock(payment.order_id).order
    if not payments.payment_transition(payment, PaymentStatus.FAILED, reason=reason):
        # Out of order: a failure reported after the same payment succeeded or closed.
        return NotificationStatus.IGNORED, f"payment is already {payment.status}"
    order_event_record(
        order,
        OrderEventKind.PAYMENT_FAILED,
        actor=None,
        role="provider",
        payment=payment.provider_payment_id,
        reason=reason,
        evidence_extra={"notification": notification},
    )
    return NotificationStatus.APPLIED, ""


def _open_payments(order: Order, *, besides: int | None = None) -> list[Payment]:
    """The order's payments still open at the provider (nearly always none)."""
    open_ = order.payments.filter(status=PaymentStatus.CREATED)
    return list(open_.exclude(pk=besides) if besides is not None else open_)


def _payment_close(payment: Payment) -> None:
    if payments.payment_transition(payment, PaymentStatus.CLOSED, reason="order closed"):
        payments.payment_close_queue(payment=payment)


# --- shipping and confirming -----------------------------------------------------------------


def clean_shipment(carrier: str, tracking_number: str) -> tuple[str, str]:
    """A parcel's carrier and tracking number, checked: shipments, returns and reshipments."""
    carrier = clean_text(carrier, "carrier", 40)
    tracking_number = (tracking_number or "").strip()
    if not _TRACKING.match(tracking_number):
        raise ValidationFailed(
            "tracking_number: 6 to 40 letters, digits or '-'", field="tracking_number"
        )
    return carrier, tracking_number


@transaction.atomic
def order_ship(*, actor: User, number: str, carrier: str, tracking_number: str) -> Order:
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "seller")
    carrier, tracking_number = clean_shipment(carrier, tracking_number)
    now = timezone.now()
    auto_at = due_at(now, settings.ANXIN_AUTO_CONFIRM_DAYS)
    events.order_transition(
        order,
        OrderStatus.SHIPPED,
        actor=actor,
        kind=OrderEventKind.SHIPPED,
        fields={
            "shipped_at": now,
            "carrier": carrier,
            "tracking_number": tracking_number,
            "auto_confirm_at": auto_at,
        },
        carrier=carrier,
        tracking_number=tracking_number,
        auto_confirm_at=auto_at.isoformat(),
    )
    # Tracking is requested with the shipment: the queued request commits with it, written
    # in one statement with the auto-confirm timer.
    with enqueued_together():
        order_auto_confirm_schedule(order)
        carrier_get().subscribe(tracking_number)
        order_notice(
            order,
            [order.buyer_id],
            "order_shipped",
            actor=actor,
            carrier=carrier,
            tracking=tracking_number,
        )
    return order


def order_delivered(*, carrier: str, tracking_number: str, delivered_at: dt.datetime) -> str | None:
    """The carrier says the buyer signed for an order's parcel: the law's clocks start then."""
    pk = (
        Order.objects.filter(tracking_number=tracking_number, delivered_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return None
    with transaction.atomic():
        order = order_lock(pk).order
        if order.delivered_at is not None:
            return "ignored: already delivered"
        if order.shipped_at is not None and delivered_at < order.shipped_at:
            return "ignored: delivered before it was shipped"
        Order.objects.filter(pk=order.pk).update(delivered_at=delivered_at)
        order.delivered_at = delivered_at
        order_event_record(
            order,
            OrderEventKind.DELIVERED,
            actor=None,
            role="carrier",
            carrier=carrier,
            tracking_number=tracking_number,
            delivered_at=delivered_at.isoformat(),
        )
    return f"applied: order {order.number} delivered"


def _complete(
    locked: LockedOrder, *, actor: User | None, by: str, fields: dict[str, Any] | None = None
) -> None:
    order = locked.order
    # The transition first: it refuses an order that is not shipped before any money moves.
    events.order_transition(
        order,
        OrderStatus.COMPLETED,
        actor=actor,
        kind=OrderEventKind.CONFIRMED,
        fields={"completed_at": timezone.now(), "confirmed_by": by, **(fields or {})},
        confirmed_by=by,
        seller_share_fen=order.seller_share_fen,
        fee_fen=order.fee_fen,
    )
    faults.point("settle.before_ledger")
    escrow.release(order)
    faults.point("settle.after_ledger")
    # The app that keeps seller debts collects from what was just released, if one is owed.
    hooks.call(hooks.SELLER_PAID_OUT, order=order, seller_in_debt=locked.seller_in_debt)


@transaction.atomic
def order_confirm(*, actor: User, number: str) -> Order:
    locked = order_lock_for(actor, number)
    order = locked.order
    order_actor_require(actor, order, "buyer")
    if order.status == OrderStatus.SHIPPED and hold_is_open(locked):
        raise InvalidTransition(
            msg(
                "order {number}: close your open refund request before confirming",
                number=order.number,
            ),
            code="hold_open",
        )
    fields = {} if order.delivered_at else {"delivered_at": timezone.now()}
    _complete(locked, actor=actor, by="buyer", fields=fields)
    return order


@transaction.atomic
def order_auto_confirm(*, order_id: int) -> str:
    """Fired by the timer. Reads the stored time, so firing twice, late or early is harmless."""
    locked = order_lock(order_id)
    order = locked.order
    if order.status != OrderStatus.SHIPPED:
        return f"not shipped ({order.status})"
    if hold_is_open(locked):
        return "paused by an open hold"
    if order.auto_confirm_at is None or order.auto_confirm_at > timezone.now():
        return "not due"
    _complete(locked, actor=None, by="system")
    return "confirmed"


# --- cancelling and refunding ----------------------------------------------------------------


def _refund_all(order: Order, *, reason: str, key: str) -> Refund:
    payment = order.payments.get(status=PaymentStatus.SUCCEEDED)
    faults.point("refund.before_ledger")
    escrow.refund_from_escrow(order, refund_key=key, provider=payment.provider)
    faults.point("refund.after_ledger")
    return payments.refund_create(
        order=order, payment=payment, amount_fen=order.amount_fen, reason=reason, key=key
    )


@transaction.atomic
def order_cancel(*, actor: User, number: str, reason: str) -> Order:
    """Cancel before shipment. An unpaid order just closes; a paid one is refunded in full."""
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "buyer", "seller", "operator")
    reason = clean_text(reason, "reason", 200, multiline=True)
    _cancel(order, actor=actor, reason=reason)
    return order


def _cancel(order: Order, *, actor: User | None, reason: str) -> None:
    was = order.status
    if OrderStatus.CANCELLED not in TRANSITIONS[was]:
        raise InvalidTransition(
            msg(
                "order {number} is {was}; only an order not yet shipped can be cancelled",
                number=order.number,
                was=was,
            )
        )
    now = timezone.now()
    events.order_transition(
        order,
        OrderStatus.CANCELLED,
        actor=actor,
        kind=OrderEventKind.CANCELLED,
        fields={"closed_at": now, "close_reason": reason},
        reason=reason,
    )
    catalog.stock_release(listing_id=order.listing_id, quantity=order.quantity)
    if was == OrderStatus.PAID:
        _refund_all(order, reason=reason, key=f"order:{order.pk}:refund")
    else:
        for p in _open_payments(order):
            _payment_close(p)


@transaction.atomic
def order_expire(*, order_id: int) -> str:
    order = order_lock(order_id).order
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return f"not awaiting payment ({order.status})"
    if order.pay_by > timezone.now():
        return "not due"
    _cancel(order, actor=None, reason="not paid in time")
    return "expired"


@transaction.atomic
def order_refund(*, actor: User, number: str, reason: str) -> Order:
    """A full refund from escrow, by the seller (who agrees) or an operator."""
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "seller", "operator")
    reason = clean_text(reason, "reason", 200, multiline=True)
    _refund_order(order, actor=actor, reason=reason)
    return order


def _refund_order(order: Order, *, actor: User, reason: str) -> None:
    if not order.in_escrow:
        raise InvalidTransition(
            msg(
                "order {number} is {status}; nothing in escrow to refund",
                number=order.number,
                status=order.status,
            )
        )
    events.order_transition(
        order,
        OrderStatus.REFUNDED,
        actor=actor,
        kind=OrderEventKind.REFUNDED,
        fields={"closed_at": timezone.now(), "close_reason": reason},
        reason=reason,
    )
    if order.shipped_at is None:
        catalog.stock_release(listing_id=order.listing_id, quantity=order.quantity)
    holds_close_all(order, "approved", reason)
    _refund_all(order, reason=reason, key=f"order:{order.pk}:refund")
    # An open complaint on the order must know at once, or its remedy would pay this again.
    hooks.call(hooks.BUYER_REFUNDED, order=order, amount_fen=order.amount_fen, source="refund")


# Only ever runs inside notification_receive's transaction: no savepoint needed.
@transaction.atomic(savepoint=False)
def order_refund_completed(
    *,
    refund_id: int,
    succeeded: bool,
    provider_refund_id: str,
    reason: str,
    notification: dict[str, Any] | None = None,
) -> tuple[str, str]:
    refund = Refund.objects.get(pk=refund_id)
    order = order_lock(refund.order_id).order
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return NotificationStatus.IGNORED, f"refund already {refund.status}"
    refund.status = RefundStatus.SUCCEEDED if succeeded else RefundStatus.FAILED
    refund.provider_refund_id = refund.provider_refund_id or provider_refund_id
    refund.failure_reason = reason[:200]
    refund.completed_at = timezone.now()
    refund.save(update_fields=["status", "provider_refund_id", "failure_reason", "completed_at"])
    if not succeeded:
        escrow.refund_failed(
            order,
            refund_key=refund.key,
            amount_fen=refund.amount_fen,
            provider=refund.payment.provider,
        )
    order_event_record(
        order,
        OrderEventKind.REFUND_SUCCEEDED if succeeded else OrderEventKind.REFUND_FAILED,
        actor=None,
        role="provider",
        amount_fen=refund.amount_fen,
        reason=reason,
        evidence_extra={"refund": refund.key, "notification": notification},
    )
    return NotificationStatus.APPLIED, ""


# --- refund requests and holds ---------------------------------------------------------------


@transaction.atomic
def order_refund_request(*, actor: User, number: str, reason: str) -> Hold:
    """The buyer asks for their money back after shipment. Escrow stays held meanwhile."""
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "buyer")
    reason = clean_text(reason, "reason", 500, multiline=True)
    if order.status != OrderStatus.SHIPPED:
        raise InvalidTransition(
            msg(
                "order {number} is {status}; a refund request is for a "
                "shipped order (cancel an order not yet shipped)",
                number=order.number,
                status=order.status,
            )
        )
    return hold_open(order, kind=HoldKind.REFUND_REQUEST, actor=actor, reason=reason)


@transaction.atomic
def order_refund_request_decide(*, actor: User, number: str, approve: bool, reason: str) -> Order:
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "seller", "operator")
    reason = clean_text(reason, "reason", 500, multiline=True)
    hold = order.holds.filter(kind=HoldKind.REFUND_REQUEST, closed_at__isnull=True).first()
    if hold is None:
        raise InvalidTransition(
            msg("order {number}: no open refund request", number=order.number),
            code="no_refund_request",
        )
    if approve:
        _refund_order(order, actor=actor, reason=reason)
    else:
        hold_close(order, hold, actor=actor, outcome="declined", reason=reason)
    return order


@transaction.atomic
def order_refund_request_withdraw(*, actor: User, number: str) -> Order:
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "buyer")
    hold = order.holds.filter(kind=HoldKind.REFUND_REQUEST, closed_at__isnull=True).first()
    if hold is None:
        raise InvalidTransition(
            msg("order {number}: no open refund request", number=order.number),
            code="no_refund_request",
        )
    hold_close(order, hold, actor=actor, outcome="withdrawn", reason="withdrawn by the buyer")
    return order


def order_deadlines_run(*, limit: int = 1000) -> dict[str, int]:
    """Fire every order deadline that is due, from stored times: the safety net behind the
    per-order timer tasks (a worker that was down, a queue row lost with a restored backup).
    Unpaid orders close, shipped ones are confirmed; `anxin.ops` runs it with every other
    app's runner."""
    now = timezone.now()
    counts = {"expired": 0, "auto_confirmed": 0}
    unpaid = Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, pay_by__lte=now)
    for pk in unpaid.values_list("pk", flat=True)[:limit]:
        counts["expired"] += order_expire(order_id=pk) == "expired"
    due = Order.objects.filter(status=OrderStatus.SHIPPED, auto_confirm_at__lte=now)
    for pk in due.values_list("pk", flat=True)[:limit]:
        counts["auto_confirmed"] += order_auto_confirm(order_id=pk) == "confirmed"
    return counts
