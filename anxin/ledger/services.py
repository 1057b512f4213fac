"""Every change to the ledger goes through `transfers_create`.

Callers run it inside their own business transaction, so an order's state and its money move
together or not at all. Accounts are named by code ("buyer:42"); they are locked in ascending
id order in one query (_lock_accounts), the posting rules decide, and only then are rows
written: the transfers in one INSERT, the balances in one UPDATE.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from anxin.core.sql import insert_rows
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
    debit: str  # account code
    credit: str  # account code
    amount: int
    code: str
    ref: str
    kind: Kind = Kind.POSTED
    pending_id: uuid.UUID | None = None
    currency: str = "CNY"


_LIABILITY = int(Flag.DEBITS_MUST_NOT_EXCEED_CREDITS)
# What an account is follows from its code, so an account comes into being the first time
# money moves through it, with the right flags, without a separate set-up step.
_PREFIXES = {
    "provider:": (AccountKind.PROVIDER_CLEARING, 0),
    "buyer:": (AccountKind.BUYER_FUNDS, _LIABILITY),
    "seller:": (AccountKind.SELLER_PAYABLE, _LIABILITY),
    "platform:fees": (AccountKind.PLATFORM_FEES, _LIABILITY),
    # Advance compensation (先行赔付) is paid from the fund; sellers' deposits are held apart,
    # one account each. Neither can pay out more than it holds.
    "guarantee:fund": (AccountKind.GUARANTEE_FUND, _LIABILITY),
    "deposit:": (AccountKind.GUARANTEE_DEPOSIT, _LIABILITY),
    # Sellers' withdrawals between the request and the provider's answer (two-phase: held
    # from the seller's payable, then posted out to the provider or voided back).
    "payouts:clearing": (AccountKind.PAYOUT_CLEARING, _LIABILITY),
}


def provider_account(provider: str) -> str:
    return f"provider:{provider}"


def buyer_account(user_id: int) -> str:
    return f"buyer:{user_id}"


def seller_account(user_id: int) -> str:
    return f"seller:{user_id}"


def fees_account() -> str:
    return "platform:fees"


def fund_account() -> str:
    return "guarantee:fund"


def deposit_account(seller_id: int) -> str:
    return f"deposit:{seller_id}"


def payout_clearing_account() -> str:
    return "payouts:clearing"


def _kind_for(code: str) -> tuple[AccountKind, int]:
    for prefix, kind_and_flags in _PREFIXES.items():
        if code.startswith(prefix):
            return kind_and_flags
    raise LedgerError("unknown_account", f"no account {code} and no rule to open one")


def _create_accounts(codes: set[str]) -> None:
    for code in sorted(codes):
        kind, flags = _kind_for(code)
        owner = (
            int(code.split(":", 1)[1])
            if kind
            in (AccountKind.BUYER_FUNDS, AccountKind.SELLER_PAYABLE, AccountKind.GUARANTEE_DEPOSIT)
            else None
        )
        try:
            with transaction.atomic():
                Account.objects.create(code=code, kind=kind, flags=flags, owner_id=owner)
        except IntegrityError:
            pass  # opened by a concurrent transaction meanwhile: just as good


_ACCOUNT_COLUMNS = (
    "id, code, flags, currency, debits_pending, debits_posted, credits_pending, credits_posted"
)


def _lock_accounts(codes: set[str]) -> dict[str, posting.Balance]:
    """Lock the accounts by code in ascending id order, in one statement: the fixed lock order
    that rules out deadlocks. Opens accounts that do not exist yet. Hand-written SQL: this runs
    twice in every order's life and is the ledger's hottest statement."""
    table = Account._meta.db_table
    marks = ", ".join(["%s"] * len(codes))
    sql = f"SELECT {_ACCOUNT_COLUMNS} FROM {table} WHERE code IN ({marks}) ORDER BY id"  # noqa: S608
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    ordered = sorted(codes)
    for attempt in range(2):
        with connection.cursor() as cur:
            cur.execute(sql, ordered)
            rows = cur.fetchall()
        if len(rows) == len(codes) or attempt:
            break
        _create_accounts(codes - {r[1] for r in rows})
    if len(rows) != len(codes):
        raise LedgerError("unknown_account", f"accounts {sorted(codes)} could not be opened")
    return {
        code: posting.Balance(
            account_id=pk,
            flags=flags,
            currency=cur_,
            debits_pending=dp,
            debits_posted=dP,
            credits_pending=cp,
            credits_posted=cP,
        )
        for pk, code, flags, cur_, dp, dP, cp, cP in rows
    }


def _same_content(stored: Transfer, r: TransferRequest, ids: dict[str, int]) -> bool:
    pending_uuid = stored.pending.id if stored.pending is not None else None
    return (
        stored.debit_account_id == ids.get(r.debit)
        and stored.credit_account_id == ids.get(r.credit)
        and stored.amount == r.amount
        and stored.kind == r.kind.value
        and pending_uuid == r.pending_id
        and stored.code == r.code
        and stored.ref == r.ref
        and stored.currency == r.currency
    )


def _uuid_param(value: uuid.UUID) -> Any:
    return Transfer._meta.get_field("id").get_db_prep_value(value, connection)


def _existing(requests: Sequence[TransferRequest], ids: dict[str, int]) -> list[uuid.UUID] | None:
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
        if not _same_content(found[r.id], r, ids):
            raise LedgerError(
                "exists_with_different_fields", f"transfer {r.id} exists with different content"
            )
    return [r.id for r in requests]


def _read_chain(
    requests: Sequence[TransferRequest],
) -> tuple[bool, dict[uuid.UUID, tuple[int, posting.Transfer, PendingState]]]:
    """One statement, run under the accounts' locks: whether any transfer of this chain exists
    already (a retry), and the holds it posts or voids as (seq, posting view, state).

    The holds need no lock of their own: a post or void names the hold's own two accounts,
    which are locked, so two resolutions of one hold are serialised by those locks, and the
    conditional UPDATE of pending_state below refuses a second one regardless."""
    chain_ids = {r.id for r in requests}
    wanted = list(chain_ids) + [r.pending_id for r in requests if r.pending_id is not None]
    marks = ", ".join(["%s"] * len(wanted))
    sql = (
        "SELECT seq, id, debit_account_id, credit_account_id, amount, kind, currency, "  # noqa: S608
        f"pending_state FROM {Transfer._meta.db_table} WHERE id IN ({marks})"
    )
    retry = False
    holds = {}
    id_field = Transfer._meta.get_field("id")
    with connection.cursor() as cur:
        cur.execute(sql, [_uuid_param(p) for p in wanted])
        for seq, raw_id, debit, credit, amount, kind, currency, state in cur.fetchall():
            tid = id_field.to_python(raw_id)
            if tid in chain_ids:
                retry = True
                continue
            # A transfer named as a hold that is not one is refused by the posting rules
            # ("not_pending"); its state is irrelevant then.
            holds[tid] = (
                seq,
                posting.Transfer(
                    id=str(tid),
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount=amount,
                    kind=Kind(kind),
                    currency=currency,
                ),
                PendingState(state) if state else PendingState.PENDING,
            )
    return retry, holds


_T, _A = Transfer._meta.db_table, Account._meta.db_table
_BALANCES = "debits_pending, debits_posted, credits_pending, credits_posted"
# PostgreSQL: the holds a chain settles and the balances it changes in one statement (the
# rows are locked, so absolute balances are safe to write); it returns how many holds were
# still pending. Arrays, not a list of values, so the text is one for any number of rows.
_SETTLE_PG = (
    f"WITH settled AS (UPDATE {_T} t SET pending_state = v.state "  # noqa: S608
    "FROM unnest(%s::uuid[], %s::text[]) AS v(id, state) "
    "WHERE t.id = v.id AND t.pending_state = 'pending' RETURNING 1), "
    f"balances AS (UPDATE {_A} a SET ({_BALANCES}) = (v.dp, v.dpo, v.cp, v.cpo) "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[]) "
    "AS v(id, dp, dpo, cp, cpo) WHERE a.id = v.id RETURNING 1) "
    "SELECT count(*) FROM settled"
)
_SETTLE = f"UPDATE {_T} SET pending_state = %s WHERE id = %s AND pending_state = 'pending'"  # noqa: S608
_BALANCE = (
    f"UPDATE {_A} SET debits_pending = %s, debits_posted = %s, "  # noqa: S608
    "credits_pending = %s, credits_posted = %s WHERE id = %s"
)


def _write_balances(
    resolved: dict[uuid.UUID, PendingState], balances: list[tuple[int, int, int, int, int]]
) -> int:
    """Settle the holds `resolved` names (only those still pending) and write the changed
    balances (id, debits pending, debits posted, credits pending, credits posted); returns
    how many holds were settled. One statement on PostgreSQL."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            columns = list(zip(*balances, strict=True)) or [()] * 5
            cur.execute(
                _SETTLE_PG,
                [list(resolved), [st.value for st in resolved.values()], *map(list, columns)],
            )
            return int(cur.fetchone()[0])
        settled = 0
        for pid, st in resolved.items():
            cur.execute(_SETTLE, [st.value, _uuid_param(pid)])
            settled += cur.rowcount
        if balances:
            cur.executemany(_BALANCE, [(*b[1:], b[0]) for b in balances])
        return settled


