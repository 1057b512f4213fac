"""What a market regulator does about a seller (issue 18, items 4 and 7): interviews,
warnings, orders to correct with a deadline, penalty decisions in the law's fine band and
their publication, referrals to the blacklist, data requests to the platform (OTSM Art. 34),
and the early-warning alerts raised when a seller's complaints rise sharply."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.law.days import BEIJING
from anxin.supervision.models import Complaint, EvidenceFile, Organisation


def new_action_number() -> str:
    return "JG" + timezone.localtime().strftime("%Y%m%d") + secrets.token_hex(4).upper()


def new_request_number() -> str:
    return "SJ" + timezone.localtime().strftime("%Y%m%d") + secrets.token_hex(4).upper()


class ActionKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    WARNING = "warning", _("Warning")
    CORRECTION = "correction", _("Order to correct")
    PENALTY = "penalty", _("Penalty decision")
    REFERRAL = "referral", _("Referral to the blacklist")


class ActionStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    OPEN = "open", _("Open: waiting for the seller to correct")
    # The seller's word, until the office checks it: the status says who says so.
    CORRECTED = "corrected", _("The seller says it has corrected")
    DEFAULTED = "defaulted", _("Not corrected in time")


class OffenceKind(models.TextChoices):
    """The articles whose fine band the law engine gives (claim kind `penalty_band`)."""

    CRPL_56 = "crpl_56", _("Consumer Rights Protection Law, Art. 56")
    ECL_76 = "ecl_76", _("E-Commerce Law, Art. 76")


class RegulatorAction(models.Model):
    """One act of a regulator's office about one seller: on Anxin (`seller`) or named in a
    complaint (`seller_name` only). Every act is a record on its own evidence chain."""

    number = models.CharField(max_length=24, unique=True, default=new_action_number)
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="actions")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regulator_actions",
    )
    seller_name = models.CharField(max_length=80)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    summary = models.TextField(max_length=3000)
    recorded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.RECORDED
    )
    # An order to correct: by when, the seller's answer, or its default.
    correct_by = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.CharField(max_length=1000, blank=True)
    # Its evidence of the correction, if any: CorrectionFile (answer_files).
    defaulted_at = models.DateTimeField(null=True, blank=True)
    # A penalty decision: the offence, the fine, the law's band, and its publication.
    offence = models.CharField(max_length=16, choices=OffenceKind.choices, blank=True)
    illegal_gains_fen = models.BigIntegerField(default=0)
    fine_fen = models.BigIntegerField(default=0)
    law = models.JSONField(default=dict)
    minor = models.BooleanField(default=False)
    publish_by = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    shown_until = models.DateTimeField(null=True, blank=True)
    publication_overdue_at = models.DateTimeField(null=True, blank=True)
    # A referral: the blacklist entry it opened (the blacklist's own due process follows).
    blacklist_entry = models.ForeignKey(
        "reputation.BlacklistEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "recorded_at"], name="action_office"),
            models.Index(fields=["status", "correct_by"], name="action_due"),
            models.Index(fields=["published_at", "shown_until"], name="action_shown"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def shown_last_day(self) -> dt.date | None:
        """The last day a published penalty is shown (`shown_until` is the end of it)."""
        if self.shown_until is None:
            return None
        return (self.shown_until.astimezone(BEIJING) - dt.timedelta(days=1)).date()


class CorrectionFile(EvidenceFile):
    """A file the seller gave with its answer to an order to correct (a photo of the shop's
    page, a PDF)."""

    action = models.ForeignKey(
        RegulatorAction, on_delete=models.CASCADE, related_name="answer_files"
    )
    file = models.FileField(upload_to="corrections/%Y/%m/")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the platform's answer")
    ANSWERED = "answered", _("Answered")


class DataRequest(models.Model):
    """A regulator's request to the platform for a seller's data (OTSM Art. 34), answered in
    Anxin with a ZIP of the seller's orders, payments, shipments and after-sales requests
    (supervision.data_export) whose digest, and each file's, is on the evidence log."""

    number = models.CharField(max_length=24, unique=True, default=new_request_number)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="data_requests"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    purpose = models.CharField(max_length=500)
    period_from = models.DateField()
    period_to = models.DateField()
    asked_at = models.DateTimeField(default=timezone.now)
    answer_by = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to="data-requests/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    # The ZIP's files as its manifest lists them: name, sha256, bytes, rows.
    files = models.JSONField(default=list)
    overdue_noticed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "answer_by"], name="datarequest_due")]

    def __str__(self) -> str:
        return self.number


class EarlyWarning(models.Model):
    """A seller whose complaints in the last window rose sharply against its own history or
    its category's, raised to the regulator and the association of its region."""

    number = models.CharField(max_length=24, unique=True)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="early_warnings"
    )
    region = models.CharField(max_length=6)
    regulator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    association = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    recent = models.PositiveIntegerField()
    own_baseline = models.FloatField()
    category = models.CharField(max_length=32, blank=True)
    category_baseline = models.FloatField()
    reasons = models.JSONField(default=list)
    cases = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["seller", "raised_at"], name="warning_seller")]

    def __str__(self) -> str:
        return self.number
