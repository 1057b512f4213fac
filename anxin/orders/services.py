"""Every change to an order. One function per change, one transaction each; the order row is
locked first (_lock_order), the transition checked against TRANSITIONS, the ledger moved in the
same transaction, and a history row written for every change.

Locks are always taken in one order: the order row, then ledger accounts in ascending id
(ledger.services._lock_accounts). That fixed order is what keeps two transactions from
deadlocking; on SQLite the IMMEDIATE transaction's write lock serialises writers instead."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.catalog import services as catalog
from anxin.catalog.models import Listing, ListingSnapshot
from anxin.core import faults, hooks
from anxin.core.errors import (
    Conflict,
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from anxin.core.money import fee_for
from anxin.core.sql import (
    exists,
    fetch_instance,
    fetch_instances,
    insert_instance,
    insert_two,
    update_where,
)
from anxin.core.tasks_backend import enqueued_together
from anxin.core.text import clean_phone, clean_text
from anxin.evidence import services as evidence
from anxin.evidence.models import Record
from anxin.law.days import due_at
from anxin.orders import escrow
from anxin.orders.models import TRANSITIONS, Hold, HoldKind, Order, OrderEvent, OrderStatus
from anxin.orders.selectors import can_see
from anxin.payments import services as payments
from anxin.payments.models import NotificationStatus, Payment, PaymentStatus, Refund, RefundStatus
from anxin.sellers.services import refuse_orders

S = OrderStatus
_TRACKING = re.compile(r"^[A-Za-z0-9-]{6,40}$")


def _role(actor: User | None) -> str:
    return actor.role if actor is not None else "system"


def _event_rows(
    order: Order,
    kind: str,
    *,
    actor: User | None,
    role: str | None = None,
    from_status: str = "",
    to_status: str = "",
    evidence_extra: dict[str, Any] | None = None,
    **detail: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The history row and the evidence record of one step (with `evidence_extra`: what the
    history row only points to, such as the listing's content). The record links to the
    order's previous one; `order.evidence_head` moves to it, for the caller to save."""
    now = timezone.now()
    role = role or _role(actor)
    body: dict[str, Any] = {"order": order.number, "actor_role": role, **detail}
    if actor is not None:
        body["actor"] = actor.pk
    if from_status or to_status:
        body["status"] = [from_status, to_status]
    record = evidence.prepare(
        chain=order_chain(order),
        kind=f"order.{kind}",
        body={**body, **(evidence_extra or {})},
        at=now,
        prev=order.evidence_head,
    )
    order.evidence_head = record["commitment"]
    event = {
        "order": order.pk,
        "kind": kind,
        "from_status": from_status,
        "to_status": to_status,
        "actor": actor.pk if actor is not None else None,
        "actor_role": role,
        "detail": detail,
        "at": now,
    }
    return event, record


def _event(order: Order, kind: str, *, persist_head: bool = True, **kw: Any) -> None:
    """Write one step's history row and evidence record (one round trip on PostgreSQL, with
    statements compiled once: every order writes four or more). The new evidence head is
    saved here, or by the caller's own update of the order (`persist_head=False`)."""
    event, record = _event_rows(order, kind, **kw)
    insert_two(OrderEvent, event, Record, record)
    if persist_head:
        update_where(Order, {"id": order.pk}, evidence_head=order.evidence_head)


def order_chain(order: Order) -> str:
    return f"order:{order.number}"


def order_transition(
    order: Order,
    to: str,
    *,
    actor: User | None,
    kind: str,
    role: str | None = None,
    fields: dict[str, Any] | None = None,
    **detail: Any,
) -> None:
    """The one way an order changes status: checked against TRANSITIONS, written with a
    conditional UPDATE that must change exactly one row, and recorded in the history."""
    old = order.status
    if to not in TRANSITIONS[old]:
        raise InvalidTransition(
            f"order {order.number} is {old}; it cannot become {to}",
            extra={"order_status": old, "requested_status": to},
        )
    fields = fields or {}
    # The history row and evidence record first: the order's update then saves the new
    # evidence head with the status, in the same statement.
    _event(
        order,
        kind,
        actor=actor,
        role=role,
        from_status=old,
        to_status=to,
        persist_head=False,
        **detail,
    )
    changed = update_where(
        Order,
        {"id": order.pk, "status": old},
        status=to,
        evidence_head=order.evidence_head,
        **fields,
    )
    if changed != 1:
        raise Conflict(f"order {order.number} changed meanwhile; try again", code="order_changed")
    order.status = to
    for k, v in fields.items():
        setattr(order, k, v)


