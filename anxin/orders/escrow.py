"""An order's money, as ledger transfer chains. Ids are derived from the order and payment, so
each step, retried after any failure, applies exactly once.

    capture:  provider -> buyer            posted   (the payment arrived)
              buyer -> seller              pending  (seller's share, held in escrow)
              buyer -> platform fees       pending  (the fee, held in escrow)
    release:  post both holds                       (buyer confirmed: the seller is paid)
    refund:   void both holds, buyer -> provider posted (the buyer gets everything back)
"""

from __future__ import annotations

import uuid

from anxin.ledger.posting import Kind
from anxin.ledger.services import (
    TransferRequest,
    buyer_account,
    fees_account,
    provider_account,
    seller_account,
    transfer_id,
    transfers_create,
)
from anxin.orders.models import Order


def _hold_ids(order: Order) -> tuple[uuid.UUID, uuid.UUID]:
    return transfer_id("order", order.pk, "hold", "seller"), transfer_id(
        "order", order.pk, "hold", "fee"
    )


def capture(order: Order, *, payment_id: int, provider: str) -> None:
    buyer = buyer_account(order.buyer_id)
    seller_hold, fee_hold = _hold_ids(order)
    chain = [
        TransferRequest(
            transfer_id("payment", payment_id, "capture"),
            provider_account(provider),
            buyer,
            order.amount_fen,
            "capture",
            order.number,
        ),
        TransferRequest(
            seller_hold,
            buyer,
            seller_account(order.seller_id),
            order.seller_share_fen,
            "escrow_hold",
            order.number,
            Kind.PENDING,
        ),
    ]
    if order.fee_fen:
        chain.append(
            TransferRequest(
                fee_hold,
                buyer,
                fees_account(),
                order.fee_fen,
                "fee_hold",
                order.number,
                Kind.PENDING,
            )
        )
    transfers_create(chain)


def release(order: Order) -> None:
    buyer = buyer_account(order.buyer_id)
    seller_hold, fee_hold = _hold_ids(order)
    chain = [
        TransferRequest(
            transfer_id("order", order.pk, "release", "seller"),
            buyer,
            seller_account(order.seller_id),
            order.seller_share_fen,
            "escrow_release",
            order.number,
            Kind.POST_PENDING,
            seller_hold,
        ),
    ]
    if order.fee_fen:
        chain.append(
            TransferRequest(
                transfer_id("order", order.pk, "release", "fee"),
                buyer,
                fees_account(),
                order.fee_fen,
                "fee_release",
                order.number,
                Kind.POST_PENDING,
                fee_hold,
            )
        )
    transfers_create(chain)


def refund_from_escrow(order: Order, *, refund_key: str, provider: str) -> None:
    buyer = buyer_account(order.buyer_id)
    seller_hold, fee_hold = _hold_ids(order)
    chain = [
        TransferRequest(
            transfer_id("order", order.pk, "void", "seller"),
            buyer,
            seller_account(order.seller_id),
            order.seller_share_fen,
            "escrow_void",
            order.number,
            Kind.VOID_PENDING,
            seller_hold,
        ),
    ]
    if order.fee_fen:
        chain.append(
            TransferRequest(
                transfer_id("order", order.pk, "void", "fee"),
                buyer,
                fees_account(),
                order.fee_fen,
                "fee_void",
                order.number,
                Kind.VOID_PENDING,
                fee_hold,
            )
        )
    chain.append(
        TransferRequest(
            transfer_id("refund", refund_key),
            buyer,
            provider_account(provider),
            order.amount_fen,
            "refund",
            order.number,
        )
    )
    transfers_create(chain)


def capture_and_return(
    order: Order, *, payment_id: int, amount_fen: int, provider: str, refund_key: str
) -> None:
    """A payment that arrived for an order that can no longer take it (cancelled, or paid twice):
    it is recorded as received and sent straight back."""
    buyer = buyer_account(order.buyer_id)
    transfers_create(
        [
            TransferRequest(
                transfer_id("payment", payment_id, "capture"),
                provider_account(provider),
                buyer,
                amount_fen,
                "capture",
                order.number,
            ),
            TransferRequest(
                transfer_id("refund", refund_key),
                buyer,
                provider_account(provider),
                amount_fen,
                "refund",
                order.number,
            ),
        ]
    )


def refund_failed(order: Order, *, refund_key: str, amount_fen: int, provider: str) -> None:
    """The provider could not pay a refund out: the money is back in the buyer's funds with us,
    where an operator can see it and pay it by another route."""
    transfers_create(
        [
            TransferRequest(
                transfer_id("refund", refund_key, "failed"),
                provider_account(provider),
                buyer_account(order.buyer_id),
                amount_fen,
                "refund_failed",
                order.number,
            ),
        ]
    )
