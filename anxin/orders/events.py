"""An order's history: every step is one OrderEvent row and one evidence record on the order's
chain, written together. `order_event_record` writes a step that does not change the status;
`order_transition` is the one way the status changes. Other apps record their steps on an
order (a review, an after-sales answer, a complaint) through these two, with a kind from
`OrderEventKind`, so the order's timeline can name every step it shows.

The rows are written with statements compiled once (core.sql): every order writes four or
more of them, on the checkout's path. Measured against the same writes through the ORM
(OrderEvent and Record .create(), the order's .update(), .save(force_insert=True)), best of
five runs of 200 writes on SQLite, on a busy two-core machine: 290-580 us a step compiled
against 890-980 us through the ORM; on PostgreSQL the step is also one round trip instead of
two (a data-modifying WITH). A checkout lifecycle writes five steps or more. `anxin bench
checkout` on PostgreSQL (1,000 lifecycles, same machine, 2026-12-04) gave 314 service
transactions/s (ratio 0.316) with these statements and 160/s (0.149) with the ORM writes;
the machine was shared and runs of one build varied by a factor of two, so the figure to trust
is the per-step one above."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.accounts.models import User
from anxin.core.errors import Conflict, InvalidTransition, msg
from anxin.core.sql import insert_instance, insert_two, insert_two_update_count
from anxin.evidence import services as evidence
from anxin.evidence.models import Record
from anxin.orders.models import TRANSITIONS, Order, OrderEvent


class OrderEventKind(models.TextChoices):
    """Every kind of step an order's history records, with the label its timeline shows."""

    CREATED = "created", _("Order placed")
    PAID = "paid", _("Payment received, held in escrow")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    SHIPPED = "shipped", _("Shipped")
    CONFIRMED = "confirmed", _("Receipt confirmed, seller paid")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded from escrow")
    REFUND_SUCCEEDED = "refund_succeeded", _("Refund paid out")
    REFUND_FAILED = "refund_failed", _("Refund failed at the payment provider")
    LATE_PAYMENT_RETURNED = "late_payment_returned", _("Late payment returned")
    # A hold's kind, opened or closed (holds.hold_open, holds.hold_close).
    REFUND_REQUEST_OPENED = "refund_request_opened", _("Refund requested")
    REFUND_REQUEST_CLOSED = "refund_request_closed", _("Refund request closed")
    DISPUTE_OPENED = "dispute_opened", _("Dispute opened")
    DISPUTE_CLOSED = "dispute_closed", _("Dispute closed")
    DELIVERED = "delivered", _("Delivered: signed for by the buyer")
    # An after-sales request's status (aftersales.models.Status), and its hold.
    AFTER_SALE_REQUESTED = "after_sale_requested", _("After-sales request made")
    AFTER_SALE_APPROVED = "after_sale_approved", _("After-sales request approved")
    AFTER_SALE_REFUSED = "after_sale_refused", _("After-sales request refused")
    AFTER_SALE_WITHDRAWN = "after_sale_withdrawn", _("After-sales request withdrawn")
    AFTER_SALE_LAPSED = "after_sale_lapsed", _("After-sales request lapsed")
    AFTER_SALE_RETURN_SHIPPED = "after_sale_return_shipped", _("Goods sent back")
    AFTER_SALE_RETURN_RECEIVED = "after_sale_return_received", _("Returned goods received")
    AFTER_SALE_REFUNDED = "after_sale_refunded", _("After-sales refund paid")
    AFTER_SALE_RESHIPPED = "after_sale_reshipped", _("Repaired or replacement item sent")
    AFTER_SALE_ESCALATED = "after_sale_escalated", _("Taken to a dispute")
    AFTER_SALE_OPENED = "after_sale_opened", _("After-sales request opened")
    AFTER_SALE_CLOSED = "after_sale_closed", _("After-sales request closed")
    SELLER_DEBT_RECORDED = (
        "seller_debt_recorded",
        _("Refund shortfall recorded as the seller's debt"),
    )
    SELLER_DEBT_REPAID = "seller_debt_repaid", _("Seller's debt repaid to the buyer")
    BUYER_CREDITED = "buyer_credited", _("Credited to the buyer's funds with Anxin")
    REVIEWED = "reviewed", _("Reviewed by the buyer")
    REVIEW_FOLLOWUP = "review_followup", _("Follow-up review")
    REVIEW_REPLY = "review_reply", _("The seller replied to the review")
    REVIEW_HIDDEN = "review_hidden", _("Review hidden by the operator")
    DISPUTE_FILED = "dispute_filed", _("Complaint filed")


