"""Orders against the ledger: every order's money is where its status says it is."""

from __future__ import annotations

from collections import defaultdict

from anxin.ledger.models import Transfer
from anxin.orders.models import Order, OrderStatus
from anxin.payments.models import Payment, PaymentStatus, Refund

# A refunded order's holds were voided (refunded in full from escrow) or posted (an
# after-sales refund: part or all of the price taken back after the holds were settled).
_EXPECTED_HOLD: dict[str, tuple[str | None, ...]] = {
    OrderStatus.AWAITING_PAYMENT: (None,),
    OrderStatus.PAID: ("pending",),
    OrderStatus.SHIPPED: ("pending",),
    OrderStatus.COMPLETED: ("posted",),
    OrderStatus.REFUNDED: ("voided", "posted"),
}


def orders_audit() -> list[str]:
    problems: list[str] = []
    holds: dict[str, str | None] = {}
    by_ref: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ref, code, amount, state in Transfer.objects.values_list(
        "ref", "code", "amount", "pending_state"
    ).iterator(chunk_size=10_000):
        by_ref[ref][code] += amount
        if code in ("escrow_hold", "fee_hold"):  # both holds move together
            holds[ref] = state
    captured: defaultdict[str, int] = defaultdict(int)
    for number, amount in Payment.objects.filter(status=PaymentStatus.SUCCEEDED).values_list(
        "order__number", "amount_fen"
    ):
        captured[number] += amount
    refunded: defaultdict[str, int] = defaultdict(int)
    for number, amount in Refund.objects.values_list("order__number", "amount_fen"):
        refunded[number] += amount

    for o in Order.objects.values("number", "status", "amount_fen", "fee_fen", "paid_at").iterator(
        chunk_size=10_000
    ):
        n, status = o["number"], o["status"]
        money = by_ref.get(n, {})
        expected = (
            _EXPECTED_HOLD.get(status, (None,))
            if status != OrderStatus.CANCELLED
            else ("voided" if o["paid_at"] else None,)
        )
        if holds.get(n) not in expected:
            problems.append(
                f"order {n} ({status}): escrow hold is {holds.get(n)}, "
                f"expected {' or '.join(str(e) for e in expected)}"
            )
        if money.get("capture", 0) != captured[n]:
            problems.append(
                f"order {n}: captured {money.get('capture', 0)} fen in the ledger, "
                f"payments say {captured[n]}"
            )
        if money.get("refund", 0) != refunded[n]:
            problems.append(
                f"order {n}: refunded {money.get('refund', 0)} fen in the ledger, "
                f"refund records say {refunded[n]}"
            )
        if (
            o["paid_at"]
            and money.get("escrow_hold", 0) + money.get("fee_hold", 0) != o["amount_fen"]
        ):
            problems.append(
                f"order {n}: escrow holds {money.get('escrow_hold', 0)} + "
                f"{money.get('fee_hold', 0)} fen do not add up to {o['amount_fen']}"
            )
    return problems
