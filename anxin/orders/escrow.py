"""An order's money, as ledger transfer chains. Ids are derived from the order and payment, so
each step, retried after any failure, applies exactly once.

    capture:  provider -> buyer            posted   (the payment arrived)
              buyer -> seller              pending  (seller's share, held in escrow)
              buyer -> platform fees       pending  (the fee, held in escrow)
    release:  post both holds                       (buyer confirmed: the seller is paid)
    refund:   void both holds, buyer -> provider posted (the buyer gets everything back)
"""

from __future__ import annotations

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


def _holds(order: Order, kind: Kind, step: str) -> list[TransferRequest]:
    """The two escrow holds of `order` (seller's share, fee), or their posts or voids.

    For `kind` PENDING these are the holds themselves; for POST_PENDING / VOID_PENDING, the
    transfers that resolve them. A zero fee has no hold."""
    buyer = buyer_account(order.buyer_id)
    parts = [
        ("seller", seller_account(order.seller_id), order.seller_share_fen, "escrow"),
        ("fee", fees_account(), order.fee_fen, "fee"),
    ]
    chain = []
    for name, credit, amount, code in parts:
        if not amount:
            continue
        hold_id = transfer_id("order", order.pk, "hold", name)
        if kind is Kind.PENDING:
            chain.append(
                TransferRequest(
                    hold_id, buyer, credit, amount, f"{code}_hold", order.number, Kind.PENDING
                )
            )
        else:
            chain.append(
                TransferRequest(
                    transfer_id("order", order.pk, step, name),
                    buyer,
                    credit,
                    amount,
                    f"{code}_{step}",
                    order.number,
                    kind,
                    hold_id,
                )
            )
    return chain


def capture(order: Order, *, payment_id: int, provider: str) -> None:
    transfers_create(
        [
            TransferRequest(
                transfer_id("payment", payment_id, "capture"),
                provider_account(provider),
                buyer_account(order.buyer_id),
                order.amount_fen,
                "capture",
                order.number,
            ),
            *_holds(order, Kind.PENDING, "hold"),
        ]
    )


def release(order: Order) -> None:
    transfers_create(_holds(order, Kind.POST_PENDING, "release"))


def refund_from_escrow(order: Order, *, refund_key: str, provider: str) -> None:
    transfers_create(
        [
            *_holds(order, Kind.VOID_PENDING, "void"),
            TransferRequest(
                transfer_id("refund", refund_key),
                buyer_account(order.buyer_id),
                provider_account(provider),
                order.amount_fen,
                "refund",
                order.number,
            ),
        ]
    )


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
