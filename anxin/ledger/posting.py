"""The ledger's posting rules, in plain Python with no Django in them.

Modelled on TigerBeetle: an account keeps four running totals (debits and credits, each pending
and posted); a transfer moves a positive amount from a debit account to a credit account and is
either posted at once, or pending (a hold, which is how escrow works) and later posted or voided
by a second transfer that names it. Transfers are never edited; a correction is a new transfer.

`apply` is the single place where balances change. It is used by the database service (on locked
rows) and by the audit (replaying every transfer from zero), so the two can never disagree about
what a transfer means.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Flag(enum.IntFlag):
    NONE = 0
    # The account can never pay out more than it has received: balances of buyers' funds,
    # sellers' payables and the platform's fees. Pending debits count as spent.
    DEBITS_MUST_NOT_EXCEED_CREDITS = 1
    CREDITS_MUST_NOT_EXCEED_DEBITS = 2


class Kind(enum.StrEnum):
    POSTED = "posted"
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"


class PendingState(enum.StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"


class LedgerError(Exception):
    """A transfer that must not be applied. `code` is stable; the message names the problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Balance:
    account_id: int
    flags: int = 0
    currency: str = "CNY"
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0

    @property
    def net_posted(self) -> int:
        """Credits minus debits, posted only: what a liability account holds."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What a liability account may still pay out: holds already count as spent."""
        return self.credits_posted - self.debits_posted - self.debits_pending


@dataclass(frozen=True)
class Transfer:
    id: str
    debit_account_id: int
    credit_account_id: int
    amount: int
    kind: Kind = Kind.POSTED
    pending_id: str | None = None
    currency: str = "CNY"


@dataclass
class PendingView:
    """What the rules need to know about a pending transfer when posting or voiding it."""

    transfer: Transfer
    state: PendingState = PendingState.PENDING


@dataclass
class Effects:
    balances: dict[int, Balance] = field(default_factory=dict)
    resolved_pending: tuple[str, PendingState] | None = None


def _check_limits(b: Balance) -> None:
    if b.flags & Flag.DEBITS_MUST_NOT_EXCEED_CREDITS and (
        b.debits_pending + b.debits_posted > b.credits_posted
    ):
        raise LedgerError(
            "exceeds_credits",
            f"account {b.account_id} would pay out {b.debits_pending + b.debits_posted} fen "
            f"but has received only {b.credits_posted}",
        )
    if b.flags & Flag.CREDITS_MUST_NOT_EXCEED_DEBITS and (
        b.credits_pending + b.credits_posted > b.debits_posted
    ):
        raise LedgerError(
            "exceeds_debits",
            f"account {b.account_id} would receive {b.credits_pending + b.credits_posted} fen "
            f"but has paid out only {b.debits_posted}",
        )


def apply(
    t: Transfer,
    balances: dict[int, Balance],
    pending: PendingView | None = None,
) -> Effects:
    """Return the balances after `t`, or raise LedgerError naming why it cannot apply.

    `balances` must hold both accounts. For post/void, `pending` is the transfer it resolves.
    Nothing is mutated: the caller writes the returned balances.
    """
    if t.amount < 0:
        raise LedgerError("negative_amount", f"transfer {t.id}: amount {t.amount} is negative")
    if t.debit_account_id == t.credit_account_id:
        raise LedgerError("same_account", f"transfer {t.id}: debit and credit are one account")
    try:
        debit = balances[t.debit_account_id]
        credit = balances[t.credit_account_id]
    except KeyError as missing:
        raise LedgerError("unknown_account", f"transfer {t.id}: no account {missing}") from None
    if not (debit.currency == credit.currency == t.currency):
        raise LedgerError("currency_mismatch", f"transfer {t.id}: accounts and transfer differ")

    resolved = None
    if t.kind in (Kind.POSTED, Kind.PENDING):
        if t.amount == 0:
            raise LedgerError("zero_amount", f"transfer {t.id}: amount must be positive")
        if t.pending_id is not None:
            raise LedgerError("unexpected_pending_id", f"transfer {t.id}: only post/void name one")
        if t.kind is Kind.POSTED:
            debit = replace(debit, debits_posted=debit.debits_posted + t.amount)
            credit = replace(credit, credits_posted=credit.credits_posted + t.amount)
        else:
            debit = replace(debit, debits_pending=debit.debits_pending + t.amount)
            credit = replace(credit, credits_pending=credit.credits_pending + t.amount)
    else:
        if pending is None or t.pending_id is None or pending.transfer.id != t.pending_id:
            raise LedgerError("pending_not_found", f"transfer {t.id}: no pending {t.pending_id}")
        p = pending.transfer
        if p.kind is not Kind.PENDING:
            raise LedgerError("not_pending", f"transfer {t.id}: {p.id} is not a pending transfer")
        if pending.state is not PendingState.PENDING:
            raise LedgerError(
                f"pending_already_{pending.state.value}",
                f"transfer {t.id}: pending {p.id} was already {pending.state.value}",
            )
        if (t.debit_account_id, t.credit_account_id) != (p.debit_account_id, p.credit_account_id):
            raise LedgerError("accounts_differ", f"transfer {t.id}: accounts differ from {p.id}")
        if t.kind is Kind.POST_PENDING:
            # A post may take less than was held (the rest is released), never more.
            if not 0 < t.amount <= p.amount:
                raise LedgerError(
                    "post_amount_out_of_range",
                    f"transfer {t.id}: posts {t.amount} of a {p.amount} fen hold",
                )
            debit = replace(
                debit,
                debits_pending=debit.debits_pending - p.amount,
                debits_posted=debit.debits_posted + t.amount,
            )
            credit = replace(
                credit,
                credits_pending=credit.credits_pending - p.amount,
                credits_posted=credit.credits_posted + t.amount,
            )
            resolved = (p.id, PendingState.POSTED)
        else:
            if t.amount != p.amount:
                raise LedgerError(
                    "void_amount_mismatch",
                    f"transfer {t.id}: voids {t.amount} of a {p.amount} hold",
                )
            debit = replace(debit, debits_pending=debit.debits_pending - p.amount)
            credit = replace(credit, credits_pending=credit.credits_pending - p.amount)
            resolved = (p.id, PendingState.VOIDED)

    _check_limits(debit)
    _check_limits(credit)
    out = dict(balances)
    out[debit.account_id] = debit
    out[credit.account_id] = credit
    return Effects(balances=out, resolved_pending=resolved)
