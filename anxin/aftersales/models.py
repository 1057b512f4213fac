from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NO_REASON_RETURN = "no_reason_return", _("No-reason return")
    QUALITY_RETURN = "quality_return", _("Return for a defect")
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")


class Status(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the seller")
    APPROVED = "approved", _("Approved: send the goods back")
    RETURN_SHIPPED = "return_shipped", _("Goods on their way back")
    RETURN_RECEIVED = "return_received", _("Goods back with the seller")
    REFUNDED = "refunded", _("Refunded")
    RESHIPPED = "reshipped", _("Repaired or replaced item sent")
    REFUSED = "refused", _("Refused by the seller")
    ESCALATED = "escalated", _("Taken to a dispute")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Lapsed: goods not sent back in time")


OPEN = frozenset({Status.REQUESTED, Status.APPROVED, Status.RETURN_SHIPPED, Status.RETURN_RECEIVED})
# Every step an after-sales request can take; services.transition() refuses any other.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REQUESTED: frozenset({Status.APPROVED, Status.REFUSED, Status.WITHDRAWN}),
    Status.APPROVED: frozenset({Status.RETURN_SHIPPED, Status.WITHDRAWN, Status.LAPSED}),
    Status.RETURN_SHIPPED: frozenset({Status.RETURN_RECEIVED}),
    Status.RETURN_RECEIVED: frozenset({Status.REFUNDED, Status.RESHIPPED, Status.ESCALATED}),
    Status.REFUSED: frozenset({Status.ESCALATED}),
    Status.REFUNDED: frozenset(),
    Status.RESHIPPED: frozenset(),
    Status.ESCALATED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.LAPSED: frozenset(),
}


class AfterSale(models.Model):
    """A buyer's request for a return, repair or replacement, and everything that follows."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="after_sales")
    # The order's seller, kept here so a seller's requests are found by index (credit scores).
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # How many of the order's items the request is about (a buyer may return some of them).
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    is_open = models.BooleanField(default=True)
    reason = models.CharField(max_length=500)
    item_condition = models.CharField(max_length=24)
    # The law engine's decisions when the request was made (docs/spec/case-facts.md output),
    # and what they grant: the refund the law gives and whether the request is backed by law.
    law = models.JSONField()
    law_backed = models.BooleanField()
    refund_fen = models.BigIntegerField(default=0)
    requested_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.CharField(max_length=10, blank=True)  # seller | operator | system
    refusal_reason = models.CharField(max_length=500, blank=True)
    return_by = models.DateTimeField(null=True, blank=True)
    # The seller's return address when the request was approved, fixed with the evidence
    # (a database default too: raw INSERTs, as in the credit benchmark, leave it out).
    return_address = models.CharField(max_length=300, blank=True, default="", db_default="")
    return_carrier = models.CharField(max_length=40, blank=True)
    return_tracking = models.CharField(max_length=40, blank=True, db_index=True)
    return_shipping_fen = models.BigIntegerField(default=0)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    return_received_at = models.DateTimeField(null=True, blank=True)
    received_via = models.CharField(max_length=10, blank=True)  # seller | carrier
    refund_due_at = models.DateTimeField(null=True, blank=True)
    gifts_not_returned_fen = models.BigIntegerField(default=0)
    free_shipping_deduction_fen = models.BigIntegerField(default=0)
    refunded_fen = models.BigIntegerField(default=0)
    refunded_at = models.DateTimeField(null=True, blank=True)
    reship_carrier = models.CharField(max_length=40, blank=True)
    reship_tracking = models.CharField(max_length=40, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(is_open=True), name="aftersales_one_open_per_order"
            ),
            models.CheckConstraint(
                name="aftersales_amounts_non_negative",
                condition=Q(
                    refund_fen__gte=0,
                    return_shipping_fen__gte=0,
                    gifts_not_returned_fen__gte=0,
                    free_shipping_deduction_fen__gte=0,
                    refunded_fen__gte=0,
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "requested_at"], name="aftersales__seller_rq_idx"),
            models.Index(fields=["status", "respond_by"]),
            models.Index(fields=["status", "refund_due_at"]),
            models.Index(fields=["status", "return_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.status}"

    @property
    def is_return(self) -> bool:
        return self.kind in (Kind.NO_REASON_RETURN, Kind.QUALITY_RETURN)
