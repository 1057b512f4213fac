"""The remedy: fixed when a deadline decides a case (paid by a task), or computed and paid at
once, exactly once, under the case's and its order's locks; and the case closed with it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from anxin.accounts.models import User
from anxin.core.errors import Conflict, msg
from anxin.disputes.models import Decision, Dispute, Outcome, Step
from anxin.disputes.writer import DisputeWriter
from anxin.orders.events import OrderEventKind, order_event_record, order_transition
from anxin.orders.holds import hold_close
from anxin.orders.models import HoldKind, Order, OrderStatus
from anxin.remedies.services import Paid, remedy_pay_buyer


def remedy_limit(d: Dispute, outcome: str) -> int:
    """The most a remedy may be: what the parties agreed is bounded only by what was asked;
    a decision (by default, by the adjudicator or on appeal) also by what the law gives."""
    return d.claimed_fen if outcome == Outcome.SETTLED else d.cap_fen


def remedy_to_pay(w: DisputeWriter, d: Dispute, amount: int, outcome: str) -> None:
    """A deadline has decided the case: the remedy is fixed now and paid by a task queued
    with this transaction (at once, by the next free worker). A deadline never waits on the
    ledger or a payment provider, and a payment that fails is retried without deciding the
    case again; `dispute_pay` and the safety net (`dispute_deadlines_run`) pay it exactly once."""
    from anxin.disputes.tasks import pay_task

    amount = min(amount, remedy_limit(d, outcome))
    w.move(d, Step.PAYING, outcome=outcome, remedy_fen=amount)
    w.queue(pay_task, d.pk)


def case_close(w: DisputeWriter, d: Dispute, outcome: str, *, remedy_fen: int) -> None:
    """The case closed with its outcome: the seller's score counts it, and the order's hold
    for it is released."""
    now = timezone.now()
    order = d.order
    w.move(d, Step.DONE, outcome=outcome, remedy_fen=remedy_fen, closed_at=now)
    w.seller_rescore(d.seller_id)
    if order is not None:
        for hold in order.holds.filter(kind=HoldKind.DISPUTE, closed_at__isnull=True):
            hold_close(order, hold, actor=None, outcome=outcome, reason=f"case {d.number}")


def remedy_execute(
    w: DisputeWriter,
    d: Dispute,
    amount: int,
    outcome: str,
    *,
    actor: User | None,
    decision: Decision | None = None,
) -> None:
    """Pay the remedy, once: from escrow while the order's money is held; after payout from
    the seller's balance; what that cannot cover is advanced by the guarantee fund (up to
    the per-case cap) and recorded as the seller's debt to the fund; anything above the cap
    is the seller's debt to the buyer. Runs under the case's (and its order's) lock."""
    if d.executed_at is not None:
        raise Conflict(
            msg("case {number}: the remedy has already been paid", number=d.number), code="executed"
        )
    amount = min(amount, remedy_limit(d, outcome))
    order = d.order
    # The remedy is everything the buyer should have back on the order; pay_buyer takes off
    # what already reached the buyer (a refund the seller made while the case was open).
    price = order.amount_fen if order is not None else d.outside_paid_fen
    price_part = min(amount, price)
    paid = Paid()
    if amount:
        paid = remedy_pay_buyer(
            order,
            buyer_id=d.buyer_id,
            seller_id=d.seller_id,
            key=f"dispute:{d.pk}",
            price_fen=price_part,
            extra_fen=amount - price_part,
            reason=f"case {d.number}",
            # The fund advances only on a case Anxin has admitted: never on a claim that
            # nothing Anxin holds supports.
            fund_cap_fen=settings.ANXIN_GUARANTEE_CASE_CAP_FEN if d.admitted_at else 0,
            debt_for={"dispute": d},
        )
        price_part = max(0, price_part - paid.already)
    in_escrow_before = order is not None and order.in_escrow
    now = timezone.now()
    d.executed_at, d.paid_from = now, paid.json()
    d.save(update_fields=["executed_at", "paid_from"])
    w.event(
        d,
        "remedy_paid",
        actor=actor,
        role=None if actor else "system",
        amount_fen=amount,
        paid_from=paid.json(),
        decision=decision.pk if decision else None,
    )
    if order is not None:
        settle_order(d, order, amount, price_part, in_escrow_before)
    case_close(w, d, outcome, remedy_fen=amount)
    if paid.fund or paid.debt:
        from anxin.remedies.tasks import debts_collect_task

        debts_collect_task.enqueue(d.seller_id)  # the deposit first covers what is owed
    w.notify(
        [d.buyer_id, d.seller_id],
        d,
        "paid",
        amount_fen=amount,
        paid_from=paid.json(),
        outcome=outcome,
    )


def settle_order(d: Dispute, order: Order, amount: int, price_part: int, held: bool) -> None:
    """The order's state after the remedy: refunded in full, or (if its money was held)
    completed with the seller keeping what was not refunded."""
    full = price_part >= order.amount_fen
    if amount and (full or held):
        to = OrderStatus.REFUNDED if full else OrderStatus.COMPLETED
        fields: dict[str, Any] = (
            {"closed_at": timezone.now(), "close_reason": f"case {d.number}"}
            if full
            else {"completed_at": timezone.now(), "confirmed_by": "dispute"}
        )
        order_transition(
            order,
            to,
            actor=None,
            role="system",
            kind=OrderEventKind.REFUNDED if full else OrderEventKind.CONFIRMED,
            fields=fields,
            case=d.number,
            amount_fen=amount,
        )
    order_event_record(
        order,
        OrderEventKind.DISPUTE_CLOSED,
        actor=None,
        role="system",
        case=d.number,
        amount_fen=amount,
    )
