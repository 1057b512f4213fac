"""What a consumer association does in Anxin: mediation (a consumer's own request, a complaint
the regulator entrusts to it, or a case Anxin's desk hands over with its whole file), and
referring what it learns to the regulator, who must answer (CRPL-IR Art. 36)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.supervision.models import Complaint, Organisation


def new_mediation_number() -> str:
    return "TJ" + timezone.localtime().strftime("%Y%m%d") + secrets.token_hex(4).upper()


class MediationOrigin(models.TextChoices):
    # CRPL Art. 39 (2): the consumer asks the association to mediate.
    CONSUMER = "consumer", _("Asked by the consumer")
    # CRM (2026) Art. 19: the regulator entrusts an accepted complaint, both parties agreeing.
    ENTRUSTED = "entrusted", _("Entrusted by the regulator")
    # Anxin's dispute desk hands a case over with its whole file.
    DESK = "desk", _("Handed over by Anxin's dispute service")


class MediationStatus(models.TextChoices):
    OPEN = "open", _("Mediating")
    TESTING = "testing", _("Paused for appraisal or testing")
    AGREED = "agreed", _("Settled by agreement")
    FAILED = "failed", _("Ended without agreement")


class Mediation(models.Model):
    number = models.CharField(max_length=24, unique=True, default=new_mediation_number)
    association = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mediations"
    )
    origin = models.CharField(max_length=16, choices=MediationOrigin.choices)
    consumer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mediations"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediations_against",
    )
    seller_name = models.CharField(max_length=80)
    region = models.CharField(max_length=6)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="mediations"
    )
    # The desk's case handed over (its number: disputes sit below supervision).
    case_number = models.CharField(max_length=24, blank=True)
    request = models.CharField(max_length=500)
    facts = models.TextField(max_length=3000)
    claimed_fen = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    # What the legal limit counts from: the complaint's acceptance, for one the regulator
    # entrusts; the association's own acceptance otherwise.
    counted_from = models.DateTimeField(default=timezone.now)
    # The legal limit (anxin.law.complaints.mediation_ends), moved by testing time.
    ends_at = models.DateTimeField()
    paused_days = models.PositiveIntegerField(default=0)
    testing_since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=MediationStatus.choices, default=MediationStatus.OPEN
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    agreement = models.TextField(max_length=2000, blank=True)
    settled_fen = models.BigIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True)
    # The whole file handed over (a ZIP with its manifest), with its SHA-256.
    bundle = models.FileField(upload_to="mediations/%Y/%m/", blank=True)
    bundle_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["association", "status", "ends_at"], name="mediation_queue"),
            models.Index(fields=["status", "ends_at"], name="mediation_due"),
        ]

    def __str__(self) -> str:
        return self.number


class Referral(models.Model):
    """A problem the association reports to the regulator (CRPL-IR Art. 36: the regulator
    investigates in time and answers)."""

    number = models.CharField(max_length=24, unique=True)
    association = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    regulator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seller_name = models.CharField(max_length=80)
    text = models.TextField(max_length=3000)
    cases = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answer_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(max_length=3000, blank=True)
    overdue_noticed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.number


class TypicalCase(models.Model):
    """A typical case the association publishes (CRPL-IR Art. 37 (2)), with nothing that
    names the consumer."""

    association = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    mediation = models.ForeignKey(
        Mediation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=80)
    summary = models.TextField(max_length=2000)
    lesson = models.TextField(max_length=1000)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.title