def order_chain(order: Order) -> str:
    return f"order:{order.number}"


def _role(actor: User | None) -> str:
    return actor.role if actor is not None else "system"


def order_event_rows(
    order: Order,
    kind: OrderEventKind,
    *,
    actor: User | None,
    role: str | None = None,
    from_status: str = "",
    to_status: str = "",
    evidence_extra: dict[str, Any] | None = None,
    **detail: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The history row and the evidence record of one step (with `evidence_extra`: what the
    history row only points to, such as the listing's content), for a caller that writes
    them with its own row (a new order). The record links to the order's previous one;
    `order.evidence_head` moves to it, for the caller to save."""
    kind = OrderEventKind(kind)
    now = timezone.now()
    role = role or _role(actor)
    body: dict[str, Any] = {"order": order.number, "actor_role": role, **detail}
    if actor is not None:
        body["actor"] = actor.pk
    if from_status or to_status:
        body["status"] = [from_status, to_status]
    record = evidence.prepare(
        chain=order_chain(order),
        kind=f"order.{kind.value}",
        body={**body, **(evidence_extra or {})},
        at=now,
        prev=order.evidence_head,
    )
    order.evidence_head = record["commitment"]
    event = {
        "order": order.pk,
        "kind": kind.value,
        "from_status": from_status,
        "to_status": to_status,
        "actor": actor.pk if actor is not None else None,
        "actor_role": role,
        "detail": detail,
        "at": now,
    }
    return event, record


def order_event_write(event: dict[str, Any], record: dict[str, Any]) -> None:
    """Write the rows `order_event_rows` prepared: one round trip on PostgreSQL."""
    insert_two(OrderEvent, event, Record, record)


def order_event_record(order: Order, kind: OrderEventKind, **kw: Any) -> None:
    """Write one step's history row and evidence record, and save the order's new evidence
    head: one statement on PostgreSQL."""
    event, record = order_event_rows(order, kind, **kw)
    insert_two_update_count(
        OrderEvent,
        event,
        Record,
        record,
        Order,
        {"id": order.pk},
        evidence_head=order.evidence_head,
    )


def order_transition(
    order: Order,
    to: str,
    *,
    actor: User | None,
    kind: OrderEventKind,
    role: str | None = None,
    fields: dict[str, Any] | None = None,
    **detail: Any,
) -> None:
    """The one way an order changes status: checked against TRANSITIONS, written with a
    conditional UPDATE that must change exactly one row, and recorded in the history."""
    old = order.status
    if to not in TRANSITIONS[old]:
        raise InvalidTransition(
            msg(
                "order {number} is {old}; it cannot become {to}",
                number=order.number,
                old=old,
                to=to,
            ),
            extra={"order_status": old, "requested_status": to},
        )
    fields = fields or {}
    # The history row, the evidence record and the order's update (which saves the new
    # evidence head with the status) in one statement on PostgreSQL.
    event, record = order_event_rows(
        order, kind, actor=actor, role=role, from_status=old, to_status=to, **detail
    )
    changed = insert_two_update_count(
        OrderEvent,
        event,
        Record,
        record,
        Order,
        {"id": order.pk, "status": old},
        status=to,
        evidence_head=order.evidence_head,
        **fields,
    )
    if changed != 1:
        raise Conflict(
            msg("order {number} changed meanwhile; try again", number=order.number),
            code="order_changed",
        )
    order.status = to
    for k, v in fields.items():
        setattr(order, k, v)


def order_created_record(order: Order, event: dict[str, Any], record: dict[str, Any]) -> None:
    """Insert a new order (its evidence head already moved by `order_event_rows`) with its
    first history step."""
    insert_instance(order)
    event["order"] = order.pk
    order_event_write(event, record)
