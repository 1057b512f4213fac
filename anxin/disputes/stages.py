"""The moves between stages that the services and the deadlines' defaults share: a case sent
to mediation or to adjudication (with its officer chosen), a decision recorded, an appeal
decided. Each writes through the writer it is given."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.disputes.filing import price_of, proposal
from anxin.disputes.models import Appeal, Decision, Dispute, Outcome, Stage, Step
from anxin.disputes.remedy import remedy_execute, remedy_to_pay
from anxin.disputes.writer import DisputeWriter


def to_mediation(w: DisputeWriter, d: Dispute) -> None:
    mediator = d.mediator_id or w.least_busy(Role.MEDIATOR, d, "mediator")
    w.event(d, "to_mediation", actor=None, mediator=mediator)
    w.move(
        d,
        Step.MEDIATOR_PROPOSAL,
        mediator_id=mediator,
        proposal_fen=None,
        proposal_text="",
        buyer_accepted_at=None,
        seller_accepted_at=None,
    )
    w.notify([d.buyer_id, d.seller_id, d.mediator_id], d, "mediation")


def to_adjudication(w: DisputeWriter, d: Dispute) -> None:
    adjudicator = d.adjudicator_id or w.least_busy(
        Role.ADJUDICATOR, d, "adjudicator", exclude=[d.mediator_id]
    )
    w.event(d, "to_adjudication", actor=None, adjudicator=adjudicator)
    w.move(d, Step.EVIDENCE, adjudicator_id=adjudicator)
    w.notify([d.buyer_id, d.seller_id, d.adjudicator_id], d, "adjudication")


def decision_record(
    w: DisputeWriter,
    d: Dispute,
    *,
    actor: User | None,
    refund: int,
    compensation: int,
    reasons: str,
    citations: list[dict[str, Any]],
    proposed: dict[str, Any],
    departure: str = "",
    is_default: bool = False,
) -> Decision:
    """The adjudicator's decision (or the default one) recorded, and the appeal window
    opened."""
    decision = Decision(
        dispute=d,
        stage=Stage.ADJUDICATION,
        decided_by=actor,
        is_default=is_default,
        refund_fen=refund,
        compensation_fen=compensation,
        reasons=reasons,
        citations=citations,
        proposal=proposed,
        departure_reason=departure,
        decided_at=timezone.now(),
    )
    w.decision_add(d, decision)
    w.event(
        d,
        "decided",
        actor=actor,
        role=None if actor else "system",
        refund_fen=refund,
        compensation_fen=compensation,
        reasons=reasons,
        citations=citations,
        departure_reason=departure,
        is_default=is_default,
    )
    w.move(d, Step.APPEAL_WINDOW, buyer_accepted_at=None, seller_accepted_at=None)
    w.notify([d.buyer_id, d.seller_id], d, "decided", total_fen=refund + compensation)
    return decision


def appeal_decide(
    w: DisputeWriter,
    d: Dispute,
    a: Appeal,
    decision: Decision,
    result: tuple[bool, int],
    *,
    queue: bool = False,
) -> None:
    """The panel's majority (or its deadline) decides the appeal: the decision upheld, or a
    new one with the remedy the majority set; paid at once, or by a task (`queue`)."""
    upheld, amount = result
    a.decided_at = timezone.now()
    w.appeal_decided(a)
    total = decision.total_fen if upheld else amount
    refund = min(total, price_of(d))
    final = decision
    if not upheld:
        final = Decision.objects.create(
            dispute=d,
            stage=Stage.APPEAL,
            decided_by=None,
            refund_fen=refund,
            compensation_fen=total - refund,
            reasons="\n\n".join(v.reasons for v in a.votes.filter(uphold=False)),
            citations=decision.citations,
            proposal=proposal(d),
            departure_reason="the appeal panel's majority changed the remedy",
            decided_at=a.decided_at,
        )
    w.event(d, "appeal_decided", actor=None, upheld=upheld, remedy_fen=total)
    if queue:
        remedy_to_pay(w, d, total, Outcome.APPEAL_DECIDED)
    else:
        remedy_execute(w, d, total, Outcome.APPEAL_DECIDED, actor=None, decision=final)
