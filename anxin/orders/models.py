from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAID = "paid", _("Paid, held in escrow")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed, paid out to the seller")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# The order pipeline as data. Nothing moves an order except order_transition(), which refuses
# any step not listed here: no order can go backwards or skip escrow.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.AWAITING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.COMPLETED, OrderStatus.REFUNDED}),
    # An after-sales refund after the seller was paid (taken back from the seller).
    OrderStatus.COMPLETED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
# Money is held in escrow in exactly these states.
ESCROW_STATES = frozenset({OrderStatus.PAID, OrderStatus.SHIPPED})


def new_order_number() -> str:
    # The date the buyer sees on her clock (TIME_ZONE, Beijing time), as every time on the pages:
    # an order placed at 02:00 in Beijing is numbered that day, not the day before in UTC.
    return "AX" + timezone.localtime().strftime("%Y%m%d") + secrets.token_hex(4).upper()


class Order(models.Model):
    number = models.CharField(max_length=24, unique=True, default=new_order_number)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders_bought"
    )
    # Found through the (seller, status, paid_at) index below, which also serves the credit
    # score's per-seller counts without reading the table.
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders_sold",
        db_index=False,
    )
    listing = models.ForeignKey("catalog.Listing", on_delete=models.PROTECT, related_name="orders")
    # The exact advertisement the buyer saw and agreed to.
    snapshot = models.ForeignKey(
        "catalog.ListingSnapshot", on_delete=models.PROTECT, related_name="orders"
    )
    quantity = models.PositiveIntegerField()
    # The days the listing promised to ship within, as agreed (copied from the snapshot, as
    # the price is): what "shipped on time" and a runaway seller are measured against.
    shipping_days = models.PositiveSmallIntegerField()
    unit_price_fen = models.BigIntegerField()
    amount_fen = models.BigIntegerField()
    # The fee rate is fixed when the order is made, so a later change of the setting never
    # changes the price of an order already agreed.
    fee_bps = models.PositiveIntegerField()
    fee_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.AWAITING_PAYMENT,
        db_index=True,
    )
    recipient_name = models.CharField(max_length=60)
    recipient_phone = models.CharField(max_length=32)
    shipping_address = models.CharField(max_length=300)
    buyer_note = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=80)
    request_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    pay_by = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    # When the buyer signed for the goods: the carrier's delivery event, or the buyer's
    # confirmation. The no-reason return window counts from here (NRR Art. 10).
    delivered_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=40, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    auto_confirm_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=8, blank=True)  # buyer | system
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)
    # The commitment of the order's latest evidence record: the next one links to it. Read
    # with the order lock, written with the order's own update, so chaining costs no query.
    evidence_head = models.BinaryField(max_length=32, null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"], name="orders_order_idempotency"
            ),
            models.CheckConstraint(
                name="orders_order_amounts",
                condition=Q(amount_fen__gt=0, fee_fen__gte=0)
                & Q(fee_fen__lte=models.F("amount_fen")),
            ),
            models.CheckConstraint(
                name="orders_order_quantity_positive", condition=Q(quantity__gt=0)
            ),
        ]
        indexes = [
            models.Index(
                fields=["seller", "status", "paid_at"],
                include=["shipped_at", "shipping_days"],
                name="orders_seller_status_paid",
            ),
            models.Index(fields=["buyer", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def seller_share_fen(self) -> int:
        return self.amount_fen - self.fee_fen

    @property
    def in_escrow(self) -> bool:
        return self.status in ESCROW_STATES

    @property
    def ship_by(self) -> dt.datetime | None:
        """When the seller must have shipped: the days the listing promised, from payment (what
        the seller is told when the buyer pays, and what "shipped on time" is measured
        against). None until the order is paid."""
        if self.paid_at is None:
            return None
        return self.paid_at + dt.timedelta(days=self.shipping_days)


class OrderEvent(models.Model):
    """The order's history: one row per status change, and one per other thing that happened
    to it (a notification, a refund request). Only ever inserted."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=16)  # buyer, seller, operator, system, provider
    detail = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["order_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class OrderMessage(models.Model):
    """The order's chat between buyer and seller. Only ever inserted: there is no edit and no
    delete, and each message is an evidence record in the log."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=16)  # buyer | seller
    text = models.TextField(blank=True)
    attachment = models.ForeignKey(
        "evidence.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    record = models.OneToOneField("evidence.Record", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["order_id", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} message {self.pk}"


class HoldKind(models.TextChoices):
    REFUND_REQUEST = "refund_request", _("Refund request")
    DISPUTE = "dispute", _("Dispute")
    AFTER_SALE = "after_sale", _("After-sales request")


class Hold(models.Model):
    """While an order has an open hold, its auto-confirm timer is paused: the buyer's money
    must not be released while the buyer is asking for it back."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="holds")
    kind = models.CharField(max_length=20, choices=HoldKind.choices)
    reason = models.CharField(max_length=500)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # approved | declined | withdrawn
    outcome_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(closed_at__isnull=True),
                name="orders_hold_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"
