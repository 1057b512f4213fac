from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from anxin.ledger.posting import Balance, Flag, Kind, PendingState
from anxin.ledger.posting import Transfer as PostingTransfer


class AccountKind(models.TextChoices):
    PROVIDER_CLEARING = "provider_clearing", "Payment provider clearing"
    BUYER_FUNDS = "buyer_funds", "Buyer funds"
    SELLER_PAYABLE = "seller_payable", "Seller payable"
    PLATFORM_FEES = "platform_fees", "Platform fees"
    GUARANTEE_FUND = "guarantee_fund", "Guarantee fund"
    GUARANTEE_DEPOSIT = "guarantee_deposit", "Seller guarantee deposit"
    PAYOUT_CLEARING = "payout_clearing", "Payouts on their way to sellers"


class Account(models.Model):
    # A stable, readable name: "buyer:42", "seller:7", "platform:fees", "provider:sandbox".
    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=32, choices=AccountKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    currency = models.CharField(max_length=3, default="CNY")
    flags = models.PositiveSmallIntegerField(default=0)
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="ledger_account_totals_non_negative",
                condition=Q(
                    debits_pending__gte=0,
                    debits_posted__gte=0,
                    credits_pending__gte=0,
                    credits_posted__gte=0,
                ),
            ),
            # The database's own guard, behind the posting rules: an account flagged as
            # never paying out more than it received cannot be written into that state.
            models.CheckConstraint(
                name="ledger_account_debits_within_credits",
                condition=~Q(flags__in=[1, 3])
                | Q(credits_posted__gte=F("debits_posted") + F("debits_pending")),
            ),
            models.CheckConstraint(
                name="ledger_account_credits_within_debits",
                condition=~Q(flags__in=[2, 3])
                | Q(debits_posted__gte=F("credits_posted") + F("credits_pending")),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def as_balance(self) -> Balance:
        return Balance(
            account_id=self.pk,
            flags=self.flags,
            currency=self.currency,
            debits_pending=self.debits_pending,
            debits_posted=self.debits_posted,
            credits_pending=self.credits_pending,
            credits_posted=self.credits_posted,
        )

    @property
    def available(self) -> int:
        return self.as_balance().available


class Transfer(models.Model):
    # Commit order, for replay: assigned at insert, after the accounts' locks are held.
    seq = models.BigAutoField(primary_key=True)
    # The idempotency key: a retry with the same id applies nothing twice.
    id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    debit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    credit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    kind = models.CharField(max_length=16, choices=[(k.value, k.value) for k in Kind])
    pending = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="resolutions"
    )
    # Only on pending transfers: whether the hold is still pending, posted or voided. NULL
    # (not '') on every other kind, so the check constraint below can tell them apart.
    pending_state = models.CharField(  # noqa: DJ001
        max_length=8, null=True, blank=True, choices=[(s.value, s.value) for s in PendingState]
    )
    code = models.CharField(max_length=32)
    ref = models.CharField(max_length=64, db_index=True)
    chain = models.UUIDField(db_index=True)
    chain_index = models.PositiveSmallIntegerField(default=0)
    chain_size = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="ledger_transfer_amount_non_negative", condition=Q(amount__gte=0)
            ),
            # A hold is posted or voided exactly once, however many workers try at once.
            models.UniqueConstraint(
                fields=["pending"],
                condition=Q(pending__isnull=False),
                name="ledger_transfer_one_resolution_per_pending",
            ),
            models.CheckConstraint(
                name="ledger_transfer_pending_state_only_on_pending",
                condition=(Q(kind="pending") & Q(pending_state__isnull=False))
                | (~Q(kind="pending") & Q(pending_state__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.debit_account_id}->{self.credit_account_id}"

    def as_posting(self) -> PostingTransfer:
        return PostingTransfer(
            id=str(self.id),
            debit_account_id=self.debit_account_id,
            credit_account_id=self.credit_account_id,
            amount=self.amount,
            kind=Kind(self.kind),
            pending_id=str(self.pending.id) if self.pending is not None else None,
            currency=self.currency,
        )


__all__ = ["Account", "AccountKind", "Flag", "Transfer"]


class AuditRun(models.Model):
    """One run of the whole books' audit (`anxin ledger audit`, or the hourly one `anxin
    deadlines` queues): when, how long, and what it found. Pages show the last run instead of
    auditing the whole history on every view."""

    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    violations = models.PositiveIntegerField(default=0)
    # The first violations found, as the audit words them (all of them are in the count).
    problems = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["-queued_at"], name="ledger_auditrun_latest")]

    def __str__(self) -> str:
        return f"audit {self.queued_at:%Y-%m-%d %H:%M} ({self.violations})"
