from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Creditor(models.TextChoices):
    BUYER = "buyer", _("The buyer")
    FUND = "fund", _("The guarantee fund")


class SellerDebt(models.Model):
    """What a seller still owes after a refund or remedy its balance could not cover: to the
    buyer, or to the guarantee fund that advanced it (先行赔付). Collected from the seller's
    later payouts and its guarantee deposit (services.debt_collect).

    The request or case a debt arises from is named by a lazy reference: remedies sit below
    after-sales and disputes and import neither, but a debt must point at what it came from."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creditor = models.CharField(max_length=8, choices=Creditor.choices, default=Creditor.BUYER)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="debts"
    )
    after_sale = models.ForeignKey(
        "aftersales.AfterSale",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="debts",
    )
    dispute = models.ForeignKey(
        "disputes.Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="debts"
    )
    amount_fen = models.BigIntegerField()
    repaid_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="remedies_debt_amounts",
                condition=Q(amount_fen__gt=0, repaid_fen__gte=0)
                & Q(repaid_fen__lte=models.F("amount_fen")),
            ),
        ]
        indexes = [models.Index(fields=["seller", "settled_at"])]

    def __str__(self) -> str:
        return f"seller {self.seller_id} owes {self.amount_fen - self.repaid_fen}"

    @property
    def chain(self) -> str:
        """The debt's own evidence chain: its creation and every repayment, in order."""
        return f"debt:{self.pk}"
