"""A seller's verification (real name and identity number, or business and credit code),
its licences for regulated goods, and every disclosure of its identity."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.law.days import BEIJING


class Kind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    BUSINESS = "business", _("Business")


class Level(models.IntegerChoices):
    """What a buyer is told about the seller, lowest first."""

    NONE = 0, _("Not verified")
    IDENTITY = 1, _("Real name verified")
    BUSINESS = 2, _("Business verified")
    LICENSED = 3, _("Verified, with licences")


class Status(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    LAPSED = "lapsed", _("Re-verification overdue")


class Verification(models.Model):
    """The seller's current verification. Identity data is sealed (crypto.seal); the number
    is found again by its keyed hash, and shown only masked."""

    seller = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VERIFIED)
    name_sealed = models.BinaryField()  # real name, or the business's registered name
    number_sealed = models.BinaryField()  # resident ID number or unified social credit code
    number_index = models.CharField(max_length=64, db_index=True)
    number_masked = models.CharField(max_length=24)
    address_sealed = models.BinaryField()
    contact_sealed = models.BinaryField()
    licence_file = models.FileField(upload_to="sellers/licences/", blank=True)
    licence_sha256 = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField()
    reverify_by = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "reverify_by"])]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.kind} {self.number_masked}"


class LicenceKind(models.TextChoices):
    FOOD = "food_business", _("Food business licence")
    MEDICAL_DEVICE = "medical_device", _("Medical device business licence")
    COSMETICS = "cosmetics", _("Cosmetics filing")


class LicenceStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")


class Licence(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField(max_length=20, choices=LicenceKind.choices)
    number = models.CharField(max_length=40)
    valid_until = models.DateField()
    document = models.FileField(upload_to="sellers/licences/")
    document_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_reason = models.CharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "kind"],
                condition=Q(status="pending"),
                name="sellers_one_pending_licence_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.kind} {self.number}"


class Disclosure(models.Model):
    """Every time the platform gave a seller's real identity to someone (CRPL 44, a
    regulator's request): who, to whom, why, and what."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=40)
    reference = models.CharField(max_length=40, blank=True)  # the case or order it was for
    fields = models.JSONField()
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.seller_id} to {self.to_id} ({self.basis})"


class Badge(models.Model):
    """A signed credential a seller posts in its Moments and chats (badge.py). It states who
    the seller is and how it is verified, until it expires; a revoked one is refused live."""

    serial = models.CharField(max_length=32, unique=True)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges"
    )
    note = models.TextField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"badge {self.serial} of {self.seller_id}"


class ShopClosure(models.Model):
    """A seller's announcement that its shop stops trading. The E-Commerce Law (Art. 16) asks
    for it on the shop's page, continuously, `shop_closure.notice_days` (30) days before the
    shop stops: the shop trades until `closes_at`, then takes no new orders. Until the
    closure is over (the shop closed, its orders finished and their after-sales windows
    passed), the seller withdraws nothing: what buyers may still claim stays in escrow. A
    closure may be called off before `closes_at` (`cancelled_at`)."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    announced_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller"],
                condition=models.Q(cancelled_at__isnull=True),
                name="sellers_one_closure_under_way",
            )
        ]

    def __str__(self) -> str:
        return f"closure of {self.seller_id} after {self.last_day}"

    @property
    def last_day(self) -> dt.date:
        """The shop's last day of trade (Beijing time): it closes at its 24:00."""
        return (self.closes_at.astimezone(BEIJING) - dt.timedelta(microseconds=1)).date()
