"""Paying a buyer back, for a return (after-sales) or a remedy (disputes), collecting what the
seller then owes, and the guarantee fund and deposits behind both.

The order of sources is fixed: the order's escrow while the money is still held; after the
seller was paid, the platform's fee and the seller's balance; what those cannot cover is
advanced by the guarantee fund (先行赔付) up to a cap per case when the caller allows it; the
rest is the seller's debt to the buyer. What the fund advanced is the seller's debt to the
fund. Debts are collected from the seller's later payouts and its guarantee deposit
(debt_collect), oldest first.

A debt keeps its own evidence chain (`debt:<id>`): its creation and each repayment, so the
seller's and the creditor's account of it can be proved without the case it came from. The
case learns of a repayment through the DEBT_REPAID hook point: remedies sit below after-sales
and disputes and call neither.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.core import hooks
from anxin.core.errors import Forbidden, ValidationFailed, msg
from anxin.core.money import clean_fen
from anxin.core.text import clean_text
from anxin.evidence import services as evidence
from anxin.ledger.models import Account
from anxin.ledger.posting import Kind as TransferKind
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
from anxin.orders.events import OrderEventKind, order_event_record
from anxin.orders.locks import order_lock
from anxin.orders.models import Order
from anxin.payments import services as payments
from anxin.payments.models import PaymentStatus, Refund
from anxin.remedies.models import Creditor, SellerDebt
from anxin.remedies.selectors import returned_to_buyer


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


def account_available(code: str) -> int:
    """What an account can pay now, its row locked for the rest of the transaction."""
    acc = Account.objects.select_for_update().filter(code=code).first()
    if acc is None:
        return 0
    return max(0, acc.credits_posted - acc.debits_posted - acc.debits_pending)


def _fee_back(order: Order, earlier: int, price: int) -> int:
    """The platform's fee on `price` of the order's price paid back after `earlier`: reckoned
    on the running total, so that refunds in parts (items returned one by one) give back the
    whole fee once the whole price is back, with no fen lost to rounding each part down."""
    return (
        order.fee_fen * (earlier + price) // order.amount_fen
        - order.fee_fen * earlier // order.amount_fen
    )


def remedy_pay_buyer(
    order: Order | None,
    *,
    buyer_id: int,
    seller_id: int,
    key: str,
    price_fen: int,
    extra_fen: int,
    reason: str,
    fund_cap_fen: int = 0,
    debt_for: dict[str, Model],
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
    from_price = 0
    if order is not None and net_of_earlier:
        paid.already = returned_to_buyer(order)
        from_price = min(paid.already, price_fen)
        price_fen -= from_price
        extra_fen -= min(paid.already - from_price, extra_fen)
    buyer, seller = buyer_account(buyer_id), seller_account(seller_id)
    chain: list[TransferRequest] = []
    owed_by_seller = extra_fen
    if order is not None and order.in_escrow:
        fee_back = _fee_back(order, from_price, price_fen)
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
                    TransferKind.POST_PENDING if keep else TransferKind.VOID_PENDING,
                    transfer_id("order", order.pk, "hold", name),
                )
            )
        paid.escrow = price_fen
    elif order is not None:
        paid.fee = _fee_back(order, from_price, price_fen)
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
        paid.seller = min(owed_by_seller, account_available(seller))
        if paid.seller:
            chain.append(
                TransferRequest(
                    transfer_id(key, "clawback"), seller, buyer, paid.seller, "clawback", ref
                )
            )
    short = owed_by_seller - paid.seller
    if short and fund_cap_fen:
        paid.fund = min(short, fund_cap_fen, account_available(fund_account()))
        if paid.fund:
            chain.append(
                TransferRequest(
                    transfer_id(key, "advance"), fund_account(), buyer, paid.fund, "advance", ref
                )
            )
    paid.debt = short - paid.fund
    if order is not None:
        _pay_out(order, chain, paid.to_buyer, key=key, reason=reason)
    elif chain:
        # No payment to send it back through: it stays in the buyer's funds with Anxin.
        transfers_create(chain)
    now = timezone.now()
    order_id = order.pk if order is not None else None
    for creditor, amount in ((Creditor.FUND, paid.fund), (Creditor.BUYER, paid.debt)):
        if amount:
            debt = SellerDebt.objects.create(
                seller_id=seller_id,
                buyer_id=buyer_id,
                creditor=creditor,
                order_id=order_id,
                amount_fen=amount,
                created_at=now,
                **debt_for,
            )
            evidence.append(
                chain=debt.chain,
                kind="debt.created",
                at=now,
                body={
                    "debt": debt.pk,
                    "seller": seller_id,
                    "buyer": buyer_id,
                    "creditor": creditor,
                    "amount_fen": amount,
                    "order": order.number if order is not None else None,
                    **{name: source.pk for name, source in debt_for.items()},
                },
            )
    return paid


def _pay_out(
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
        order_event_record(
            order,
            OrderEventKind.BUYER_CREDITED,
            actor=None,
            role="system",
            amount_fen=amount - to_provider,
            reason="above the amount paid; kept in the buyer's funds with Anxin",
        )


def debt_collect(*, seller_id: int) -> int:
    """Pay the seller's open debts from its balance, then its guarantee deposit, oldest
    first: to the buyer (paid out through the order's payment) or back to the fund that
    advanced the money. Returns fen collected."""
    collected = 0
    for debt_id in (
        SellerDebt.objects.filter(seller_id=seller_id, settled_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            first = SellerDebt.objects.get(pk=debt_id)
            order = order_lock(first.order_id).order if first.order_id else None
            debt = SellerDebt.objects.select_for_update().get(pk=debt_id)
            if debt.settled_at is not None:
                continue
            owed = debt.amount_fen - debt.repaid_fen
            from_balance = min(owed, account_available(seller_account(seller_id)))
            from_deposit = min(owed - from_balance, account_available(deposit_account(seller_id)))
            take = from_balance + from_deposit
            if not take:
                break
            key = f"debt:{debt.pk}:{debt.repaid_fen}"
            to = fund_account() if debt.creditor == Creditor.FUND else buyer_account(debt.buyer_id)
            ref = order.number if order is not None else debt.chain
            chain = [
                TransferRequest(transfer_id(key, src), code, to, amount, kind, ref)
                for src, code, amount, kind in (
                    ("balance", seller_account(seller_id), from_balance, "recovery"),
                    ("deposit", deposit_account(seller_id), from_deposit, "deposit_claim"),
                )
                if amount
            ]
            if debt.creditor == Creditor.BUYER and order is not None:
                _pay_out(order, chain, take, key=key, reason="seller debt repaid")
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
                order_event_record(
                    order, OrderEventKind.SELLER_DEBT_REPAID, actor=None, role="system", **detail
                )
            _debt_record_repaid(debt, detail)
            collected += take
    return collected


def _debt_record_repaid(debt: SellerDebt, detail: dict[str, Any]) -> None:
    """The repayment on the debt's own chain (under the debt's row lock, which orders that
    chain), then the case the debt came from, through its hook point, in this transaction."""
    evidence.append(chain=debt.chain, kind="debt.repaid", body={"debt": debt.pk, **detail})
    hooks.call(hooks.DEBT_REPAID, debt=debt, detail=detail)


@transaction.atomic
def deposit_lodge(*, actor: User, amount_fen: Any) -> int:
    """A seller moves money from its balance into its guarantee deposit. Returns the deposit."""
    if actor.role != Role.SELLER:
        raise Forbidden("only sellers lodge deposits")
    amount = clean_fen(amount_fen, "amount_fen", most=10**10)
    if amount == 0:
        raise ValidationFailed("amount_fen: must be more than 0", field="amount_fen")
    have = account_available(seller_account(actor.pk))
    if amount > have:
        raise ValidationFailed(
            msg("amount_fen: your balance is {have} fen", have=have), field="amount_fen"
        )
    transfers_create(
        [
            TransferRequest(
                transfer_id("deposit", actor.pk, secrets.token_hex(8)),
                seller_account(actor.pk),
                deposit_account(actor.pk),
                amount,
                "deposit",
                f"seller:{actor.pk}",
            )
        ]
    )
    return account_available(deposit_account(actor.pk))


@transaction.atomic
def fund_allocate(*, actor: User, amount_fen: Any, reason: str) -> int:
    """The operator puts part of the platform's fee income into the guarantee fund."""
    if actor.role != Role.OPERATOR:
        raise Forbidden("only the platform operator manages the guarantee fund")
    amount = clean_fen(amount_fen, "amount_fen", most=10**12)
    if amount == 0:
        raise ValidationFailed("amount_fen: must be more than 0", field="amount_fen")
    reason = clean_text(reason, "reason", 200, multiline=True)
    have = account_available(fees_account())
    if amount > have:
        raise ValidationFailed(
            msg("amount_fen: fee income available is {have} fen", have=have), field="amount_fen"
        )
    transfers_create(
        [
            TransferRequest(
                transfer_id("fund", secrets.token_hex(8)),
                fees_account(),
                fund_account(),
                amount,
                "fund_allocation",
                reason,
            )
        ]
    )
    return account_available(fund_account())
