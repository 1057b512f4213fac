"""Returns and after-sales, following the law engine.

Every change locks the order row first (as every order service does), then the request; so
an approve racing a refuse, or two refunds of one request, resolve to exactly one outcome.
Every step is an order event and an evidence record on the order's chain. Deadlines are
stored on the request and fired by tasks that re-read them (and by `deadlines_run`, the
safety net), so a timer that fires twice or late does the right thing.

Money: a refund while the order is in escrow settles the escrow holds in part (the seller
keeps what is not refunded) and pays the buyer back; after the seller was paid, it is taken
back from the seller's balance and the platform's fee, and what the balance cannot cover is
recorded as the seller's debt (remedies' SellerDebt), collected from the seller's next payouts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from anxin.accounts.models import SellerProfile, User
from anxin.aftersales.models import OPEN, TRANSITIONS, AfterSale, Kind, Status
from anxin.carriers.registry import carrier_get
from anxin.core import hooks
from anxin.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed, msg
from anxin.core.text import clean_text, is_whole
from anxin.law import engine, params
from anxin.law.days import due_at, end_of_day
from anxin.law.decision import Decision
from anxin.law.facts import CaseFacts, Claim, Item, Purchase, Seller
from anxin.orders import services as orders
from anxin.orders.events import OrderEventKind, order_event_record, order_transition
from anxin.orders.holds import hold_close, hold_open, holds_close_all
from anxin.orders.locks import (
    LockedOrder,
    order_actor_require,
    order_lock_for,
    order_lock_of,
)
from anxin.orders.models import Hold, HoldKind, Order, OrderStatus
from anxin.orders.notify import order_notice
from anxin.orders.selectors import order_for
from anxin.remedies.services import remedy_pay_buyer

CN = ZoneInfo("Asia/Shanghai")
St = Status
CONDITIONS = (
    "intact",
    "opened_for_inspection",
    "tried_reasonably",
    "used",
    "seal_broken",
    "tags_removed",
    "damaged",
)
_CLAIM_OF: dict[str, str] = {
    Kind.NO_REASON_RETURN: "no_reason_return",
    Kind.QUALITY_RETURN: "quality_defect",
    Kind.REPAIR: "quality_defect",
    Kind.REPLACEMENT: "quality_defect",
}
_SOUGHT: dict[str, str] = {Kind.REPAIR: "repair", Kind.REPLACEMENT: "replacement"}


def _day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, CN).date()


# --- the law ---------------------------------------------------------------------------------


def aftersale_delivered_day(order: Order, now: dt.datetime) -> dt.date:
    """When the buyer got the goods: the carrier's delivery, else the buyer's confirmation,
    else today (a buyer asking to return goods evidently has them)."""
    return _day(order.delivered_at or now)


RETURNS = (Kind.NO_REASON_RETURN, Kind.QUALITY_RETURN)


def _returned(order: Order) -> tuple[int, int]:
    """The order's items already sent back and refunded, and what those refunds paid."""
    got = AfterSale.objects.filter(order=order, kind__in=RETURNS, status=St.REFUNDED).aggregate(
        n=Sum("quantity"), fen=Sum("refunded_fen")
    )
    return got["n"] or 0, got["fen"] or 0


def aftersale_units_returned(order: Order) -> int:
    """How many of the order's items have already gone back to the seller and been refunded."""
    return _returned(order)[0]


def _part_fen(order: Order, quantity: int) -> int:
    """What `quantity` of the order's items cost: the order's price shared out by item."""
    return order.amount_fen * quantity // order.quantity