# No savepoint: the chain is part of the caller's transaction, and a refused chain must abort
# that whole transaction anyway (an order must not change state without its money). It also
# saves two round trips on every money movement.
@transaction.atomic(savepoint=False)
def transfers_create(requests: Sequence[TransferRequest]) -> list[uuid.UUID]:
    """Apply `requests` as one linked chain: every transfer applies or none does.

    Returns the transfers' ids. Retry-safe: if the chain was applied before (same ids, same
    content) nothing changes; the same ids with other content are refused.
    """
    if not requests:
        raise LedgerError("empty_chain", "no transfers given")
    if len({r.id for r in requests}) != len(requests):
        raise LedgerError("duplicate_id", "one id used twice in a chain")

    locked = _lock_accounts({r.debit for r in requests} | {r.credit for r in requests})
    ids = {code: b.account_id for code, b in locked.items()}
    # Checked under the locks, so a concurrent retry of this very chain has either committed
    # (and we return its transfers) or not started.
    retry, pendings = _read_chain(requests)
    if retry and (done := _existing(requests, ids)) is not None:
        return done

    before = {b.account_id: b for b in locked.values()}
    balances = dict(before)
    views = {pid: PendingView(t, state) for pid, (_, t, state) in pendings.items()}
    resolved: dict[uuid.UUID, PendingState] = {}
    for r in requests:
        view = views.get(r.pending_id) if r.pending_id else None
        if r.pending_id is not None and view is None:
            raise LedgerError("pending_not_found", f"transfer {r.id}: no pending {r.pending_id}")
        effects = posting.apply(
            posting.Transfer(
                id=str(r.id),
                debit_account_id=ids[r.debit],
                credit_account_id=ids[r.credit],
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
        dict(
            id=r.id,
            debit_account=ids[r.debit],
            credit_account=ids[r.credit],
            amount=r.amount,
            currency=r.currency,
            kind=r.kind.value,
            pending=pendings[r.pending_id][0] if r.pending_id else None,
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
    insert_rows(Transfer, rows)
    changed_rows = [
        (pk, b.debits_pending, b.debits_posted, b.credits_pending, b.credits_posted)
        for pk, b in balances.items()
        if b != before[pk]
    ]
    settled = _write_balances(resolved, changed_rows)
    if settled != len(resolved):
        raise LedgerError("pending_race", "a pending transfer changed under its lock")
    return [r.id for r in requests]
