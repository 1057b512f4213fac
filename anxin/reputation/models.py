"""Verified reviews (ECL Art. 39): only the buyer of a settled order reviews it, once, with
one follow-up; the seller may reply but never delete or hide; the operator hides one only for
a reason the rules list, recorded and shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HideReason(models.TextChoices):
    """The only grounds on which the operator may hide a review (the platform's published
    rules); a hidden review still shows that it was hidden, when and why."""

    PERSONAL_DATA = "personal_data", _("It discloses someone's personal information")
    ILLEGAL = "illegal", _("Its content is illegal")
    ABUSE = "abuse", _("It is abusive or threatening")
    UNRELATED = "unrelated", _("It is advertising or unrelated to the purchase")


class Review(models.Model):
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="review")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_received"
    )
    as_described = models.PositiveSmallIntegerField()
    shipping = models.PositiveSmallIntegerField()
    service = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=1000, blank=True)
    photos = models.JSONField(default=list)  # SHA-256s of images (catalog's image store)
    created_at = models.DateTimeField()
    followup_text = models.CharField(max_length=1000, blank=True)
    followup_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.CharField(max_length=1000, blank=True)
    reply_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=20, choices=HideReason.choices, blank=True)
    hidden_note = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="reputation_ratings_1_to_5",
                condition=Q(as_described__gte=1, as_described__lte=5)
                & Q(shipping__gte=1, shipping__lte=5)
                & Q(service__gte=1, service__lte=5),
            )
        ]
        indexes = [
            models.Index(
                fields=["seller", "created_at"],
                include=["as_described", "shipping", "service", "hidden_at"],
                name="reputation_review_seller",
            ),
            # The few hidden reviews, whose photos the media view withholds.
            models.Index(
                fields=["hidden_at"],
                condition=Q(hidden_at__isnull=False),
                name="reputation_review_hidden",
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.order_id}"


class ReviewReport(models.Model):
    """A buyer's or seller's report that a review breaks the published rules, on one of the
    grounds on which the operator may hide it (HideReason): one per person per review. It
    stays open until the operator hides the review, which closes every report on it."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="reports")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=HideReason.choices)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    # Closed when the operator hides the review ("hidden") or keeps it, finding no breach
    # of the rules in it ("kept"); open reports put the review first on the reviews desk.
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "by"], name="reputation_report_once")
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(closed_at__isnull=True),
                name="reputation_report_open",
            )
        ]

    def __str__(self) -> str:
        return f"report of review {self.review_id} by {self.by_id}"


class Ground(models.TextChoices):
    FRAUD = "fraud", _("Fraud found in a decided dispute")
    RUNAWAY = "runaway", _("Took payments and disappeared")
    DEFAULTS = "defaults", _("Repeatedly lost disputes by default")
    PENALTY = "penalty", _("Penalised by a regulator")


class EntryStatus(models.TextChoices):
    NOTICED = "noticed", _("Notified: open to appeal")
    APPEALED = "appealed", _("Appealed: waiting for the decision")
    LISTED = "listed", _("On the blacklist")
    DISMISSED = "dismissed", _("Dismissed")
    EXPIRED = "expired", _("Term over")
    LIFTED = "lifted", _("Lifted before the end of its term")


class BlacklistEntry(models.Model):
    """A blacklisting with due process: a notice with grounds and evidence, an appeal window,
    a decision by the operator or a regulator with a fixed term, and a public record. It
    binds the identity (its keyed hash), not just the shop, so the person cannot open
    another shop while listed."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number_index = models.CharField(max_length=64, db_index=True)
    ground = models.CharField(max_length=12, choices=Ground.choices)
    reasons = models.TextField()
    evidence = models.JSONField(default=list)  # case and order numbers relied on
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.NOTICED
    )
    # None: opened by Anxin's monitors (blacklist.monitor) on a ground the rules list.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    noticed_at = models.DateTimeField()
    appeal_by = models.DateTimeField()
    appeal_text = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    term_days = models.PositiveIntegerField(default=0)
    listed_until = models.DateTimeField(null=True, blank=True)
    # A listing lifted before its term ends (blacklist.lift): by whom, when and why; its
    # listed_until is then the moment it was lifted.
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reasons = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "listed_until"])]

    def __str__(self) -> str:
        return f"blacklist {self.pk} ({self.status})"


class Score(models.Model):
    """A seller's credit score and grade as last computed (credit.py), with each factor."""

    seller = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit"
    )
    score = models.PositiveSmallIntegerField()
    grade = models.CharField(max_length=1)
    factors = models.JSONField()
    computed_at = models.DateTimeField()
    # The computed score before any adjustment by hand (Adjustment), and their sum.
    computed = models.PositiveSmallIntegerField(default=0)
    adjusted = models.SmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["grade", "score"])]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.grade} {self.score}"


class Adjustment(models.Model):
    """A change to a seller's score by hand: only by an operator, only with a reason, for a
    fixed term, shown on the seller's page and committed to the seller's evidence chain.
    Only ever inserted; an adjustment ends when its term does."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.SmallIntegerField()
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["seller", "until"])]
        constraints = [
            models.CheckConstraint(
                name="reputation_adjustment_points",
                condition=models.Q(points__gte=-1000, points__lte=1000) & ~models.Q(points=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.points:+d}"


class Cursor(models.Model):
    """How far the credit refresher has read the order and case histories: the sellers of
    every event after these ids have their scores recomputed (credit.refresh_changed). One
    row, created by the migration, locked by each pass so passes never overlap."""

    order_event = models.BigIntegerField(default=0)
    dispute_event = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"credit cursor {self.order_event}/{self.dispute_event}"