def aftersale_facts_for(
    order: Order,
    kind: str,
    item_condition: str,
    *,
    now: dt.datetime,
    quantity: int | None = None,
    requested_at: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    gifts_not_returned_fen: int = 0,
    free_shipping_deduction_fen: int = 0,
) -> CaseFacts:
    snap = order.snapshot
    if kind not in _CLAIM_OF:
        raise ValidationFailed(
            msg("kind: must be one of {join}", join=", ".join(Kind.values)), field="kind"
        )
    if item_condition not in CONDITIONS:
        raise ValidationFailed(
            msg("item_condition: must be one of {join}", join=", ".join(CONDITIONS)),
            field="item_condition",
        )
    assert order.paid_at is not None
    excepted_but_promised = snap.return_policy == "no_reason_7_days"
    return CaseFacts(
        as_of=_day(now),
        purchase=Purchase(
            channel="online",
            seller=Seller(role="seller", kind="individual"),
            item=Item(
                category=snap.category,  # type: ignore[arg-type]
                price_fen=_part_fen(order, quantity or order.quantity),
                quantity=quantity or order.quantity,
                # Anxin's checkout has no separate "not returnable" confirmation step, so no
                # buyer has confirmed one (CRPL-IR 19(2)).
                non_returnable_confirmed=False,
                return_promised_despite_exception=excepted_but_promised,
            ),
            paid_at=_day(order.paid_at),
            delivered_at=aftersale_delivered_day(order, requested_at or now),
        ),
        claim=Claim(
            kind=_CLAIM_OF[kind],  # type: ignore[arg-type]
            requested_at=_day(requested_at or now),
            item_condition=item_condition,  # type: ignore[arg-type]
            seller_received_return_at=_day(received_at) if received_at else None,
            remedy_sought=_SOUGHT.get(kind, "return"),  # type: ignore[arg-type]
            gifts_not_returned_fen=gifts_not_returned_fen,
            free_shipping_deduction_fen=free_shipping_deduction_fen,
        ),
    )


def aftersale_backs(decision: Decision, kind: str) -> bool:
    """Does the law give what this request asks for?"""
    if decision.outcome not in ("granted", "partly_granted"):
        return False
    wanted = {"repair": "repair", "replacement": "replacement"}.get(kind, "refund")
    return any(r.kind == wanted for r in decision.remedies)


def aftersale_preview(
    *, actor: User, number: str, kind: str, item_condition: str = "intact", quantity: Any = None
) -> tuple[list[Decision], bool]:
    """What the law says about a request before it is sent: the decisions and whether they
    back it. Anyone who can see the order can ask."""
    return aftersale_preview_of(
        order_for(actor, number), kind=kind, item_condition=item_condition, quantity=quantity
    )


def aftersale_preview_of(
    order: Order, *, kind: str, item_condition: str = "intact", quantity: Any = None
) -> tuple[list[Decision], bool]:
    """aftersale_preview for an order the caller has already read (and may see)."""
    if order.paid_at is None:
        raise InvalidTransition(
            msg("order {number} is not paid; there is nothing to return", number=order.number)
        )
    q = _quantity(order, kind, quantity)
    decisions = engine.decide(
        aftersale_facts_for(order, kind, item_condition, now=timezone.now(), quantity=q)
    )
    return decisions, aftersale_backs(decisions[0], kind)


def _quantity(order: Order, kind: str, quantity: Any) -> int:
    """How many items a request is about: those not yet returned, unless the buyer says fewer.
    A repair or replacement may be about any of the order's items."""
    most = order.quantity - (aftersale_units_returned(order) if kind in RETURNS else 0)
    if most <= 0:
        raise InvalidTransition(
            msg("order {number}: every item has already been returned", number=order.number),
            code="all_returned",
        )
    if quantity in (None, ""):
        return most
    q = quantity
    if isinstance(q, str) and q.strip().isdigit():
        q = int(q.strip())
    if not is_whole(q) or not 1 <= q <= most:
        raise ValidationFailed(
            msg("quantity: a whole number from 1 to {most}", most=most), field="quantity"
        )
    return int(q)


# --- steps -----------------------------------------------------------------------------------


def _move(
    order: Order,
    a: AfterSale,
    to: str,
    *,
    actor: User | None,
    role: str | None = None,
    **fields: Any,
) -> None:
    if to not in TRANSITIONS[a.status]:
        raise InvalidTransition(
            msg(
                "after-sales request {pk} is {status}; it cannot become {to}",
                pk=a.pk,
                status=a.status,
                to=to,
            ),
            code="after_sale_status",
            extra={"after_sale_status": a.status},
        )
    now = timezone.now()
    values: dict[str, Any] = {"status": to, "is_open": to in OPEN, **fields}
    if to not in OPEN:
        values["closed_at"] = now
    if AfterSale.objects.filter(pk=a.pk, status=a.status).update(**values) != 1:
        raise Conflict("the request changed meanwhile; try again", code="after_sale_changed")
    old = a.status
    for k, v in values.items():
        setattr(a, k, v)
    detail: dict[str, Any] = {
        k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in fields.items()
    }
    order_event_record(
        order,
        OrderEventKind(f"after_sale_{to}"),
        actor=actor,
        role=role,
        after_sale=a.pk,
        request=a.kind,
        after_sale_status=[old, to],
        **detail,
    )
    if to not in OPEN:
        _release_hold(order, actor=actor, outcome=to)


