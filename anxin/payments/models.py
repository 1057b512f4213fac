from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Waiting for the buyer")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CLOSED = "closed", _("Closed")


# The provider is the authority on a payment: a payment we closed locally can still turn out to
# have succeeded (the buyer paid a moment before the close reached the provider).
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.CREATED: frozenset(
        {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CLOSED}
    ),
    PaymentStatus.CLOSED: frozenset({PaymentStatus.SUCCEEDED}),
    PaymentStatus.FAILED: frozenset(),
    PaymentStatus.SUCCEEDED: frozenset(),
}


class Payment(models.Model):
    """A payment of an order. It is recorded before the provider is asked to create it (see
    services.payment_start): until the provider answers, `provider_payment_id` and `pay_url`
    are empty and the payment's PAYMENT_START ProviderCall is undelivered."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=32)
    provider_payment_id = models.CharField(max_length=64, blank=True)
    amount_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    # An Alipay cashier URL carries its signed parameters: about a kilobyte.
    pay_url = models.CharField(max_length=2000, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Payments the provider has not answered for yet all have an empty id.
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="payments_payment_provider_id",
            ),
            models.CheckConstraint(
                name="payments_payment_amount_positive", condition=Q(amount_fen__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_payment_id}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Being refunded")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


class Refund(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    # One refund per cause ("order 17 cancelled"): the unique key makes a retry a no-op and two
    # racing refunds of one order collide here even if everything above failed to stop them.
    key = models.CharField(max_length=80, unique=True)
    amount_fen = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_refund_id = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="payments_refund_amount_positive", condition=Q(amount_fen__gt=0)
            )
        ]

    def __str__(self) -> str:
        return self.key


class ProviderCallKind(models.TextChoices):
    # Not shown to anybody: no translated labels.
    PAYMENT_START = "payment_start"
    PAYMENT_CLOSE = "payment_close"
    REFUND = "refund"


class ProviderCall(models.Model):
    """The outbox: a call we owe the payment provider, written in the transaction that decides
    it (a payment started, a refund recorded, a payment closed), and made only after that
    transaction commits. The order's row lock is never held across the network: a slow or
    hanging provider delays the call's own delivery, nobody else's request. A row stays
    undelivered until the provider has answered and its answer is recorded; every call carries
    the provider's idempotency key, so delivering it again (a retry, a second deliverer, a
    crash between the answer and its record) asks for the same thing once."""

    kind = models.CharField(max_length=16, choices=ProviderCallKind.choices)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="provider_calls")
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, related_name="provider_calls", null=True, blank=True
    )
    idempotency_key = models.CharField(max_length=80)
    # What the buyer is told they pay for (PAYMENT_START only).
    description = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the sweeper (`anxin deadlines`) may deliver it: a grace period first, for the request
    # or task that delivers it right after the commit; after a failure, the retry's time.
    deliver_after = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "idempotency_key"], name="payments_providercall_once"
            )
        ]
        # The sweeper's scan: only the undelivered rows, by when they are due.
        indexes = [
            models.Index(
                fields=["deliver_after"],
                condition=Q(delivered_at__isnull=True),
                name="payments_providercall_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class NotificationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Recorded, nothing to do")
    REJECTED = "rejected", _("Rejected")


class PaymentNotification(models.Model):
    """Every notification that reached us. The refused ones (anybody can send a notification)
    are kept for the audit trail only within bounds: the latest ANXIN_PAYMENT_REJECTED_KEEP
    per provider, for ANXIN_PAYMENT_REJECTED_DAYS."""

    provider = models.CharField(max_length=32)
    notification_id = models.CharField(max_length=64, blank=True)
    event_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=16, choices=NotificationStatus.choices)
    reason = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=20_000)
    times_received = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            # A notification is processed once; its duplicates find this row and stop.
            models.UniqueConstraint(
                fields=["provider", "notification_id"],
                condition=~Q(status="rejected"),
                name="payments_notification_once",
            )
        ]
        # The refused ones, newest last: services.rejected_trim keeps a provider's latest few
        # at the cost of one index range however many applied notifications there are.
        indexes = [
            models.Index(
                fields=["provider", "id"],
                condition=Q(status="rejected"),
                name="payments_notification_rejected",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.notification_id} {self.status}"


# --- the sandbox provider's own books ----------------------------------------------------------
# These tables play the payment network's side. A real provider keeps them on its servers; the
# sandbox keeps them here so that a demo or a test can run with no network.


class SandboxPayment(models.Model):
    id = models.CharField(max_length=40, primary_key=True)
    merchant_ref = models.CharField(max_length=80)
    idempotency_key = models.CharField(max_length=80, unique=True)
    amount_fen = models.BigIntegerField()
    description = models.CharField(max_length=200)
    status = models.CharField(max_length=16, default="created")
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    # Not a column: the notifications the last change of this payment emitted.
    emitted: list[SandboxNotification]

    def __str__(self) -> str:
        return self.id


class SandboxRefund(models.Model):
    id = models.CharField(max_length=40, primary_key=True)
    payment = models.ForeignKey(SandboxPayment, on_delete=models.PROTECT, related_name="refunds")
    idempotency_key = models.CharField(max_length=80, unique=True)
    amount_fen = models.BigIntegerField()
    status = models.CharField(max_length=16, default="processing")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.id


class SandboxNotification(models.Model):
    """The sandbox's outbox. One row per delivery; a duplicate delivery repeats the event id."""

    event_id = models.CharField(max_length=40, db_index=True)
    event_type = models.CharField(max_length=40)
    resource = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    deliver_after = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    gave_up = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class NotificationNonce(models.Model):
    """A signed notification's nonce, seen once (providers.replay): the same signed message
    presented again is a replay and refused. Kept two days, then pruned."""

    provider = models.CharField(max_length=32)
    nonce = models.CharField(max_length=128)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "nonce"], name="notification_nonce_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.nonce}"


class SandboxPayout(models.Model):
    """A payout the sandbox was asked to make to a seller's card or wallet. The sandbox keeps
    only the account's kind and last four characters (it decides the outcome from them, see
    SandboxProvider.payout); the full number stays sealed in Anxin's own books."""

    id = models.CharField(max_length=40, primary_key=True)
    payout_key = models.CharField(max_length=80, unique=True)
    amount_fen = models.BigIntegerField()
    account_kind = models.CharField(max_length=16)
    account_tail = models.CharField(max_length=4)
    # What the bank will do: succeed | fail | return (succeed, then come back)
    outcome = models.CharField(max_length=8)
    status = models.CharField(max_length=16, default="processing")
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.id
