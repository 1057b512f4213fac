"""Supervision: consumer associations and market regulators as organisations with a region and
staff, and the open complaint channel (a complaint about any seller, on Anxin or not, decided
admissible or not by the law engine, routed to the organisation of the seller's region)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    ASSOCIATION = "association", _("Consumer association")
    REGULATOR = "regulator", _("Market regulator")


class Organisation(models.Model):
    """A consumer association (消费者协会) or a market regulator (市场监督管理部门) at an
    administrative division (a county's, a city's or a province's code)."""

    kind = models.CharField(max_length=16, choices=OrgKind.choices)
    name = models.CharField(max_length=80)
    region = models.CharField(max_length=6)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "region"], name="organisation_kind_region")
        ]

    def __str__(self) -> str:
        return self.name


class OrgStaff(models.Model):
    """A staff member of one organisation: sees and works only its organisation's complaints."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_staff"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.organisation_id}"


def new_complaint_number() -> str:
    # The complainant's day in Beijing time, as order and case numbers are.
    return "TS" + timezone.localtime().strftime("%Y%m%d") + secrets.token_hex(4).upper()


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received: the regulator decides whether to accept it")
    ADMITTED = "admitted", _("Accepted")
    REFUSED = "refused", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RegionBasis(models.TextChoices):
    """Why a complaint went to its region (the complaint-handling measures in force)."""

    SHOWN_ADDRESS = "shown_address", _("the address the seller shows on the platform")
    PLATFORM = "platform", _("the platform's own domicile (the seller shows no address)")
    COMPLAINANT = "complainant", _("the region the complainant named (a seller not on Anxin)")


class Complaint(models.Model):
    """A complaint to a market regulator through Anxin's open channel, with the materials the
    complaint-handling measures require (who complains, against whom, what is asked and why)."""

    number = models.CharField(max_length=24, unique=True, default=new_complaint_number)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints_made"
    )
    # The complainant's true identity (Art. 10 (1)): name, the verified phone, an address.
    complainant_name = models.CharField(max_length=40)
    complainant_phone = models.CharField(max_length=11)
    complainant_address = models.CharField(max_length=200)
    # The seller: an Anxin seller, or one named by what the complainant knows of it.
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_against",
    )
    seller_name = models.CharField(max_length=80)
    seller_wechat = models.CharField(max_length=64, blank=True)
    seller_platform = models.CharField(max_length=40, blank=True)
    seller_link = models.CharField(max_length=300, blank=True)
    seller_address = models.CharField(max_length=200, blank=True)
    # What is asked and the facts behind it (Art. 10 (3)).
    request = models.CharField(max_length=500)
    facts = models.TextField(max_length=3000)
    paid_fen = models.BigIntegerField(default=0)
    knew_at = models.DateField()
    handled_elsewhere = models.BooleanField(default=False)
    # Where it went, and why there.
    region = models.CharField(max_length=6)
    region_basis = models.CharField(max_length=16, choices=RegionBasis.choices)
    regulator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    received_at = models.DateTimeField(default=timezone.now)
    decide_by = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    # The law engine's decision on admissibility (its JSON), and the staff's decision.
    law = models.JSONField(default=dict)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_ground = models.CharField(max_length=32, blank=True)
    refusal_note = models.CharField(max_length=500, blank=True)
    overdue_noticed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["regulator", "status", "decide_by"], name="complaint_queue"),
            models.Index(fields=["complainant", "received_at"], name="complaint_mine"),
            models.Index(fields=["status", "decide_by"], name="complaint_due"),
        ]

    def __str__(self) -> str:
        return self.number


class EvidenceFile(models.Model):
    """What is kept of an uploaded piece of evidence beside the file itself (checked as every
    evidence upload, core.uploads, and served only through a permission-checked view)."""

    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class ComplaintFile(EvidenceFile):
    """A piece of evidence the complainant gave (a chat's picture, the transfer record)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="complaints/%Y/%m/")


# The association's models, in a module of their own (registered with this app on import).
from anxin.supervision import models_association  # noqa: E402, F401

# --- public figures
#
# What the public pages and the open data show, kept up to date in the transaction of each
# event that changes it (supervision.figures): one published record per case, without personal
# information, and counters over those records. Every counter is a sum over the records, so
# anyone holding the records download recomputes them, and `anxin figures rebuild` recomputes
# everything from the cases themselves.


class CaseSource(models.TextChoices):
    DESK = "desk", _("Anxin's dispute desk")
    REGULATOR = "regulator", _("Complaint to a market regulator")


class PublicStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted by the regulator")
    RESOLVED = "resolved", _("Resolved")
    UNRESOLVED = "unresolved", _("Closed without a resolution")


class PublicCase(models.Model):
    """A case as published: no party's name, phone, address or words; the seller only when it
    is a seller on Anxin and the case was admitted (Anxin holds the order, staff admitted the
    sale, or the regulator accepted the complaint)."""

    number = models.CharField(max_length=24, unique=True)
    source = models.CharField(max_length=12, choices=CaseSource.choices)
    seller_id = models.BigIntegerField(null=True, blank=True)
    shop_name = models.CharField(max_length=80, blank=True)
    category = models.CharField(max_length=24, blank=True)
    region = models.CharField(max_length=6, blank=True)
    province = models.CharField(max_length=6, blank=True)
    month = models.CharField(max_length=7)  # YYYY-MM of filing, Beijing time
    status = models.CharField(max_length=12, choices=PublicStatus.choices)
    outcome = models.CharField(max_length=16, blank=True)
    mediated = models.BooleanField(default=False)
    response_days = models.IntegerField(null=True, blank=True)
    days_to_resolve = models.IntegerField(null=True, blank=True)
    advance_fen = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["seller_id", "month"], name="publiccase_seller")]

    def __str__(self) -> str:
        return self.number