def _release_hold(order: Order, *, actor: User | None, outcome: str) -> None:
    hold = order.holds.filter(kind=HoldKind.AFTER_SALE, closed_at__isnull=True).first()
    if hold is not None:
        hold_close(order, hold, actor=actor, outcome=outcome, reason=outcome)


def _current(order: Order) -> AfterSale:
    a = AfterSale.objects.select_for_update().filter(order=order).order_by("-pk").first()
    if a is None:
        raise NotFound(
            msg("order {number}: no after-sales request", number=order.number), code="no_after_sale"
        )
    return a


def _by_id(after_sale_id: int) -> tuple[LockedOrder, AfterSale]:
    locked = order_lock_of(AfterSale, pk=after_sale_id)
    if locked is None:
        raise NotFound(
            msg("after-sales request {after_sale_id}: not found", after_sale_id=after_sale_id)
        )
    return locked, AfterSale.objects.select_for_update().get(pk=after_sale_id)


def _schedule(task: Any, at: dt.datetime | None, a: AfterSale) -> None:
    if at is not None:
        task.using(run_after=at).enqueue(a.pk)


@transaction.atomic
def aftersale_request(
    *,
    actor: User,
    number: str,
    kind: str,
    reason: str,
    item_condition: str = "intact",
    quantity: Any = None,
) -> AfterSale:
    """The buyer asks. The law's view is stored with the request; the seller must answer by
    `respond_by`, or the request is approved."""
    from anxin.aftersales.tasks import auto_approve_task

    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "buyer")
    reason = clean_text(reason, "reason", 500, multiline=True)
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        raise InvalidTransition(
            msg(
                "order {number} is {status}; returns and repairs are for "
                "goods that were shipped (before shipment, cancel the order "
                "for a full refund)",
                number=number,
                status=order.status,
            ),
            code="not_shipped",
        )
    if AfterSale.objects.filter(order=order, is_open=True).exists():
        raise Conflict(
            msg("order {number}: an after-sales request is already open", number=number),
            code="open",
        )
    now = timezone.now()
    q = _quantity(order, kind, quantity)
    decisions = engine.decide(aftersale_facts_for(order, kind, item_condition, now=now, quantity=q))
    first = decisions[0]
    backed = aftersale_backs(first, kind)
    if order.delivered_at is None:
        respond_by = now + dt.timedelta(hours=settings.ANXIN_AFTERSALE_ANSWER_HOURS_IN_TRANSIT)
    else:
        respond_by = due_at(now, settings.ANXIN_AFTERSALE_ANSWER_DAYS_DELIVERED)
    a = AfterSale.objects.create(
        order=order,
        seller_id=order.seller_id,
        kind=kind,
        quantity=q,
        reason=reason,
        item_condition=item_condition,
        law={"decisions": [d.json() for d in decisions]},
        law_backed=backed,
        refund_fen=first.amount("refund")
        if kind in (Kind.NO_REASON_RETURN, Kind.QUALITY_RETURN)
        else 0,
        requested_at=now,
        respond_by=respond_by,
    )
    if order.status == OrderStatus.SHIPPED:
        # The auto-confirm timer pauses: the buyer's money stays in escrow meanwhile.
        Hold.objects.create(
            order=order, kind=HoldKind.AFTER_SALE, reason=reason, opened_by=actor, opened_at=now
        )
    order_event_record(
        order,
        OrderEventKind.AFTER_SALE_REQUESTED,
        actor=actor,
        after_sale=a.pk,
        request=kind,
        quantity=q,
        reason=reason,
        item_condition=item_condition,
        law_outcome=first.outcome,
        law_backed=backed,
        respond_by=respond_by.isoformat(),
        evidence_extra={"law": a.law},
    )
    _schedule(auto_approve_task, respond_by, a)
    # The seller must answer by `respond_by`: silence until then counts as agreement.
    order_notice(
        order,
        [order.seller_id],
        "aftersale_requested",
        actor=actor,
        due_at=respond_by.isoformat(),
    )
    return a


