"""/api/v1/payouts: a seller's balance (held, withdrawable), payout accounts and withdrawals."""

from __future__ import annotations

from ninja import Header, Router, Schema, Status

from anxin.api.auth import AuthedRequest
from anxin.api.types import Id, Whole
from anxin.core.errors import Forbidden
from anxin.payouts import selectors, services
from anxin.payouts.models import Payout, SellerPayoutAccount

router = Router(tags=["payouts"])


class BalanceOut(Schema):
    balance_fen: int
    held_fen: int
    withdrawable_fen: int
    processing_fen: int
    blocked: str


class AccountIn(Schema):
    kind: str
    holder_name: str
    number: str
    bank: str = ""


class AccountOut(Schema):
    id: int
    kind: str
    masked: str


class PayoutIn(Schema):
    amount_fen: Whole
    account_id: Whole


class PayoutOut(Schema):
    id: int
    payout_key: str
    amount_fen: int
    status: str
    account: str
    failure_reason: str
    created_at: str
    completed_at: str | None
    returned_at: str | None


def _seller(request: AuthedRequest) -> None:
    if request.auth.role != "seller":
        raise Forbidden("only sellers withdraw money", code="not_a_seller")


def _account(a: SellerPayoutAccount) -> AccountOut:
    return AccountOut(id=a.pk, kind=a.kind, masked=a.masked)


def _payout(p: Payout) -> PayoutOut:
    return PayoutOut(
        id=p.pk,
        payout_key=p.payout_key,
        amount_fen=p.amount_fen,
        status=p.status,
        account=p.account.masked,
        failure_reason=p.failure_reason,
        created_at=p.created_at.isoformat(),
        completed_at=p.completed_at.isoformat() if p.completed_at else None,
        returned_at=p.returned_at.isoformat() if p.returned_at else None,
    )


@router.get("/payouts/balance", response=BalanceOut)
def balance(request: AuthedRequest) -> BalanceOut:
    """Your payable balance, how much of it is held (orders inside their after-sales window
    or with a claim open), what you may withdraw now, and what is on its way."""
    _seller(request)
    b = selectors.payout_balance(request.auth.pk)
    return BalanceOut(
        balance_fen=b.balance_fen,
        held_fen=b.held_fen,
        withdrawable_fen=b.withdrawable_fen,
        processing_fen=b.processing_fen,
        blocked=b.blocked,
    )


@router.get("/payouts/accounts", response=list[AccountOut])
def accounts(request: AuthedRequest) -> list[AccountOut]:
    _seller(request)
    return [_account(a) for a in selectors.accounts_of(request.auth.pk)]


@router.post("/payouts/accounts", response={201: AccountOut})
def account_add(request: AuthedRequest, payload: AccountIn):
    """Add a bank card or wallet (its name and number are stored encrypted, shown masked)."""
    a = services.payout_account_add(actor=request.auth, **payload.dict())
    return Status(201, _account(a))


@router.delete("/payouts/accounts/{account_id}", response={204: None})
def account_remove(request: AuthedRequest, account_id: Id):
    """Remove a card or wallet you no longer use (your past withdrawals keep naming it).
    Refused (409) while a withdrawal to it is on its way; removing it again changes nothing."""
    services.payout_account_remove(actor=request.auth, account_id=account_id)
    return Status(204, None)


@router.get("/payouts", response=list[PayoutOut])
def payouts(request: AuthedRequest) -> list[PayoutOut]:
    _seller(request)
    return [_payout(p) for p in selectors.payouts_of(request.auth.pk)]


@router.post("/payouts", response={201: PayoutOut})
def payout_request(
    request: AuthedRequest,
    payload: PayoutIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=80),
):
    """Withdraw to one of your accounts. The answer is `processing`; the result follows."""
    p = services.payout_request(
        actor=request.auth,
        amount_fen=payload.amount_fen,
        account_id=payload.account_id,
        key=idempotency_key,
    )
    p.account = SellerPayoutAccount.objects.get(pk=p.account_id)
    return Status(201, _payout(p))


@router.get("/payouts/{payout_id}", response=PayoutOut)
def payout(request: AuthedRequest, payout_id: Id) -> PayoutOut:
    _seller(request)
    return _payout(selectors.payout_of(request.auth.pk, payout_id))