class FigureCounts(models.Model):
    """Counters over the published records; abstract: one set per cell, one per seller."""

    filed = models.BigIntegerField(default=0)
    open = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    resolved = models.BigIntegerField(default=0)
    unresolved = models.BigIntegerField(default=0)
    mediated = models.BigIntegerField(default=0)  # closed after mediation
    mediated_settled = models.BigIntegerField(default=0)
    advance_n = models.BigIntegerField(default=0)
    advance_fen = models.BigIntegerField(default=0)
    resolve_n = models.BigIntegerField(default=0)
    resolve_days = models.BigIntegerField(default=0)
    response_n = models.BigIntegerField(default=0)
    response_days = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class FigureCell(FigureCounts):
    """The records of one month, category, province and source, counted."""

    month = models.CharField(max_length=7)
    category = models.CharField(max_length=24, blank=True)
    province = models.CharField(max_length=6, blank=True)
    source = models.CharField(max_length=12, choices=CaseSource.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "category", "province", "source"], name="figurecell_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.category} {self.province} {self.source}"


class SellerFigure(FigureCounts):
    """One Anxin seller's published records of one source, counted."""

    seller_id = models.BigIntegerField()
    source = models.CharField(max_length=12, choices=CaseSource.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller_id", "source"], name="sellerfigure_key")
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.source}"


class FigureDays(models.Model):
    """How many records took this many days (to resolve, or to the first response), for the
    medians: scope "desk:2026-05", "regulator:2026-05" or "seller:42"."""

    scope = models.CharField(max_length=24)
    kind = models.CharField(max_length=8)  # resolve | response
    days = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "kind", "days"], name="figuredays_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.kind} {self.days}: {self.n}"


class SellerReply(models.Model):
    """The seller's short public reply, shown beside its figures."""

    seller = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="figures_reply"
    )
    text = models.CharField(max_length=500)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.seller_id}"


from anxin.supervision.models_regulator import DataRequest, EarlyWarning, RegulatorAction  # noqa: E402, F401