# The order row, locked, with what its services need to know beside it, read in the same
# statement: whether a hold is open on it (holds open and close only under this lock, so the
# flag stays true for the whole transaction) and whether its seller owes an unsettled debt (a
# debt recorded on another order after this read is collected at the seller's next payout or
# by the task that recorded it).
_LOCK = (
    f"SELECT o.*, EXISTS (SELECT 1 FROM {Hold._meta.db_table} h WHERE h.order_id = o.id "  # noqa: S608
    "AND h.closed_at IS NULL) AS open_hold, "
    "EXISTS (SELECT 1 FROM remedies_sellerdebt d WHERE d.seller_id = o.seller_id "
    "AND d.settled_at IS NULL) AS seller_in_debt{extra} "
    f"FROM {Order._meta.db_table} o WHERE o.{{column}} = %s"
)
_LOCK_BY_NUMBER = _LOCK.format(extra="", column="number")
_LOCK_BY_ID = _LOCK.format(extra="", column="id")
# To start a payment: also the title the buyer pays for and the order's payments so far.
_LOCK_TO_PAY = _LOCK.format(
    extra=f", (SELECT s.title FROM {ListingSnapshot._meta.db_table} s "  # noqa: S608
    f"WHERE s.id = o.snapshot_id) AS snapshot_title, {payments.PAYMENTS_OF_ORDER_O}",
    column="number",
)


def _lock_order(sql: str, param: object) -> Order | None:
    """The order row, locked. A raw query, compiled once: every order service starts here."""
    if connection.features.has_select_for_update:
        sql += (
            " FOR UPDATE OF o" if connection.features.has_select_for_update_of else (" FOR UPDATE")
        )
    return fetch_instance(Order, sql, [param])


def lock_order_where(condition: str, param: object) -> Order | None:
    """The order row matching `condition` (on `o`, one parameter), locked, with the columns
    every order service reads beside it. For services of other apps that find the order
    through their own row (a dispute's case, say) in the same statement."""
    sql = _LOCK.format(extra="", column="id").replace("o.id = %s", condition)
    return _lock_order(sql, param)


def lock_orders(ids: list[int]) -> dict[int, Order]:
    """Many order rows, locked in ascending id order (as two such calls never deadlock), with
    the columns every order service reads beside them; for batch work."""
    if not ids:
        return {}
    ids = sorted(set(ids))
    marks = ", ".join(["%s"] * len(ids))
    sql = _LOCK.format(extra="", column="id").replace("o.id = %s", f"o.id IN ({marks})")
    sql += " ORDER BY o.id"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE OF o" if connection.features.has_select_for_update_of else " FOR UPDATE"
    return {o.pk: o for o in fetch_instances(Order, sql, ids)}


_ORDER_BY_KEY = f"SELECT 1 FROM {Order._meta.db_table} WHERE buyer_id = %s AND idempotency_key = %s"  # noqa: S608
# The listing's current snapshot with what an order needs of the listing, and whether this
# buyer already used this idempotency key, in one query.
_CURRENT_SNAPSHOT = (
    "SELECT s.*, l.seller_id AS listing_seller_id, l.is_active AS listing_active, "  # noqa: S608
    f"EXISTS ({_ORDER_BY_KEY}) AS replay, "
    # The seller's verification: none, verified, or lapsed (no new orders).
    "(SELECT v.status FROM sellers_verification v WHERE v.seller_id = l.seller_id) "
    "AS seller_verification "
    f"FROM {Listing._meta.db_table} l JOIN {ListingSnapshot._meta.db_table} s "
    "ON s.id = l.current_snapshot_id WHERE l.code = %s"
)
_OPEN_PAYMENTS = f"SELECT id FROM {Payment._meta.db_table} WHERE order_id = %s AND status = %s"  # noqa: S608


