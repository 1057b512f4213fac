"""Sellers' withdrawals.

`payout_request` records the payout with its ledger hold and commits; a task (`payout_submit`,
in submission.py) then asks the provider, outside any transaction and never under a row lock;
the provider's notification, handed over by payments through the PAYOUT_COMPLETED hook, settles
it (`payout_completed`). `anxin deadlines` queues again any payout a crash left unsubmitted
(`payouts_requeue`), with the same payout key, so the provider pays it once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.core import faults
from anxin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed, msg
from anxin.core.money import clean_fen
from anxin.core.tasks_backend import enqueued_together
from anxin.ledger.posting import LedgerError
from anxin.payments.models import NotificationStatus
from anxin.payments.providers import get_provider
from anxin.payouts import ledger
from anxin.payouts.models import AccountKind, Payout, PayoutStatus, SellerPayoutAccount
from anxin.payouts.selectors import payout_balance
from anxin.payouts.submission import settle
from anxin.payouts.tasks import payout_submit as submit_task
from anxin.sellers import crypto

# How long the sweeper leaves a new payout to the task queued with it.
SUBMIT_GRACE_SECONDS = 120
MOST_FEN = 10**10


def _seller(actor: User) -> None:
    if not actor.is_authenticated or actor.role != Role.SELLER:
        raise Forbidden("only sellers withdraw money")


def payout_account_add(
    *, actor: User, kind: str, holder_name: str, number: str, bank: str = ""
) -> SellerPayoutAccount:
    """A card or wallet the seller is paid to; its name and number are sealed at rest."""
    _seller(actor)
    if kind not in AccountKind.values:
        raise ValidationFailed(
            msg("kind: must be one of {kinds}", kinds=", ".join(AccountKind.values)), field="kind"
        )
    holder_name, number, bank = holder_name.strip(), "".join(number.split()), bank.strip()
    if not holder_name or len(holder_name) > 60:
        raise ValidationFailed("holder_name: give the account holder's name", field="holder_name")
    if not 4 <= len(number) <= 64:
        raise ValidationFailed(
            "number: give the card number or the wallet's account", field="number"
        )
    if kind == AccountKind.BANK_CARD and not (number.isdigit() and 12 <= len(number) <= 19):
        raise ValidationFailed("number: a bank card number has 12 to 19 digits", field="number")
    return SellerPayoutAccount.objects.create(
        seller=actor,
        kind=kind,
        holder_name_sealed=crypto.seal(holder_name, "payout.holder_name"),
        number_sealed=crypto.seal(number, "payout.number"),
        number_tail=number[-4:],
        bank=bank[:60],
        created_at=timezone.now(),
    )


def payout_account_remove(*, actor: User, account_id: int) -> SellerPayoutAccount:
    """Remove a card or wallet the seller no longer uses: it is no longer offered and no
    withdrawal can go to it; its past withdrawals keep naming it. Refused while a withdrawal
    to it is still on its way (its answer may yet send the money back to the balance, and the
    seller must still recognise where it went). Another seller's account is not found, as one
    that does not exist. Idempotent: removing a removed account returns it unchanged."""
    _seller(actor)
    with transaction.atomic():
        # The seller's row, as payout_request takes it: a withdrawal to this account is either
        # recorded before (and refuses the removal) or finds the account removed.
        User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
        account = (
            SellerPayoutAccount.objects.select_for_update()
            .filter(pk=account_id, seller=actor)
            .first()
        )
        if account is None:
            raise NotFound(msg("payout account {account_id}: not found", account_id=account_id))
        if account.removed_at is not None:
            return account
        if Payout.objects.filter(account=account, status=PayoutStatus.PROCESSING).exists():
            raise Conflict(
                "a withdrawal to this account is on its way: remove it once that is settled",
                code="payout_account_in_use",
            )
        account.removed_at = timezone.now()
        account.save(update_fields=["removed_at"])
    return account


def payout_request(*, actor: User, amount_fen: Any, account_id: int, key: str) -> Payout:
    """Record a withdrawal of `amount_fen` to one of the seller's accounts and hold the money
    in the ledger, then (after commit) submit it. Idempotent by `key`: the same key returns
    the payout it recorded; with another amount or account it is refused."""
    _seller(actor)
    amount = clean_fen(amount_fen, "amount_fen", most=MOST_FEN)
    if amount == 0:
        raise ValidationFailed("amount_fen: must be more than 0", field="amount_fen")
    key = key.strip()[:80]
    if not key:
        raise ValidationFailed("key: an idempotency key is required", field="key")
    with transaction.atomic():
        # The seller's row serialises the seller's withdrawals: two requests racing for one
        # balance are decided one after the other, each seeing what the other held.
        User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
        existing = Payout.objects.filter(seller=actor, idempotency_key=key).first()
        if existing is not None:
            if (existing.amount_fen, existing.account_id) != (amount, account_id):
                raise Conflict(
                    "this key was used for another withdrawal", code="idempotency_conflict"
                )
            return existing
        account = SellerPayoutAccount.objects.filter(
            pk=account_id, seller=actor, removed_at__isnull=True
        ).first()
        if account is None:
            raise NotFound(msg("payout account {account_id}: not found", account_id=account_id))
        bal = payout_balance(actor.pk)
        if bal.blocked == "blacklist":
            raise Conflict(
                "withdrawals are stopped while a blacklisting notice is open",
                code="payouts_blocked",
            )
        if bal.blocked:
            raise Conflict(
                "withdrawals are stopped while your shop's closure is under way",
                code="payouts_blocked_closure",
            )
        if amount > bal.withdrawable_fen:
            raise ValidationFailed(
                msg("amount_fen: you may withdraw {most} fen now", most=bal.withdrawable_fen),
                field="amount_fen",
            )
        now = timezone.now()
        payout = Payout.objects.create(
            seller=actor,
            account=account,
            idempotency_key=key,
            payout_key="AXPO" + secrets.token_hex(10).upper(),
            provider=get_provider().name,
            amount_fen=amount,
            submit_after=now + dt.timedelta(seconds=SUBMIT_GRACE_SECONDS),
            created_at=now,
        )
        try:
            ledger.hold(payout)
        except LedgerError as e:
            # Another debit of the balance (a debt recovered, a deposit) came first.
            raise ValidationFailed(
                msg("amount_fen: you may withdraw {most} fen now", most=0), field="amount_fen"
            ) from e
        # The task row commits with the payout: no payout without its submission.
        submit_task.enqueue(payout.pk)
    faults.point("payout_request.after_commit")
    return payout


def payouts_requeue(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Queue again the payouts due and still unsubmitted (`anxin deadlines`): a crash between
    the commit and the provider's answer, a lost task, a failed attempt."""
    now = now or timezone.now()
    due = Payout.objects.filter(
        submitted_at__isnull=True, submit_after__lte=now, status=PayoutStatus.PROCESSING
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    with transaction.atomic(), enqueued_together():
        Payout.objects.filter(pk__in=ids).update(
            submit_after=now + dt.timedelta(seconds=SUBMIT_GRACE_SECONDS)
        )
        for pk in ids:
            submit_task.enqueue(pk)
    return len(ids)


def payout_completed(
    *,
    payout_key: str,
    event: str,
    provider_payout_id: str,
    amount_fen: int,
    reason: str,
    notification: dict[str, Any],
) -> tuple[str, str] | None:
    """The PAYOUT_COMPLETED hook: the provider's authentic notification of a payout, applied
    in payments' transaction (which de-duplicates notifications by id). Returns None for a key
    that is not ours."""
    p = Payout.objects.filter(payout_key=payout_key).only("amount_fen").first()
    if p is None:
        return None
    if amount_fen != p.amount_fen:
        return NotificationStatus.IGNORED, f"amount {amount_fen} differs from {p.amount_fen}"
    return settle(payout_key, event, reason=reason, provider_payout_id=provider_payout_id)
