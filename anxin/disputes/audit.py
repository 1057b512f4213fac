"""The remedies audit: no buyer gets back more on an order than it paid, plus what a remedy
granted above the price (damages in a case, return shipping in after-sales).

The books can balance while a buyer is paid twice (a refund, then a remedy for the same
money): every transfer has its debit and its credit. This check reads what the buyer got back
from the ledger alone and what it was owed from the cases and after-sales requests, so a
payer that forgets what another payer did is caught by name.
"""

from __future__ import annotations

from django.db.models import Sum

from anxin.aftersales.models import AfterSale
from anxin.aftersales.models import Status as AfterSaleStatus
from anxin.disputes.models import Dispute
from anxin.orders.models import Order
from anxin.remedies.models import SellerDebt
from anxin.remedies.selectors import buyer_position


def returns_audit() -> list[str]:
    position = buyer_position()
    problems = _orders(
        {ref: v for ref, v in position.items() if not ref.startswith(("dispute:", "debt:"))}
    )
    return problems + _claims(
        {ref: back for ref, (_, back) in position.items() if ref.startswith(("dispute:", "debt:"))}
    )


def _orders(position: dict[str, tuple[int, int]]) -> list[str]:
    problems: list[str] = []
    over = {ref: (paid, back) for ref, (paid, back) in position.items() if back > paid or back < 0}
    if not over:
        return problems
    orders = dict(Order.objects.filter(number__in=list(over)).values_list("number", "pk"))
    amounts = dict(Order.objects.filter(pk__in=orders.values()).values_list("pk", "amount_fen"))
    damages: dict[int, int] = {}
    for order_id, remedy in Dispute.objects.filter(
        order_id__in=orders.values(), executed_at__isnull=False
    ).values_list("order_id", "remedy_fen"):
        damages[order_id] = damages.get(order_id, 0) + max(0, (remedy or 0) - amounts[order_id])
    for row in (
        AfterSale.objects.filter(
            order_id__in=orders.values(),
            status__in=(AfterSaleStatus.REFUNDED, AfterSaleStatus.RESHIPPED),
        )
        .values("order_id")
        .annotate(shipping=Sum("return_shipping_fen"))
    ):
        damages[row["order_id"]] = damages.get(row["order_id"], 0) + (row["shipping"] or 0)
    for ref, (paid, back) in sorted(over.items()):
        if back < 0:
            problems.append(f"order {ref}: the buyer got back {back} fen, less than nothing")
            continue
        granted = damages.get(orders.get(ref, 0), 0)
        if back > paid + granted:
            problems.append(
                f"order {ref}: the buyer got back {back} fen, more than it paid ({paid}) plus "
                f"what remedies granted above the price ({granted})"
            )
    return problems


def _claims(backs: dict[str, int]) -> list[str]:
    """A claim about a sale outside Anxin: the buyer paid nothing through Anxin, so what it
    got back (the remedy's transfers, and the seller's debts repaid later) is bounded by the
    remedy the case fixed."""
    debts = dict(
        SellerDebt.objects.filter(
            pk__in=[int(r.split(":")[1]) for r in backs if r.startswith("debt:")]
        ).values_list("pk", "dispute_id")
    )
    per_case: dict[int, int] = {}
    for ref, back in backs.items():
        kind, pk = ref.split(":")
        case = int(pk) if kind == "dispute" else debts.get(int(pk))
        if case is not None:
            per_case[case] = per_case.get(case, 0) + back
    remedies = dict(
        Dispute.objects.filter(pk__in=per_case, executed_at__isnull=False).values_list(
            "pk", "remedy_fen"
        )
    )
    return [
        f"case {pk}: the buyer got back {back} fen, more than the remedy "
        f"({remedies.get(pk, 0) or 0})"
        for pk, back in sorted(per_case.items())
        if back > (remedies.get(pk, 0) or 0)
    ]
