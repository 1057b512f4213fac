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

_handlers: dict[str, list[Callable[..., None]]] = {}

# A buyer was paid money back on an order (refund from escrow, after-sales refund):
# handler(order=Order, amount_fen=int, source=str).
BUYER_REFUNDED = "buyer_refunded"

POINTS = frozenset({BUYER_REFUNDED})


def register(point: str, handler: Callable[..., None]) -> None:
    if point not in POINTS:
        raise ValueError(f"no hook point {point!r}")
    handlers = _handlers.setdefault(point, [])
    if handler not in handlers:  # ready() may run twice in tests
        handlers.append(handler)


def call(point: str, **kwargs: Any) -> None:
    if point not in POINTS:
        raise ValueError(f"no hook point {point!r}")
    for handler in _handlers.get(point, []):
        handler(**kwargs)


# A seller's debt was repaid, in part or in full (remedies collecting it): the case it arose
# from records the repayment. handler(debt=SellerDebt, detail=dict[str, Any]).
DEBT_REPAID = "debt_repaid"
POINTS |= {DEBT_REPAID}
