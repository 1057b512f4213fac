"""Paying a buyer back, for a return (after-sales) or a remedy (disputes), and collecting what
the seller then owes.

The order of sources is fixed: the order's escrow while the money is still held; after the
seller was paid, the platform's fee and the seller's balance; what those cannot cover is
advanced by the guarantee fund (先行赔付) up to a cap per case when the caller allows it; the
rest is the seller's debt to the buyer. What the fund advanced is the seller's debt to the
fund. Debts are collected from the seller's later payouts and its guarantee deposit
(debts_collect), oldest first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from anxin.aftersales.models import Creditor, SellerDebt
from anxin.ledger.models import Account, Transfer
from anxin.ledger.posting import Kind as TKind
from anxin.ledger.services import (
    TransferRequest,
    buyer_account,
    deposit_account,
    fees_account,
    fund_account,
    provider_account,
    seller_account,
    transfer_id,
    transfers_create,
)
from anxin.orders import services as orders
from anxin.orders.models import Order
from anxin.payments import services as payments
from anxin.payments.models import PaymentStatus, Refund


@dataclass
class Paid:
    already: int = 0  # already paid back on the order before this remedy: not paid again
    escrow: int = 0  # refunded from the order's escrow
    fee: int = 0  # the platform's fee given back, after payout
    seller: int = 0  # taken back from the seller's balance
    fund: int = 0  # advanced by the guarantee fund
    debt: int = 0  # still owed to the buyer by the seller

    @property
    def to_buyer(self) -> int:
        return self.escrow + self.fee + self.seller + self.fund

    def json(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if v}


def available(code: str) -> int:
    """What an account can pay now, its row locked for the rest of the transaction."""
    acc = Account.objects.select_for_update().filter(code=code).first()
    if acc is None:
        return 0
    return max(0, acc.credits_posted - acc.debits_posted - acc.debits_pending)


_BUYER = Q(credit_account__code__startswith="buyer:")
_FROM_BUYER = Q(debit_account__code__startswith="buyer:")


def buyer_position(refs: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """What each order's buyer paid and has been paid back, per order number, read from the
    ledger alone (so that a payer's own bookkeeping cannot vouch for itself).

    Paid is every capture. Paid back is what reached the buyer's funds on the order and did
    not go on to the seller or the fee: the captures and every other credit (clawbacks,
    fund advances, fees given back, debts repaid), less the escrow holds posted to the seller
    and the fee and the holds still pending. A refund out to the provider is the buyer's own
    money leaving its funds, so it does not reduce what was paid back; a refund the provider
    failed to pay comes back as a credit and is not counted twice."""
    rows = Transfer.objects.filter(_BUYER | _FROM_BUYER)
    if refs is not None:
        rows = rows.filter(ref__in=refs)
    out: dict[str, tuple[int, int]] = {}
    for r in rows.values("ref").annotate(
        paid=Sum("amount", filter=_BUYER & Q(code="capture")),
        credits=Sum("amount", filter=_BUYER & Q(kind="posted") & ~Q(code="refund_failed")),
        released=Sum("amount", filter=_FROM_BUYER & Q(kind="post_pending")),
        held=Sum("amount", filter=_FROM_BUYER & Q(kind="pending", pending_state="pending")),
    ):
        paid = r["paid"] or 0
        back = (r["credits"] or 0) - (r["released"] or 0) - (r["held"] or 0)
        out[r["ref"]] = (paid, back)
    return out


def returned_to_buyer(order: Order) -> int:
    """What the buyer of `order` has already been paid back on it (see buyer_position)."""
    return buyer_position([order.number]).get(order.number, (0, 0))[1]


def pay_buyer(
    order: Order | None,
    *,
    buyer_id: int,
    seller_id: int,
    key: str,
    price_fen: int,
    extra_fen: int,
    reason: str,
    fund_cap_fen: int = 0,
    debt_for: dict[str, Any],
    net_of_earlier: bool = True,
) -> Paid:
    """Pay the buyer `price_fen` of the price and `extra_fen` the seller owes on top (return
    shipping, compensation). Runs in the caller's transaction, with the order (if any)
    locked; `key` makes every transfer's id, so a retried call is refused by the ledger
    rather than paid twice. `debt_for` names what a debt arises from (after_sale=...,
    dispute=...).

    `price_fen + extra_fen` is everything the buyer should have had back on the order once
    this remedy is paid: whatever reached the buyer before (a refund, an after-sales refund,
    an earlier remedy) is subtracted first, from the price part and then from the rest, so
    that no payer pays what another already paid. A payment that stands on its own (the
    return shipping of a repair) passes `net_of_earlier=False`."""
    paid = Paid()
    if order is not None and net_of_earlier:
        paid.already = returned_to_buyer(order)
        from_price = min(paid.already, price_fen)
        price_fen -= from_price
        extra_fen -= min(paid.already - from_price, extra_fen)
    buyer, seller = buyer_account(buyer_id), seller_account(seller_id)
    chain: list[TransferRequest] = []
    owed_by_seller = extra_fen
    if order is not None and order.in_escrow:
        fee_back = order.fee_fen * price_fen // order.amount_fen
        seller_part = price_fen - fee_back
        # Settle the holds for what is not refunded; what is refunded stays with the buyer.
        for name, held, back, code in (
            ("seller", order.seller_share_fen, seller_part, "escrow"),
            ("fee", order.fee_fen, fee_back, "fee"),
        ):
            if not held:
                continue
            keep = held - back
            chain.append(
                TransferRequest(
                    transfer_id(key, "settle", name),
                    buyer,
                    seller if name == "seller" else fees_account(),
                    keep if keep else held,
                    f"{code}_{'release' if keep else 'void'}",
                    order.number,
                    TKind.POST_PENDING if keep else TKind.VOID_PENDING,
                    transfer_id("order", order.pk, "hold", name),
                )
            )
        paid.escrow = price_fen
    elif order is not None:
        paid.fee = order.fee_fen * price_fen // order.amount_fen
        if paid.fee:
            chain.append(
                TransferRequest(
                    transfer_id(key, "fee_back"),
                    fees_account(),
                    buyer,
                    paid.fee,
                    "fee_refund",
                    order.number,
                )
            )
        owed_by_seller += price_fen - paid.fee
    else:
        owed_by_seller += price_fen  # a sale made outside Anxin: nothing is held here
    ref = order.number if order is not None else key
    if owed_by_seller:
        paid.seller = min(owed_by_seller, available(seller))
        if paid.seller:
            chain.append(
                TransferRequest(
                    transfer_id(key, "clawback"), seller, buyer, paid.seller, "clawback", ref
                )
            )
    short = owed_by_seller - paid.seller
    if short and fund_cap_fen:
        paid.fund = min(short, fund_cap_fen, available(fund_account()))
        if paid.fund:
            chain.append(
                TransferRequest(
                    transfer_id(key, "advance"), fund_account(), buyer, paid.fund, "advance", ref
                )
            )
    paid.debt = short - paid.fund
    if order is not None:
        pay_out(order, chain, paid.to_buyer, key=key, reason=reason)
    elif chain:
        # No payment to send it back through: it stays in the buyer's funds with Anxin.
        transfers_create(chain)
    now = timezone.now()
    order_id = order.pk if order is not None else None
    for creditor, amount in ((Creditor.FUND, paid.fund), (Creditor.BUYER, paid.debt)):
        if amount:
            SellerDebt.objects.create(
                seller_id=seller_id,
                buyer_id=buyer_id,
                creditor=creditor,
                order_id=order_id,
                amount_fen=amount,
                created_at=now,
                **debt_for,
            )
    return paid


def pay_out(
    order: Order, chain: list[TransferRequest], amount: int, *, key: str, reason: str
) -> None:
    """Send `amount` of the buyer's funds back through the payment it came from. A provider
    refunds at most what was paid; anything above that (return shipping, compensation)
    stays in the buyer's funds with Anxin, in the ledger, until a payout rail exists."""
    payment = order.payments.get(status=PaymentStatus.SUCCEEDED)
    already = sum(Refund.objects.filter(payment=payment).values_list("amount_fen", flat=True))
    to_provider = min(amount, payment.amount_fen - already)
    if to_provider:
        chain.append(
            TransferRequest(
                transfer_id("refund", key),
                buyer_account(order.buyer_id),
                provider_account(payment.provider),
                to_provider,
                "refund",
                order.number,
            )
        )
    if chain:
        transfers_create(chain)
    if to_provider:
        payments.refund_create(
            order=order, payment=payment, amount_fen=to_provider, reason=reason, key=f"{key}:refund"
        )
    if amount > to_provider:
        orders._event(
            order,
            "buyer_credited",
            actor=None,
            role="system",
            amount_fen=amount - to_provider,
            reason="above the amount paid; kept in the buyer's funds with Anxin",
        )


def debts_collect(*, seller_id: int) -> int:
    """Pay the seller's open debts from its balance, then its guarantee deposit, oldest
    first: to the buyer (paid out through the order's payment) or back to the fund that
    advanced the money. Returns fen collected."""
    from anxin.disputes import services as disputes

    collected = 0
    for debt_id in (
        SellerDebt.objects.filter(seller_id=seller_id, settled_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            first = SellerDebt.objects.get(pk=debt_id)
            order = orders._locked_id(first.order_id) if first.order_id else None
            debt = SellerDebt.objects.select_for_update().get(pk=debt_id)
            if debt.settled_at is not None:
                continue
            owed = debt.amount_fen - debt.repaid_fen
            from_balance = min(owed, available(seller_account(seller_id)))
            from_deposit = min(owed - from_balance, available(deposit_account(seller_id)))
            take = from_balance + from_deposit
            if not take:
                break
            key = f"debt:{debt.pk}:{debt.repaid_fen}"
            to = fund_account() if debt.creditor == Creditor.FUND else buyer_account(debt.buyer_id)
            ref = order.number if order is not None else f"debt:{debt.pk}"
            chain = [
                TransferRequest(transfer_id(key, src), code, to, amount, kind, ref)
                for src, code, amount, kind in (
                    ("balance", seller_account(seller_id), from_balance, "recovery"),
                    ("deposit", deposit_account(seller_id), from_deposit, "deposit_claim"),
                )
                if amount
            ]
            if debt.creditor == Creditor.BUYER and order is not None:
                pay_out(order, chain, take, key=key, reason="seller debt repaid")
            else:
                transfers_create(chain)
            debt.repaid_fen += take
            debt.settled_at = timezone.now() if debt.repaid_fen == debt.amount_fen else None
            debt.save(update_fields=["repaid_fen", "settled_at"])
            detail: dict[str, Any] = {
                "amount_fen": take,
                "from_deposit_fen": from_deposit,
                "owed_fen": owed - take,
                "creditor": debt.creditor,
            }
            if order is not None:
                orders._event(order, "seller_debt_repaid", actor=None, role="system", **detail)
            if debt.dispute_id:
                disputes.record_debt_repaid(debt.dispute_id, detail)
            collected += take
    return collected