def _return_address(order: Order) -> str:
    profile = SellerProfile.objects.filter(user_id=order.seller_id).first()
    return profile.return_address if profile is not None else ""


def _approve(order: Order, a: AfterSale, *, actor: User | None, by: str) -> None:
    """Approval, by the seller or an operator or by the seller's silence. The seller's return
    address is copied onto the request, so what the buyer was told is fixed with the evidence
    (an approval by silence from a seller with none leaves it empty: the page then shows the
    profile's address once the seller sets one)."""
    from anxin.aftersales.tasks import lapse_task

    address = _return_address(order)
    if not address and by == "seller":
        raise ValidationFailed(
            "return_address: set your return address in your shop profile before approving, "
            "so the buyer knows where to send the goods",
            code="return_address_missing",
            field="return_address",
        )
    now = timezone.now()
    return_by = due_at(now, settings.ANXIN_AFTERSALE_RETURN_DAYS)
    _move(
        order,
        a,
        St.APPROVED,
        actor=actor,
        role=None if actor else "system",
        responded_at=now,
        responded_by=by,
        return_by=return_by,
        return_address=address,
    )
    _schedule(lapse_task, return_by, a)
    kind = "aftersale_approved_silence" if by == "system" else "aftersale_approved"
    order_notice(order, [order.buyer_id], kind, actor=actor)


@transaction.atomic
def aftersale_answer(*, actor: User, number: str, approve: bool, reason: str = "") -> AfterSale:
    """The seller (or an operator) approves, or refuses with a reason."""
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "seller", "operator")
    a = _current(order)
    if a.status != St.REQUESTED:
        raise InvalidTransition(
            msg("the request is {status}; it was already answered", status=a.status),
            code="after_sale_status",
        )
    if approve:
        _approve(order, a, actor=actor, by=actor.role)
        return a
    reason = clean_text(reason, "reason", 500, multiline=True)
    if len(reason) < 4:
        raise ValidationFailed("reason: say why the request is refused", field="reason")
    _move(
        order,
        a,
        St.REFUSED,
        actor=actor,
        responded_at=timezone.now(),
        responded_by=actor.role,
        refusal_reason=reason,
    )
    order_notice(order, [order.buyer_id], "aftersale_refused", actor=actor)
    return a


@transaction.atomic
def aftersale_auto_approve(*, after_sale_id: int) -> str:
    locked, a = _by_id(after_sale_id)
    order = locked.order
    if a.status != St.REQUESTED:
        return f"already {a.status}"
    if a.respond_by > timezone.now():
        return "not due"
    _approve(order, a, actor=None, by="system")
    return "approved: the seller did not answer in time"


@transaction.atomic
def aftersale_withdraw(*, actor: User, number: str) -> AfterSale:
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "buyer")
    a = _current(order)
    _move(order, a, St.WITHDRAWN, actor=actor)
    return a


@transaction.atomic
def aftersale_lapse(*, after_sale_id: int) -> str:
    locked, a = _by_id(after_sale_id)
    order = locked.order
    if a.status != St.APPROVED:
        return f"already {a.status}"
    if a.return_by is None or a.return_by > timezone.now():
        return "not due"
    _move(order, a, St.LAPSED, actor=None, role="system")
    return "lapsed: the goods were not sent back in time"


@transaction.atomic
def aftersale_ship_back(
    *,
    actor: User,
    number: str,
    carrier: str,
    tracking_number: str,
    return_shipping_fen: int = 0,
) -> AfterSale:
    """The buyer sends the goods back. For a return for a defect (or a repair or replacement)
    the seller pays the return shipping (CRPL 24(2)); the buyer says what it cost."""
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "buyer")
    a = _current(order)
    carrier, tracking_number = orders.clean_shipment(carrier, tracking_number)
    cap = settings.ANXIN_AFTERSALE_MAX_RETURN_SHIPPING_FEN
    if not isinstance(return_shipping_fen, int) or not 0 <= return_shipping_fen <= cap:
        raise ValidationFailed(
            msg("return_shipping_fen: 0 to {cap} fen", cap=cap), field="return_shipping_fen"
        )
    if a.kind == Kind.NO_REASON_RETURN:
        return_shipping_fen = 0  # the buyer's cost unless agreed (CRPL 25(3))
    _move(
        order,
        a,
        St.RETURN_SHIPPED,
        actor=actor,
        return_carrier=carrier,
        return_tracking=tracking_number,
        return_shipping_fen=return_shipping_fen,
        return_shipped_at=timezone.now(),
    )
    carrier_get().subscribe(tracking_number)
    return a