def _has_open_hold(order: Order) -> bool:
    # Read by _lock_order together with the lock; every caller holds an order locked there.
    return bool(getattr(order, "open_hold"))  # noqa: B009 - raw() column


def _open_payments(order: Order, *, besides: int | None = None) -> list[Payment]:
    # Nearly always none: probe with a compiled statement, load rows only when there are some.
    with connection.cursor() as cur:
        cur.execute(_OPEN_PAYMENTS, [order.pk, PaymentStatus.CREATED.value])
        ids = [pk for (pk,) in cur.fetchall() if pk != besides]
    return list(Payment.objects.filter(pk__in=ids)) if ids else []


def _locked_id(order_id: int) -> Order:
    order = _lock_order(_LOCK_BY_ID, order_id)
    if order is None:
        raise NotFound(f"order {order_id}: not found")
    return order


def _locked_for(actor: User, number: str, sql: str = _LOCK_BY_NUMBER) -> Order:
    """The actor's order, locked, in one query; the same 404 as order_for otherwise."""
    order = _lock_order(sql, number)
    if order is None or not can_see(actor, order):
        raise NotFound(f"order {number}: not found")
    return order


def _require(actor: User, order: Order, *allowed: str) -> None:
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


# --- creating and paying ---------------------------------------------------------------------


