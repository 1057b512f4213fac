"""Reconciliation's records: one run per provider and day, and the alerts it raised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Short labels carry a context: the same English word may mean something else elsewhere.
CTX = "reconciliation"


class RunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy(CTX, "Queued")
    RUNNING = "running", pgettext_lazy(CTX, "Running")
    DONE = "done", pgettext_lazy(CTX, "Done")
    FAILED = "failed", pgettext_lazy(CTX, "Failed")


class ReconciliationRun(models.Model):
    """A day's reconciliation with one provider: a day is reconciled once (the daily task skips
    a day that is done) and may be run again (`anxin reconcile --day`), which re-reads the bill
    and changes nothing that the first run settled. The counts are the last run's."""

    provider = models.CharField(max_length=32)
    day = models.DateField()  # a Beijing-time calendar day, as the providers' bills are
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    lines_read = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    alerts = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "day"], name="reconcile_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.day} {self.status}"


class AlertKind(models.TextChoices):
    PAYMENT = "payment", pgettext_lazy(CTX, "Payment")
    REFUND = "refund", pgettext_lazy(CTX, "Refund")
    PAYOUT = "payout", pgettext_lazy(CTX, "Payout")


class Problem(models.TextChoices):
    AMOUNT_DIFFERS = "amount_differs", _("The amounts differ")
    STATUS_DIFFERS = "status_differs", _("The outcomes differ")
    MISSING_FROM_BILL = "missing_from_bill", _("Anxin recorded it; the bill does not have it")
    UNKNOWN_LINE = "unknown_line", _("On the bill; Anxin has no record of it")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy(CTX, "Open")
    RESOLVED = "resolved", pgettext_lazy(CTX, "Resolved")


# What either side says happened, as the page shows it: the bill's statuses and Anxin's
# payment and refund statuses.
OUTCOME_LABELS = {
    "created": _("Waiting for the buyer"),
    "pending": _("Being refunded"),
    "processing": pgettext_lazy(CTX, "Processing"),
    "succeeded": _("Succeeded"),
    "failed": _("Failed"),
    "closed": _("Closed"),
    "returned": pgettext_lazy(CTX, "Returned"),
}


class ReconciliationAlert(models.Model):
    """A difference between the provider's bill and Anxin's records that reconciliation does
    not settle by itself: both sides' values, for the operator. No money moves on an alert."""

    provider = models.CharField(max_length=32)
    day = models.DateField()
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    problem = models.CharField(max_length=24, choices=Problem.choices)
    # The line's or the record's references: the provider's id, and ours (the payment's order
    # number, the refund's or the payout's key).
    provider_id = models.CharField(max_length=64, blank=True)
    merchant_ref = models.CharField(max_length=80, blank=True)
    bill_amount_fen = models.BigIntegerField(null=True, blank=True)
    bill_status = models.CharField(max_length=16, blank=True)
    anxin_amount_fen = models.BigIntegerField(null=True, blank=True)
    anxin_status = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    note = models.CharField(max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            # A re-run finds the alert it raised before instead of raising it again.
            models.UniqueConstraint(
                fields=["provider", "day", "kind", "problem", "provider_id", "merchant_ref"],
                name="reconcile_alert_once",
            )
        ]
        indexes = [models.Index(fields=["status", "day"], name="reconcile_alert_status")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.problem} {self.provider_id or self.merchant_ref}"

    @property
    def bill_status_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.bill_status, self.bill_status))

    @property
    def anxin_status_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.anxin_status, self.anxin_status))