def _received(order: Order, a: AfterSale, *, at: dt.datetime, via: str, actor: User | None) -> None:
    from anxin.aftersales.tasks import refund_due_task

    facts = aftersale_facts_for(
        order,
        a.kind,
        a.item_condition,
        now=max(at, timezone.now()),
        requested_at=a.requested_at,
        received_at=at,
    )
    decision = engine.decide(facts)[0]
    due = next((r.due_by for r in decision.remedies if r.kind == "refund" and r.due_by), None)
    # No statutory refund deadline (a quality return, or a return the seller agreed to
    # beyond the law): the law data's fallback, the no-reason return's refund period.
    fallback = params.value("after_sale.refund_days_without_statutory_term", _day(at))
    refund_by = end_of_day(due) if due else due_at(at, fallback)
    _move(
        order,
        a,
        St.RETURN_RECEIVED,
        actor=actor,
        role=None if actor else "carrier",
        return_received_at=at,
        received_via=via,
        refund_due_at=refund_by if a.is_return else None,
    )
    if a.is_return:
        _schedule(refund_due_task, refund_by, a)


@transaction.atomic
def aftersale_confirm_received(
    *,
    actor: User,
    number: str,
    gifts_not_returned_fen: int = 0,
    free_shipping_deduction_fen: int = 0,
) -> AfterSale:
    """The seller has the goods back. For a return the refund is paid at once, less what the
    law lets the seller deduct (gifts not returned, NRR 12; a broken free-shipping offer,
    NRR 18)."""
    locked = order_lock_for(actor, number)
    order = locked.order
    order_actor_require(actor, order, "seller", "operator")
    a = _current(order)
    for name, value in (
        ("gifts_not_returned_fen", gifts_not_returned_fen),
        ("free_shipping_deduction_fen", free_shipping_deduction_fen),
    ):
        if not isinstance(value, int) or value < 0:
            raise ValidationFailed(
                msg("{name}: a whole number of fen, not negative", name=name), field=name
            )
    if a.kind == Kind.QUALITY_RETURN and (gifts_not_returned_fen or free_shipping_deduction_fen):
        raise ValidationFailed(
            "gifts_not_returned_fen: no deductions from a return for a defect",
            field="gifts_not_returned_fen",
        )
    if gifts_not_returned_fen + free_shipping_deduction_fen > a.refund_fen:
        raise ValidationFailed(
            "gifts_not_returned_fen: deductions exceed the refund", field="gifts_not_returned_fen"
        )
    if a.status not in (St.RETURN_SHIPPED, St.RETURN_RECEIVED):
        raise InvalidTransition(
            msg(
                "the request is {status}; there is no return on its way to confirm", status=a.status
            ),
            code="after_sale_status",
        )
    if a.status == St.RETURN_SHIPPED:
        _received(order, a, at=timezone.now(), via="seller", actor=actor)
    if not a.is_return:
        return a
    AfterSale.objects.filter(pk=a.pk).update(
        gifts_not_returned_fen=gifts_not_returned_fen,
        free_shipping_deduction_fen=free_shipping_deduction_fen,
    )
    a.gifts_not_returned_fen = gifts_not_returned_fen
    a.free_shipping_deduction_fen = free_shipping_deduction_fen
    _refund(order, a, actor=actor, seller_in_debt=locked.seller_in_debt)
    return a


