"""A dispute (complaint) and everything that happens in it.

A case moves through stages (negotiation, mediation, adjudication, appeal); within a stage it
waits for one thing at a time (`step`), until `due_at`. When that time comes and the party
the case waits for has not acted, the step's default outcome applies (steps.STEPS,
deadlines.dispute_deadline), so no case ever stalls.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    NOT_DELIVERED = "not_delivered", _("Not delivered")
    LATE = "late", _("Delivered late")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    QUALITY_DEFECT = "quality_defect", _("Quality defect")
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    FALSE_ADVERTISING = "false_advertising", _("False advertising")
    AFTER_SALES_REFUSED = "after_sales_refused", _("After-sales refused")
    PRESALE = "presale", _("Pre-sale")
    LOTTERY = "lottery", _("Live-stream lottery")
    PRICE_FRAUD = "price_fraud", _("Price fraud")
    PRIVACY = "privacy", _("Personal information")
    PAY_LATER = "pay_later", _("Pay later")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    NEGOTIATION = "negotiation", _("Negotiation")
    MEDIATION = "mediation", _("Mediation")
    ADJUDICATION = "adjudication", _("Adjudication")
    APPEAL = "appeal", _("Appeal")
    CLOSED = "closed", _("Closed")


class Step(models.TextChoices):
    SELLER_ANSWER = "seller_answer", _("Waiting for the seller's answer")
    BUYER_REPLY = "buyer_reply", _("Waiting for the buyer's reply to the offer")
    MEDIATOR_PROPOSAL = "mediator_proposal", _("Waiting for the mediator's proposal")
    PARTIES_ACCEPT = "parties_accept", _("Waiting for both parties to accept the proposal")
    EVIDENCE = "evidence", _("Both parties may submit evidence")
    DECISION = "decision", _("Waiting for the adjudicator's decision")
    APPEAL_WINDOW = "appeal_window", _("Decided: open to appeal")
    PANEL_VOTES = "panel_votes", _("Waiting for the appeal panel's votes")
    PAYING = "paying", _("Decided: the remedy is being paid")
    DONE = "done", _("Closed")


class Outcome(models.TextChoices):
    SETTLED = "settled", _("Settled by agreement")
    DEFAULT = "default", _("Decided by default: the seller did not answer")
    DECIDED = "decided", _("Decided by the adjudicator")
    APPEAL_DECIDED = "appeal_decided", _("Decided on appeal")
    WITHDRAWN = "withdrawn", _("Withdrawn by the buyer")
    LAPSED = "lapsed", _("Closed: the buyer did not pursue it")
    REFUNDED = "refunded", _("Closed: the buyer was refunded in full")
    NOT_ADMITTED = "not_admitted", _("Closed: the complaint was not admitted")


class Dispute(models.Model):
    number = models.CharField(max_length=24, unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # An order on Anxin, or a sale made elsewhere by a seller registered here.
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    after_sale = models.ForeignKey(
        "aftersales.AfterSale", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outside_description = models.CharField(max_length=500, blank=True)
    outside_paid_fen = models.BigIntegerField(default=0)
    outside_paid_on = models.DateField(null=True, blank=True)
    # Admitted: backed by what Anxin holds (an order here, admitted at filing) or by staff who
    # looked at the file (a sale made elsewhere). Until then no default decides it, no
    # damages are awarded and the guarantee fund advances nothing.
    admitted_at = models.DateTimeField(null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admission_reason = models.CharField(max_length=2000, blank=True)
    category = models.CharField(max_length=24, choices=Category.choices)
    claim = models.CharField(max_length=2000)
    claimed_fen = models.BigIntegerField()
    # The law engine's decisions on the claim when it was filed (case-facts output), the
    # amount they grant, and the most any decision may award (services.cap_for).
    law = models.JSONField()
    law_fen = models.BigIntegerField(default=0)
    cap_fen = models.BigIntegerField()
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.NEGOTIATION)
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.SELLER_ANSWER)
    due_at = models.DateTimeField(null=True, blank=True)
    reminded_for = models.CharField(max_length=40, blank=True)  # "step@due_at" last reminded
    offer_fen = models.BigIntegerField(null=True, blank=True)
    offer_text = models.CharField(max_length=2000, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal_fen = models.BigIntegerField(null=True, blank=True)
    proposal_text = models.CharField(max_length=2000, blank=True)
    buyer_accepted_at = models.DateTimeField(null=True, blank=True)
    seller_accepted_at = models.DateTimeField(null=True, blank=True)
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    remedy_fen = models.BigIntegerField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    # Where the remedy's money came from: {"escrow": n, "seller": n, "fund": n, "debt": n}.
    paid_from = models.JSONField(default=dict)
    transferred_at = models.DateTimeField(null=True, blank=True)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer_reason = models.CharField(max_length=500, blank=True)
    evidence_head = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="disputes_amounts",
                condition=Q(claimed_fen__gt=0, cap_fen__gte=0, law_fen__gte=0),
            ),
            models.CheckConstraint(
                name="disputes_order_or_outside_sale",
                condition=Q(order__isnull=False) | Q(outside_paid_fen__gt=0),
            ),
        ]
        indexes = [
            models.Index(fields=["step", "due_at"]),
            models.Index(fields=["buyer", "created_at"]),
            models.Index(fields=["seller", "created_at"]),
            models.Index(fields=["mediator", "stage"]),
            models.Index(fields=["adjudicator", "stage"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def paid_fen(self) -> int:
        return self.order.amount_fen if self.order_id else self.outside_paid_fen  # type: ignore[union-attr]

    @property
    def law_day(self) -> dt.date:
        """The day the case's law is read on (law_day). It picks the version of a statute with
        several (AUCL) the case cites."""
        paid_at = self.order.paid_at if self.order_id else None  # type: ignore[union-attr]
        return law_day(paid_at, self.outside_paid_on, self.created_at)


def law_day(paid_at: dt.datetime | None, paid_on: dt.date | None, filed_at: dt.datetime) -> dt.date:
    """The day a complaint's law is read on: the purchase's on Anxin (the day the law engine's
    rules pick their version by, disputes.filing.law_for), else the day the buyer says it paid
    outside, else the day of filing."""
    if paid_at is not None:
        return timezone.localtime(paid_at).date()
    return paid_on or timezone.localtime(filed_at).date()


class DisputeEvent(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=16)
    detail = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["dispute", "at"])]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind}"


class Evidence(models.Model):
    """Something a party or an officer put on the file: a statement, and optionally a file.
    Its SHA-256 and text are committed to the evidence log when it is submitted."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=16)
    text = models.CharField(max_length=2000)
    file = models.FileField(upload_to="disputes/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=80, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    record_id = models.BigIntegerField()  # its evidence-log record
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["dispute", "at"])]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.role}: {self.text[:40]}"


