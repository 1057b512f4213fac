"""Sellers' withdrawals: the accounts they are paid to, and each payout.

A payout account's holder name and number are personal data: sealed at rest with the
identity key (sellers.crypto, the field's name as associated data) and shown masked; only
the number's last four characters are kept in the clear, to show it and to tell accounts
apart."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    BANK_CARD = "bank_card", _("Bank card")
    WECHAT = "wechat", _("WeChat Pay wallet")
    ALIPAY = "alipay", _("Alipay wallet")


class SellerPayoutAccount(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_accounts"
    )
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    holder_name_sealed = models.BinaryField()
    number_sealed = models.BinaryField()
    number_tail = models.CharField(max_length=4)
    bank = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} ****{self.number_tail}"

    @property
    def masked(self) -> str:
        return f"{self.bank} ****{self.number_tail}".strip()


class PayoutStatus(models.TextChoices):
    PROCESSING = "processing", _("On its way")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed: back in your balance")
    RETURNED = "returned", _("Returned by the bank: back in your balance")


class Payout(models.Model):
    """One withdrawal. Recorded with its ledger hold (seller -> payouts clearing, pending) in
    the transaction that decides it; the provider is asked only after that commits, by a task
    (`submitted_at` stays empty until the provider has accepted it). The provider's later
    notification posts the hold out to the provider (paid), or voids it (failed); a paid
    payout that comes back (returned) is credited back to the seller's balance."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        SellerPayoutAccount, on_delete=models.PROTECT, related_name="payouts"
    )
    # The seller's idempotency key: asking twice with it records one payout.
    idempotency_key = models.CharField(max_length=80)
    # Ours, given to the provider: its idempotency key and our reference in its bills.
    payout_key = models.CharField(max_length=40, unique=True)
    provider = models.CharField(max_length=32)
    provider_payout_id = models.CharField(max_length=64, blank=True)
    amount_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(
        max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.PROCESSING
    )
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    # The outbox: when the provider accepted the request, how often it was tried, and when the
    # sweeper may try again.
    submitted_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    submit_after = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "idempotency_key"], name="payouts_payout_idempotency"
            ),
            models.CheckConstraint(
                name="payouts_payout_amount_positive", condition=Q(amount_fen__gt=0)
            ),
        ]
        indexes = [
            models.Index(
                fields=["submit_after"],
                condition=Q(submitted_at__isnull=True),
                name="payouts_payout_unsubmitted",
            ),
            models.Index(fields=["seller", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.payout_key