def aftersale_return_delivered(
    *, carrier: str, tracking_number: str, delivered_at: dt.datetime
) -> str | None:
    """The carrier delivered a return parcel: the seller has it from that moment."""
    ids = list(
        AfterSale.objects.filter(
            return_tracking=tracking_number, status=St.RETURN_SHIPPED
        ).values_list("pk", flat=True)
    )
    if not ids:
        if AfterSale.objects.filter(return_tracking=tracking_number).exists():
            return "ignored: return already received"
        return None
    with transaction.atomic():
        locked, a = _by_id(ids[0])
        order = locked.order
        if a.status != St.RETURN_SHIPPED:
            return f"ignored: request is {a.status}"
        _received(order, a, at=delivered_at, via="carrier", actor=None)
    return f"applied: return for {order.number} received"


@transaction.atomic
def aftersale_refund_due(*, after_sale_id: int) -> str:
    """The refund deadline: a seller who neither refunded nor contested is taken to accept."""
    locked, a = _by_id(after_sale_id)
    order = locked.order
    if a.status != St.RETURN_RECEIVED or not a.is_return:
        return f"already {a.status}"
    if a.refund_due_at is None or a.refund_due_at > timezone.now():
        return "not due"
    _refund(order, a, actor=None, seller_in_debt=locked.seller_in_debt)
    return "refunded at the deadline"


@transaction.atomic
def aftersale_reship(*, actor: User, number: str, carrier: str, tracking_number: str) -> AfterSale:
    """Repair or replacement: the seller sends the item back to the buyer."""
    order = order_lock_for(actor, number).order
    order_actor_require(actor, order, "seller")
    a = _current(order)
    if a.is_return:
        raise InvalidTransition("a return is refunded, not reshipped", code="after_sale_status")
    carrier, tracking_number = orders.clean_shipment(carrier, tracking_number)
    _move(
        order,
        a,
        St.RESHIPPED,
        actor=actor,
        reship_carrier=carrier,
        reship_tracking=tracking_number,
    )
    # The seller bears the return shipping of a repair or replacement (CRPL 24(2)).
    if a.return_shipping_fen:
        _pay(order, a, price_fen=0, extra_fen=a.return_shipping_fen, actor=actor, alone=True)
    return a


@transaction.atomic
def aftersale_escalate(*, actor: User, number: str, reason: str) -> AfterSale:
    """Take the request to a dispute: the buyer after a refusal, the seller when the returned
    goods are not what the law requires. The hand-over point to the dispute desk: the order
    gets a dispute hold (its money stays where it is) and an `after_sale_escalated` event
    that carries the request, the law's view and both sides' reasons."""
    order = order_lock_for(actor, number).order
    a = _current(order)
    if a.status == St.REFUSED:
        order_actor_require(actor, order, "buyer")
    else:
        order_actor_require(actor, order, "seller")
    reason = clean_text(reason, "reason", 500, multiline=True)
    _move(
        order, a, St.ESCALATED, actor=actor, escalated_at=timezone.now(), escalation_reason=reason
    )
    if order.status == OrderStatus.SHIPPED:
        hold_open(order, kind=HoldKind.DISPUTE, actor=actor, reason=reason)
    return a


# --- money -----------------------------------------------------------------------------------


def _refund(order: Order, a: AfterSale, *, actor: User | None, seller_in_debt: bool) -> None:
    if a.status != St.RETURN_RECEIVED:  # checked again here, before any money moves
        raise InvalidTransition(
            msg("the request is {status}", status=a.status), code="after_sale_status"
        )
    part = _part_fen(order, a.quantity)
    price = a.refund_fen - a.gifts_not_returned_fen - a.free_shipping_deduction_fen
    if a.kind == Kind.NO_REASON_RETURN and a.law_backed:
        # The law computes the amount, deductions included.
        facts = aftersale_facts_for(
            order,
            a.kind,
            a.item_condition,
            now=timezone.now(),
            requested_at=a.requested_at,
            received_at=a.return_received_at,
            gifts_not_returned_fen=a.gifts_not_returned_fen,
            free_shipping_deduction_fen=a.free_shipping_deduction_fen,
            quantity=a.quantity,
        )
        price = engine.decide(facts)[0].amount("refund")
    if not a.law_backed:
        # The seller agreed to more than the law gives: the price, less the deductions.
        price = part - a.gifts_not_returned_fen - a.free_shipping_deduction_fen
    price = max(0, min(price, part))
    # Earlier returns of other items of the order were refunded for those items: what this
    # one pays is on top of them, while anything else the buyer got back on the order (a
    # refund, a remedy) still counts against it.
    units, earlier = _returned(order)
    units += a.quantity
    paid = _pay(order, a, price_fen=price + earlier, extra_fen=a.return_shipping_fen, actor=actor)
    hooks.call(hooks.BUYER_REFUNDED, order=order, amount_fen=paid, source=f"after_sale:{a.pk}")
    _move(
        order,
        a,
        St.REFUNDED,
        actor=actor,
        role=None if actor else "system",
        refunded_fen=paid,
        refunded_at=timezone.now(),
    )
    if units < order.quantity:
        _keep_the_rest(
            order, a, kept=order.quantity - units, actor=actor, seller_in_debt=seller_in_debt
        )
    elif order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        order_transition(
            order,
            OrderStatus.REFUNDED,
            actor=actor,
            role=None if actor else "system",
            kind=OrderEventKind.REFUNDED,
            fields={"closed_at": timezone.now(), "close_reason": f"after-sales {a.kind}"},
            after_sale=a.pk,
            amount_fen=paid,
        )
        holds_close_all(order, "refunded", f"after-sales {a.kind}")


