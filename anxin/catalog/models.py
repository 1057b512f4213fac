from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    # The categories of the law engine's case facts (shared spec), so a listing maps onto them.
    GENERAL = "general", _("General goods")
    FOOD = "food", _("Food")
    COSMETICS = "cosmetics", _("Cosmetics")
    FRESH_PERISHABLE = "fresh_perishable", _("Fresh and perishable")
    CUSTOM_MADE = "custom_made", _("Custom-made")
    DIGITAL_DOWNLOAD = "digital_download", _("Digital download")
    SEALED_MEDIA_SOFTWARE = "sealed_media_software", _("Sealed media or software")
    NEWSPAPER_PERIODICAL = "newspaper_periodical", _("Newspapers and periodicals")
    ELECTRONICS = "electronics", _("Electronics")
    APPAREL = "apparel", _("Apparel")
    MEDICAL_DEVICE = "medical_device", _("Medical device")


class ReturnPolicy(models.TextChoices):
    NO_REASON_7_DAYS = "no_reason_7_days", _("7-day no-reason returns")
    NO_REASON_EXCLUDED = "no_reason_excluded", _("No no-reason returns (statutory exception)")


def new_checkout_code() -> str:
    return secrets.token_urlsafe(9)


class Listing(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings"
    )
    # The token in the shared checkout link /c/<code>: unguessable, so links cannot be walked.
    code = models.CharField(max_length=16, unique=True, default=new_checkout_code)
    current_snapshot = models.ForeignKey(
        "ListingSnapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stock = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="catalog_listing_stock_non_negative", condition=Q(stock__gte=0)
            )
        ]

    def __str__(self) -> str:
        return self.current_snapshot.title if self.current_snapshot else self.code


class ListingSnapshot(models.Model):
    """What the seller advertised, frozen. Rows are only ever inserted, never updated."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="snapshots")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=5000)
    category = models.CharField(max_length=32, choices=Category.choices, default=Category.GENERAL)
    price_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    shipping_days = models.PositiveSmallIntegerField()
    return_policy = models.CharField(max_length=32, choices=ReturnPolicy.choices)
    return_policy_note = models.CharField(max_length=500, blank=True)
    # SHA-256 names of ListingImage rows, in display order. Images are content-addressed, so
    # the list pins the exact pictures the buyer saw.
    images = models.JSONField(default=list)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "version"], name="catalog_snapshot_version"),
            models.CheckConstraint(
                name="catalog_snapshot_price_positive", condition=Q(price_fen__gt=0)
            ),
        ]
        ordering = ["listing_id", "-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


def image_upload_to(instance: ListingImage, filename: str) -> str:
    return f"listing-images/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class ListingImage(models.Model):
    sha256 = models.CharField(max_length=64, primary_key=True)
    file = models.FileField(upload_to=image_upload_to, max_length=200)
    content_type = models.CharField(max_length=32)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256
