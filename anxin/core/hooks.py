"""Named points where a lower app tells a higher one that something happened, inside the
lower app's transaction.

A lower layer never imports a higher one (the order kernel knows nothing of disputes), yet
some facts concern both: when a buyer is paid back in full on an order, an open complaint on
that order must learn of it at once, in the same transaction, or it will pay the same money
again. The higher app registers its handler in its AppConfig.ready(); the lower app calls the
point explicitly where the fact happens. These are not Django signals: each point is named
here, called in one place, and its handlers run in registration order, so the flow can be
read from the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_handlers: dict[str, list[Callable[..., Any]]] = {}

# A buyer was paid money back on an order (refund from escrow, after-sales refund):
# handler(order=Order, amount_fen=int, source=str).
BUYER_REFUNDED = "buyer_refunded"
# The payment provider's authentic notification, for the app that owns what was paid for (the
# order), answered with (NotificationStatus, detail):
# handler(payment=Payment, notification=dict) for a payment that succeeded;
PAYMENT_SUCCEEDED = "payment_succeeded"
# handler(payment=Payment, reason=str, notification=dict) for one that failed;
PAYMENT_FAILED = "payment_failed"
# handler(refund_id=int, succeeded=bool, provider_refund_id=str, reason=str,
# notification=dict) for a refund the provider completed or refused.
REFUND_COMPLETED = "refund_completed"
# handler(payout_key=str, event=str, provider_payout_id=str, amount_fen=int, reason=str,
# notification=dict) for a payout to a seller the provider paid ('succeeded'), refused
# ('failed') or saw come back ('returned').
PAYOUT_COMPLETED = "payout_completed"
# The carrier says a parcel was signed for, answered with what it meant ('applied: ...',
# 'ignored: ...') by the app whose parcel it is, or None:
# handler(carrier=str, tracking_number=str, delivered_at=datetime).
PARCEL_DELIVERED = "parcel_delivered"
# An order's escrow was released to its seller: handler(order=Order, seller_in_debt=bool),
# seller_in_debt as the order's lock read it.
SELLER_PAID_OUT = "seller_paid_out"
# A seller's record changed (verified, lapsed, a case closed): handler(seller_id=int).
SELLER_RECORD_CHANGED = "seller_record_changed"
# A seller is about to be verified with the identity whose keyed hash is `number_index`; a
# handler refuses it by raising: handler(seller_id=int, number_index=str).
SELLER_VERIFYING = "seller_verifying"
# What these sellers (the shops of one identity) sold and were paid for since `since`, in fen:
# handler(seller_ids=list[int], since=datetime) -> int.
SELLER_SALES = "seller_sales"
# A buyer asks for a seller's real identity (CRPL Art. 44) naming an order or a case, answered
# by the app whose reference it is: the basis ("order", "case") when it entitles the buyer,
# a Forbidden raised (with its reason) when it is theirs but does not, None when it is not:
# handler(buyer=User, seller=User, reference=str) -> str | None.
IDENTITY_BASIS = "identity_basis"
# A seller's debt was repaid, in part or in full (remedies collecting it): the case it arose
# from records the repayment. handler(debt=SellerDebt, detail=dict[str, Any]).
DEBT_REPAID = "debt_repaid"
# Someone holding a voucher opened one of its evidence records (showed the record's salt): the
# app whose chain it is says what the record is about, as (label, value) pairs a public page
# may show, or None when the chain is not its own: handler(chain=str) -> list[tuple] | None.
RECORD_SUBJECT = "record_subject"
# Cases at the dispute desk changed (filed, answered, moved to a step, admitted, closed), in
# this transaction; the app that publishes figures over them updates them here:
# handler(dispute_ids=list[int]).
CASES_CHANGED = "cases_changed"
# What a seller shows on Anxin changed, in this transaction: its address region (where its
# cases are counted) or its shop name; the app that publishes figures over its cases
# republishes their records here: handler(seller_id=int).
SELLER_SHOWN_CHANGED = "seller_shown_changed"

POINTS = frozenset(
    {
        RECORD_SUBJECT,
        CASES_CHANGED,
        SELLER_SHOWN_CHANGED,
        BUYER_REFUNDED,
        PAYMENT_SUCCEEDED,
        PAYMENT_FAILED,
        REFUND_COMPLETED,
        PAYOUT_COMPLETED,
        PARCEL_DELIVERED,
        SELLER_PAID_OUT,
        SELLER_RECORD_CHANGED,
        SELLER_VERIFYING,
        SELLER_SALES,
        DEBT_REPAID,
        IDENTITY_BASIS,
    }
)


def register(point: str, handler: Callable[..., Any]) -> None:
    if point not in POINTS:
        raise ValueError(f"no hook point {point!r}")
    handlers = _handlers.setdefault(point, [])
    if handler not in handlers:  # ready() may run twice in tests
        handlers.append(handler)


def call(point: str, **kwargs: Any) -> None:
    """Run every handler of `point`, in registration order (the apps' order in settings)."""
    if point not in POINTS:
        raise ValueError(f"no hook point {point!r}")
    for handler in _handlers.get(point, []):
        handler(**kwargs)


def ask(point: str, **kwargs: Any) -> Any:
    """The first answer (not None) to `point`, asking the handler registered last first: the
    higher app's case is the more specific one (a parcel coming back to a seller under an
    after-sales request before the order's own shipment). None if no handler answers."""
    if point not in POINTS:
        raise ValueError(f"no hook point {point!r}")
    for handler in reversed(_handlers.get(point, [])):
        answer = handler(**kwargs)
        if answer is not None:
            return answer
    return None


def registrations() -> dict[str, list[str]]:
    """Each point's handlers by dotted name, in registration order: what a test pins."""
    return {
        point: [f"{h.__module__}.{h.__qualname__}" for h in handlers]
        for point, handlers in sorted(_handlers.items())
    }