def _within_unpaid_limits(buyer: User, listing_id: int, quantity: int) -> None:
    """An unpaid order holds stock until it is paid or times out: without a limit one free
    account could empty a listing, again every ANXIN_PAYMENT_TIMEOUT_MINUTES."""
    unpaid = list(
        Order.objects.filter(buyer=buyer, status=S.AWAITING_PAYMENT).values_list(
            "listing_id", "quantity"
        )
    )
    most_orders = settings.ANXIN_UNPAID_ORDERS_PER_BUYER
    if len(unpaid) >= most_orders:
        raise RateLimited(
            f"you have {len(unpaid)} unpaid orders: pay or cancel one before placing another "
            f"(at most {most_orders})",
            code="too_many_unpaid_orders",
        )
    most_units = settings.ANXIN_UNPAID_UNITS_PER_LISTING
    held = sum(q for listing, q in unpaid if listing == listing_id)
    if held + quantity > most_units:
        raise RateLimited(
            f"quantity: at most {most_units} of one listing may wait for your payment at once "
            f"({held} already do); pay for them first",
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
            f"quantity: must be 1 to {settings.ANXIN_MAX_ORDER_QUANTITY}", field="quantity"
        )
    key = clean_text(idempotency_key, "idempotency_key", 80)
    recipient_name = clean_text(recipient_name, "recipient_name", 60)
    recipient_phone = clean_phone(recipient_phone, "recipient_phone")
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
    snap = fetch_instance(ListingSnapshot, _CURRENT_SNAPSHOT, [buyer.pk, key, listing_code])
    replay = (
        getattr(snap, "replay")  # noqa: B009 - raw() column
        if snap is not None
        else exists(_ORDER_BY_KEY, [buyer.pk, key])  # a listing code no longer known
    )
    if replay:
        existing = Order.objects.get(buyer=buyer, idempotency_key=key)
        if existing.request_digest != digest:
            raise IdempotencyConflict(
                "idempotency_key: already used for a different order", field="idempotency_key"
            )
        return existing

    if snap is None or not getattr(snap, "listing_active"):  # noqa: B009 - raw() column
        raise NotFound("listing: no such listing, or it is no longer for sale", field="listing")
    seller_id: int = getattr(snap, "listing_seller_id")  # noqa: B009 - raw() column
    if seller_id == buyer.pk:
        raise Forbidden("you cannot buy your own listing", code="own_listing")
    if settings.ANXIN_SELLER_VERIFICATION_REQUIRED:
        refuse_orders(getattr(snap, "seller_verification"))  # noqa: B009 - raw() column
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
    event, record = _event_rows(
        order,
        "created",
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
    insert_instance(order)  # with the evidence head set just above
    event["order"] = order.pk
    insert_two(OrderEvent, event, Record, record)
    from anxin.orders.tasks import order_expire_task

    order_expire_task.using(run_after=order.pay_by).enqueue(order.pk)
    return order


@payments.payment_start_committed
def order_payment_start(*, actor: User, number: str) -> Payment:
    order = _locked_for(actor, number, _LOCK_TO_PAY)
    _require(actor, order, "buyer")
    if order.status != S.AWAITING_PAYMENT:
        raise InvalidTransition(f"order {order.number} is {order.status}; nothing to pay")
    if timezone.now() >= order.pay_by:
        raise InvalidTransition(
            f"order {order.number}: the time to pay has run out", code="payment_window_closed"
        )
    # Read with the lock (raw() columns).
    return payments.payment_start(
        order=order,
        description=order.snapshot_title,  # type: ignore[attr-defined]
        made=order.payments_made,  # type: ignore[attr-defined]
        open_id=order.open_payment,  # type: ignore[attr-defined]
    )


# Only ever runs inside notification_receive's transaction: no savepoint needed.
@transaction.atomic(savepoint=False)
def order_payment_succeeded(
    *, payment: Payment, notification: dict[str, Any] | None = None
) -> tuple[str, str]:
    """The provider says the buyer paid. Called once per authentic notification."""
    order = _locked_id(payment.order_id)
    if payment.status == PaymentStatus.SUCCEEDED:
        return NotificationStatus.IGNORED, "payment already recorded as succeeded"
    if not payments.payment_transition(payment, PaymentStatus.SUCCEEDED):
        return NotificationStatus.IGNORED, f"payment is {payment.status}"
    if order.status == S.AWAITING_PAYMENT:
        escrow.capture(order, payment_id=payment.pk, provider=payment.provider)
        faults.point("capture.after_ledger")
        now = timezone.now()
        order_transition(
            order,
            S.PAID,
            actor=None,
            role="provider",
            kind="paid",
            fields={"paid_at": now},
            payment=payment.provider_payment_id,
            evidence_extra={"amount_fen": payment.amount_fen, "notification": notification},
        )
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
    _event(
        order,
        "late_payment_returned",
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
    order = _locked_id(payment.order_id)
    if not payments.payment_transition(payment, PaymentStatus.FAILED, reason=reason):
        # Out of order: a failure reported after the same payment succeeded or closed.
        return NotificationStatus.IGNORED, f"payment is already {payment.status}"
    _event(
        order,
        "payment_failed",
        actor=None,
        role="provider",
        payment=payment.provider_payment_id,
        reason=reason,
        evidence_extra={"notification": notification},
    )
    return NotificationStatus.APPLIED, ""


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
    order = _locked_for(actor, number)
    _require(actor, order, "seller")
    carrier, tracking_number = clean_shipment(carrier, tracking_number)
    now = timezone.now()
    auto_at = due_at(now, settings.ANXIN_AUTO_CONFIRM_DAYS)
    order_transition(
        order,
        S.SHIPPED,
        actor=actor,
        kind="shipped",
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
    from anxin.carriers.sandbox import get_carrier

    # Tracking is requested with the shipment: the queued request commits with it, written
    # in one statement with the auto-confirm timer.
    with enqueued_together():
        _schedule_auto_confirm(order)
        get_carrier("sandbox").subscribe(tracking_number)
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
        order = _locked_id(pk)
        if order.delivered_at is not None:
            return "ignored: already delivered"
        if order.shipped_at is not None and delivered_at < order.shipped_at:
            return "ignored: delivered before it was shipped"
        update_where(Order, {"id": order.pk}, delivered_at=delivered_at)
        order.delivered_at = delivered_at
        _event(
            order,
            "delivered",
            actor=None,
            role="carrier",
            carrier=carrier,
            tracking_number=tracking_number,
            delivered_at=delivered_at.isoformat(),
        )
    return f"applied: order {order.number} delivered"


def _schedule_auto_confirm(order: Order) -> None:
    from anxin.orders.tasks import order_auto_confirm_task

    if order.auto_confirm_at is not None:
        order_auto_confirm_task.using(run_after=order.auto_confirm_at).enqueue(order.pk)


def _complete(
    order: Order, *, actor: User | None, by: str, fields: dict[str, Any] | None = None
) -> None:
    # The transition first: it refuses an order that is not shipped before any money moves.
    order_transition(
        order,
        S.COMPLETED,
        actor=actor,
        kind="confirmed",
        fields={"completed_at": timezone.now(), "confirmed_by": by, **(fields or {})},
        confirmed_by=by,
        seller_share_fen=order.seller_share_fen,
        fee_fen=order.fee_fen,
    )
    faults.point("settle.before_ledger")
    escrow.release(order)
    faults.point("settle.after_ledger")
    if getattr(order, "seller_in_debt"):  # noqa: B009 - raw() column, read with the lock
        from anxin.aftersales.tasks import debts_collect_task

        # Queued with this transaction, run in its own: the debt's order is locked there.
        debts_collect_task.enqueue(order.seller_id)


@transaction.atomic
def order_confirm(*, actor: User, number: str) -> Order:
    order = _locked_for(actor, number)
    _require(actor, order, "buyer")
    if order.status == S.SHIPPED and _has_open_hold(order):
        raise InvalidTransition(
            f"order {order.number}: close your open refund request before confirming",
            code="hold_open",
        )
    fields = {} if order.delivered_at else {"delivered_at": timezone.now()}
    _complete(order, actor=actor, by="buyer", fields=fields)
    return order


@transaction.atomic
def order_auto_confirm(*, order_id: int) -> str:
    """Fired by the timer. Reads the stored time, so firing twice, late or early is harmless."""
    order = _locked_id(order_id)
    if order.status != S.SHIPPED:
        return f"not shipped ({order.status})"
    if _has_open_hold(order):
        return "paused by an open hold"
    if order.auto_confirm_at is None or order.auto_confirm_at > timezone.now():
        return "not due"
    _complete(order, actor=None, by="system")
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


def _close_holds(order: Order, outcome: str, reason: str) -> None:
    order.holds.filter(closed_at__isnull=True).update(
        closed_at=timezone.now(), outcome=outcome, outcome_reason=reason[:500]
    )


@transaction.atomic
def order_cancel(*, actor: User, number: str, reason: str) -> Order:
    """Cancel before shipment. An unpaid order just closes; a paid one is refunded in full."""
    order = _locked_for(actor, number)
    _require(actor, order, "buyer", "seller", "operator")
    reason = clean_text(reason, "reason", 200, multiline=True)
    _cancel(order, actor=actor, reason=reason)
    return order


def _cancel(order: Order, *, actor: User | None, reason: str) -> None:
    was = order.status
    if S.CANCELLED not in TRANSITIONS[was]:
        raise InvalidTransition(
            f"order {order.number} is {was}; only an order not yet shipped can be cancelled"
        )
    now = timezone.now()
    order_transition(
        order,
        S.CANCELLED,
        actor=actor,
        kind="cancelled",
        fields={"closed_at": now, "close_reason": reason},
        reason=reason,
    )
    catalog.stock_release(listing_id=order.listing_id, quantity=order.quantity)
    if was == S.PAID:
        _refund_all(order, reason=reason, key=f"order:{order.pk}:refund")
    else:
        for p in _open_payments(order):
            _payment_close(p)


@transaction.atomic
def order_expire(*, order_id: int) -> str:
    order = _locked_id(order_id)
    if order.status != S.AWAITING_PAYMENT:
        return f"not awaiting payment ({order.status})"
    if order.pay_by > timezone.now():
        return "not due"
    _cancel(order, actor=None, reason="not paid in time")
    return "expired"


@transaction.atomic
def order_refund(*, actor: User, number: str, reason: str) -> Order:
    """A full refund from escrow, by the seller (who agrees) or an operator."""
    order = _locked_for(actor, number)
    _require(actor, order, "seller", "operator")
    reason = clean_text(reason, "reason", 200, multiline=True)
    _refund_order(order, actor=actor, reason=reason)
    return order


def _refund_order(order: Order, *, actor: User, reason: str) -> None:
    if not order.in_escrow:
        raise InvalidTransition(
            f"order {order.number} is {order.status}; nothing in escrow to refund"
        )
    order_transition(
        order,
        S.REFUNDED,
        actor=actor,
        kind="refunded",
        fields={"closed_at": timezone.now(), "close_reason": reason},
        reason=reason,
    )
    if order.shipped_at is None:
        catalog.stock_release(listing_id=order.listing_id, quantity=order.quantity)
    _close_holds(order, "approved", reason)
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
    order = _locked_id(refund.order_id)
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
    _event(
        order,
        "refund_succeeded" if succeeded else "refund_failed",
        actor=None,
        role="provider",
        amount_fen=refund.amount_fen,
        reason=reason,
        evidence_extra={"refund": refund.key, "notification": notification},
    )
    return NotificationStatus.APPLIED, ""


# --- refund requests and holds ---------------------------------------------------------------


def hold_open(order: Order, *, kind: str, actor: User, reason: str) -> Hold:
    """Pause the auto-confirm timer. The dispute desk (a later part) opens holds here too."""
    if order.holds.filter(kind=kind, closed_at__isnull=True).exists():
        raise Conflict(f"order {order.number}: a {kind} is already open", code="hold_open")
    hold = Hold.objects.create(
        order=order, kind=kind, reason=reason, opened_by=actor, opened_at=timezone.now()
    )
    _event(order, f"{kind}_opened", actor=actor, reason=reason)
    return hold


def hold_close(order: Order, hold: Hold, *, actor: User | None, outcome: str, reason: str) -> None:
    """Close a hold; the time it was open is added to the auto-confirm deadline."""
    now = timezone.now()
    Hold.objects.filter(pk=hold.pk, closed_at__isnull=True).update(
        closed_at=now, outcome=outcome, outcome_reason=reason[:500]
    )
    if order.status == S.SHIPPED and order.auto_confirm_at is not None:
        order.auto_confirm_at = order.auto_confirm_at + (now - hold.opened_at)
        order.save(update_fields=["auto_confirm_at"])
        _schedule_auto_confirm(order)
    _event(
        order,
        f"{hold.kind}_closed",
        actor=actor,
        outcome=outcome,
        reason=reason,
        auto_confirm_at=order.auto_confirm_at.isoformat() if order.auto_confirm_at else None,
    )


@transaction.atomic
def order_refund_request(*, actor: User, number: str, reason: str) -> Hold:
    """The buyer asks for their money back after shipment. Escrow stays held meanwhile."""
    order = _locked_for(actor, number)
    _require(actor, order, "buyer")
    reason = clean_text(reason, "reason", 500, multiline=True)
    if order.status != S.SHIPPED:
        raise InvalidTransition(
            f"order {order.number} is {order.status}; a refund request is "
            "for a shipped order (cancel an order not yet shipped)"
        )
    return hold_open(order, kind=HoldKind.REFUND_REQUEST, actor=actor, reason=reason)


@transaction.atomic
def order_refund_request_decide(*, actor: User, number: str, approve: bool, reason: str) -> Order:
    order = _locked_for(actor, number)
    _require(actor, order, "seller", "operator")
    reason = clean_text(reason, "reason", 500, multiline=True)
    hold = order.holds.filter(kind=HoldKind.REFUND_REQUEST, closed_at__isnull=True).first()
    if hold is None:
        raise InvalidTransition(
            f"order {order.number}: no open refund request", code="no_refund_request"
        )
    if approve:
        _refund_order(order, actor=actor, reason=reason)
    else:
        hold_close(order, hold, actor=actor, outcome="declined", reason=reason)
    return order


@transaction.atomic
def order_refund_request_withdraw(*, actor: User, number: str) -> Order:
    order = _locked_for(actor, number)
    _require(actor, order, "buyer")
    hold = order.holds.filter(kind=HoldKind.REFUND_REQUEST, closed_at__isnull=True).first()
    if hold is None:
        raise InvalidTransition(
            f"order {order.number}: no open refund request", code="no_refund_request"
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
    unpaid = Order.objects.filter(status=S.AWAITING_PAYMENT, pay_by__lte=now)
    for pk in unpaid.values_list("pk", flat=True)[:limit]:
        counts["expired"] += order_expire(order_id=pk) == "expired"
    due = Order.objects.filter(status=S.SHIPPED, auto_confirm_at__lte=now)
    for pk in due.values_list("pk", flat=True)[:limit]:
        counts["auto_confirmed"] += order_auto_confirm(order_id=pk) == "confirmed"
    return counts