def _keep_the_rest(
    order: Order, a: AfterSale, *, kept: int, actor: User | None, seller_in_debt: bool
) -> None:
    """Some of the order's items came back and were refunded; the buyer keeps the others. If
    the money was still in escrow, the refund settled it (the kept items' share went to the
    seller), so the order is complete: the buyer has had the goods in hand to send some back,
    and a seller in debt has it collected from that share, as from any release.
    """
    if order.status == OrderStatus.SHIPPED:
        order_transition(
            order,
            OrderStatus.COMPLETED,
            actor=actor,
            role=None if actor else "system",
            kind=OrderEventKind.CONFIRMED,
            fields={
                "completed_at": timezone.now(),
                "confirmed_by": "system",
                "delivered_at": order.delivered_at or a.requested_at,
            },
            confirmed_by="system",
            after_sale=a.pk,
            kept=kept,
        )
        hooks.call(hooks.SELLER_PAID_OUT, order=order, seller_in_debt=seller_in_debt)
    holds_close_all(order, "refunded", f"after-sales {a.kind}, {a.quantity} returned")


def _pay(
    order: Order,
    a: AfterSale,
    *,
    price_fen: int,
    extra_fen: int,
    actor: User | None,
    alone: bool = False,
) -> int:
    """Pay the buyer `price_fen` of the price and `extra_fen` the seller owes on top (return
    shipping). Returns what was paid now; any shortfall becomes the seller's debt."""
    paid = remedy_pay_buyer(
        order,
        buyer_id=order.buyer_id,
        seller_id=order.seller_id,
        key=f"aftersale:{a.pk}",
        price_fen=price_fen,
        extra_fen=extra_fen,
        reason=f"after-sales {a.kind}",
        debt_for={"after_sale": a},
        net_of_earlier=not alone,
    )
    if paid.debt:
        order_event_record(
            order,
            OrderEventKind.SELLER_DEBT_RECORDED,
            actor=actor,
            role=None if actor else "system",
            after_sale=a.pk,
            amount_fen=paid.debt,
        )
    return paid.to_buyer


def aftersale_deadlines_run(*, limit: int = 1000) -> dict[str, int]:
    """Every after-sales deadline that is due, from stored times (the timers' safety net)."""
    now = timezone.now()
    counts = {"auto_approved": 0, "lapsed": 0, "refunded": 0}
    for pk in AfterSale.objects.filter(status=St.REQUESTED, respond_by__lte=now).values_list(
        "pk", flat=True
    )[:limit]:
        counts["auto_approved"] += aftersale_auto_approve(after_sale_id=pk).startswith("approved")
    for pk in AfterSale.objects.filter(status=St.APPROVED, return_by__lte=now).values_list(
        "pk", flat=True
    )[:limit]:
        counts["lapsed"] += aftersale_lapse(after_sale_id=pk).startswith("lapsed")
    for pk in AfterSale.objects.filter(
        status=St.RETURN_RECEIVED, refund_due_at__lte=now
    ).values_list("pk", flat=True)[:limit]:
        counts["refunded"] += aftersale_refund_due(after_sale_id=pk).startswith("refunded")
    return counts
