"""Every change to the ledger goes through `transfers_create`.

Callers run it inside their own business transaction, so an order's state and its money move
together or not at all. Account rows are locked in ascending id order (see core.locking), the
posting rules decide, and only then are rows written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from anxin.core.locking import lock_rows
from anxin.ledger import posting
from anxin.ledger.models import Account, AccountKind, Transfer
from anxin.ledger.posting import Flag, Kind, LedgerError, PendingState, PendingView

# Transfer ids derived from business facts ("order 17's capture") are stable across retries,
# which is what makes a retried operation apply nothing twice.
_NAMESPACE = uuid.UUID("6f1b9a52-3c0e-4f7a-9a56-5d2f7f3c1a01")


def transfer_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in parts))


@dataclass(frozen=True)
class TransferRequest:
    id: uuid.UUID
    debit_account_id: int
    credit_account_id: int
    amount: int
    code: str
    ref: str
    kind: Kind = Kind.POSTED
    pending_id: uuid.UUID | None = None
    currency: str = "CNY"


_LIABILITY_FLAGS = int(Flag.DEBITS_MUST_NOT_EXCEED_CREDITS)
_KIND_FLAGS = {
    AccountKind.PROVIDER_CLEARING: 0,
    AccountKind.BUYER_FUNDS: _LIABILITY_FLAGS,
    AccountKind.SELLER_PAYABLE: _LIABILITY_FLAGS,
    AccountKind.PLATFORM_FEES: _LIABILITY_FLAGS,
}


def account_get_or_create(*, code: str, kind: AccountKind, owner_id: int | None = None) -> Account:
    try:
        return Account.objects.get(code=code)
    except Account.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Account.objects.create(
                code=code, kind=kind, owner_id=owner_id, flags=_KIND_FLAGS[kind]
            )
    except IntegrityError:
        # Another transaction created it between our read and our insert.
        return Account.objects.get(code=code)


def provider_account(provider: str) -> Account:
    return account_get_or_create(code=f"provider:{provider}", kind=AccountKind.PROVIDER_CLEARING)


def buyer_account(user_id: int) -> Account:
    return account_get_or_create(
        code=f"buyer:{user_id}", kind=AccountKind.BUYER_FUNDS, owner_id=user_id
    )


def seller_account(user_id: int) -> Account:
    return account_get_or_create(
        code=f"seller:{user_id}", kind=AccountKind.SELLER_PAYABLE, owner_id=user_id
    )


def fees_account() -> Account:
    return account_get_or_create(code="platform:fees", kind=AccountKind.PLATFORM_FEES)


def _same_content(stored: Transfer, r: TransferRequest) -> bool:
    pending_uuid = stored.pending.id if stored.pending is not None else None
    return (
        stored.debit_account_id == r.debit_account_id
        and stored.credit_account_id == r.credit_account_id
        and stored.amount == r.amount
        and stored.kind == r.kind.value
        and pending_uuid == r.pending_id
        and stored.code == r.code
        and stored.ref == r.ref
        and stored.currency == r.currency
    )


def _existing(requests: Sequence[TransferRequest]) -> list[Transfer] | None:
    found = {
        t.id: t
        for t in Transfer.objects.select_related("pending").filter(id__in=[r.id for r in requests])
    }
    if not found:
        return None
    if len(found) != len(requests):
        raise LedgerError(
            "partial_chain_exists", "some transfers of this linked chain exist and others do not"
        )
    for r in requests:
        if not _same_content(found[r.id], r):
            raise LedgerError(
                "exists_with_different_fields", f"transfer {r.id} exists with different content"
            )
    return [found[r.id] for r in requests]


@transaction.atomic
def transfers_create(requests: Sequence[TransferRequest]) -> list[Transfer]:
    """Apply `requests` as one linked chain: every transfer applies or none does.

    Retry-safe: if the chain was applied before (same ids, same content) the stored transfers
    are returned and nothing changes; the same ids with other content are refused.
    """
    if not requests:
        raise LedgerError("empty_chain", "no transfers given")
    if len({r.id for r in requests}) != len(requests):
        raise LedgerError("duplicate_id", "one id used twice in a chain")
    if (done := _existing(requests)) is not None:
        return done

    account_ids = {r.debit_account_id for r in requests} | {r.credit_account_id for r in requests}
    accounts = lock_rows(Account, account_ids)
    pending_ids = [r.pending_id for r in requests if r.pending_id is not None]
    pendings = {
        t.id: t
        for t in Transfer.objects.select_for_update().filter(id__in=pending_ids).order_by("seq")
    }
    # Re-check under the locks: a concurrent retry of this very chain may have committed while
    # we waited for them.
    if (done := _existing(requests)) is not None:
        return done

    balances = {pk: a.as_balance() for pk, a in accounts.items()}
    views: dict[uuid.UUID, PendingView] = {
        pid: PendingView(t.as_posting(), PendingState(t.pending_state or ""))
        for pid, t in pendings.items()
    }
    resolved: dict[uuid.UUID, PendingState] = {}
    for r in requests:
        view = views.get(r.pending_id) if r.pending_id else None
        if r.pending_id is not None and view is None:
            raise LedgerError("pending_not_found", f"transfer {r.id}: no pending {r.pending_id}")
        effects = posting.apply(
            posting.Transfer(
                id=str(r.id),
                debit_account_id=r.debit_account_id,
                credit_account_id=r.credit_account_id,
                amount=r.amount,
                kind=r.kind,
                pending_id=str(r.pending_id) if r.pending_id else None,
                currency=r.currency,
            ),
            balances,
            view,
        )
        balances = effects.balances
        if effects.resolved_pending and view is not None and r.pending_id is not None:
            view.state = effects.resolved_pending[1]
            resolved[r.pending_id] = effects.resolved_pending[1]

    now = timezone.now()
    chain = requests[0].id
    rows = [
        Transfer(
            id=r.id,
            debit_account_id=r.debit_account_id,
            credit_account_id=r.credit_account_id,
            amount=r.amount,
            currency=r.currency,
            kind=r.kind.value,
            pending=pendings[r.pending_id] if r.pending_id else None,
            pending_state=PendingState.PENDING.value if r.kind is Kind.PENDING else None,
            code=r.code,
            ref=r.ref,
            chain=chain,
            chain_index=i,
            chain_size=len(requests),
            created_at=now,
        )
        for i, r in enumerate(requests)
    ]
    for row in rows:
        row.save(force_insert=True)
    for pid, state in resolved.items():
        changed = Transfer.objects.filter(id=pid, pending_state=PendingState.PENDING.value).update(
            pending_state=state.value
        )
        if changed != 1:
            raise LedgerError("pending_race", f"pending {pid} changed under its lock")
    for pk, b in balances.items():
        a = accounts[pk]
        if a.as_balance() != b:
            Account.objects.filter(pk=pk).update(
                debits_pending=b.debits_pending,
                debits_posted=b.debits_posted,
                credits_pending=b.credits_pending,
                credits_posted=b.credits_posted,
            )
    return rows