class Decision(models.Model):
    """A decision on the merits: by the adjudicator, by default when the adjudicator did not
    decide in time (the law engine's proposal), or by the appeal panel's majority."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_default = models.BooleanField(default=False)
    refund_fen = models.BigIntegerField()
    compensation_fen = models.BigIntegerField()
    reasons = models.TextField()
    citations = models.JSONField()  # [{"statute": "CRPL", "article": 55, "paragraph": 1}]
    proposal = models.JSONField()  # the law engine's proposal the decision started from
    departure_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="disputes_decision_amounts",
                condition=Q(refund_fen__gte=0, compensation_fen__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.stage}: {self.total_fen}"

    @property
    def total_fen(self) -> int:
        return self.refund_fen + self.compensation_fen


class Appeal(models.Model):
    """The one appeal of a case, and the panel drawn for it. The draw is reproducible: anyone
    holding `seed` and `pool` reruns panel.draw and gets `members`."""

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=2000)
    body = models.CharField(max_length=8)  # panel | jury
    seed = models.CharField(max_length=64)
    seed_source = models.JSONField()  # what the seed is the hash of
    pool = models.JSONField()  # eligible user ids, ascending
    members = models.JSONField()  # drawn user ids, in draw order
    filed_at = models.DateTimeField()
    vote_by = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"appeal of {self.dispute_id}"


class Vote(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uphold = models.BooleanField()
    remedy_fen = models.BigIntegerField()
    reasons = models.CharField(max_length=2000)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "member"], name="disputes_one_vote_each"),
            models.CheckConstraint(name="disputes_vote_amount", condition=Q(remedy_fen__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {'uphold' if self.uphold else self.remedy_fen}"
