"""A payout's money, as ledger transfer chains through the payouts clearing account. Ids come
from the payout and the step, so each step, retried after any failure, applies exactly once.

    request:   seller -> payouts clearing          pending  (held: no longer withdrawable)
    paid:      post the hold                                (the money left the seller)
               payouts clearing -> provider        posted   (and left our books)
    failed:    void the hold                                (back in the seller's balance)
    returned:  provider -> payouts clearing        posted   (the bank sent it back)
               payouts clearing -> seller          posted   (back in the seller's balance)

The clearing account holds exactly the payouts still on their way: its pending credits are
their sum, and its posted balance is always zero (payouts_audit checks both)."""

from __future__ import annotations

import uuid
from typing import Any

from anxin.ledger.posting import Kind
from anxin.ledger.services import (
    TransferRequest,
    payout_clearing_account,
    provider_account,
    seller_account,
    transfer_id,
    transfers_create,
)
from anxin.payouts.models import Payout

# Every code a payout's transfers carry (their ref is the payout's key).
HOLD, POST, PAID, VOID, RETURNED_IN, RETURNED = (
    "payout_hold",
    "payout_post",
    "payout_paid",
    "payout_void",
    "payout_returned_in",
    "payout_returned",
)
CODES = (HOLD, POST, PAID, VOID, RETURNED_IN, RETURNED)


def _hold_id(p: Payout) -> uuid.UUID:
    return transfer_id("payout", p.pk, "hold")


def _t(p: Payout, step: str, debit: str, credit: str, code: str, **kw: Any) -> TransferRequest:
    return TransferRequest(
        transfer_id("payout", p.pk, step), debit, credit, p.amount_fen, code, p.payout_key, **kw
    )


def hold(p: Payout) -> None:
    transfers_create(
        [
            TransferRequest(
                _hold_id(p),
                seller_account(p.seller_id),
                payout_clearing_account(),
                p.amount_fen,
                HOLD,
                p.payout_key,
                Kind.PENDING,
            )
        ]
    )


def _paid(p: Payout) -> list[TransferRequest]:
    seller, clearing = seller_account(p.seller_id), payout_clearing_account()
    return [
        _t(p, "post", seller, clearing, POST, kind=Kind.POST_PENDING, pending_id=_hold_id(p)),
        _t(p, "paid", clearing, provider_account(p.provider), PAID),
    ]


def _returned(p: Payout) -> list[TransferRequest]:
    clearing = payout_clearing_account()
    return [
        _t(p, "returned_in", provider_account(p.provider), clearing, RETURNED_IN),
        _t(p, "returned", clearing, seller_account(p.seller_id), RETURNED),
    ]


def paid(p: Payout) -> None:
    transfers_create(_paid(p))


def paid_and_returned(p: Payout) -> None:
    """A return notified before the payment it returns (notifications come in any order)."""
    transfers_create([*_paid(p), *_returned(p)])


def returned(p: Payout) -> None:
    transfers_create(_returned(p))


def void(p: Payout) -> None:
    seller, clearing = seller_account(p.seller_id), payout_clearing_account()
    transfers_create(
        [_t(p, "void", seller, clearing, VOID, kind=Kind.VOID_PENDING, pending_id=_hold_id(p))]
    )
