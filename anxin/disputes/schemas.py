"""The dispute API's request and response bodies, and the case as the API (and the evidence
bundle's case.json) shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from anxin.api.types import Whole, WholeParam


class FilingViewIn(Schema):
    category: str
    claimed_fen: WholeParam = 1
    order: str = ""
    paid_fen: WholeParam = 0


class FileIn(Schema):
    order: str
    category: str
    claim: str
    claimed_fen: Whole


class OutsideIn(Schema):
    seller: str
    category: str
    claim: str
    claimed_fen: WholeParam
    description: str
    paid_fen: WholeParam
    paid_on: dt.date
    evidence_text: str


class AnswerIn(Schema):
    offer_fen: Whole
    text: str


class ReplyIn(Schema):
    accept: bool
    reason: str = ""


class ProposeIn(Schema):
    amount_fen: Whole
    text: str


class DecideIn(Schema):
    refund_fen: Whole
    compensation_fen: Whole
    reasons: str
    citations: list[dict[str, Any]]
    departure_reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class VoteIn(Schema):
    uphold: bool
    remedy_fen: Whole | None = None
    reasons: str


class AssignIn(Schema):
    mediator: str = ""
    adjudicator: str = ""


class AmountIn(Schema):
    amount_fen: Whole
    reason: str = ""


class EvidenceIn(Schema):
    text: str


class CaseOut(Schema):
    number: str
    role: str
    stage: str
    step: str
    due_at: dt.datetime | None
    category: str
    claim: str
    claimed_fen: int
    law: list[dict[str, Any]]
    law_fen: int
    cap_fen: int
    proposal: dict[str, Any]
    order: str | None
    buyer: str
    seller: str
    mediator: str | None
    adjudicator: str | None
    offer_fen: int | None
    offer_text: str
    mediation_fen: int | None
    mediation_text: str
    outcome: str
    remedy_fen: int | None
    paid_from: dict[str, int]
    transferred_at: dt.datetime | None
    # Null for a complaint about a sale outside Anxin that staff have not admitted yet.
    admitted_at: dt.datetime | None
    events: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    appeal: dict[str, Any] | None
    can: list[str]


def _name(u: Any) -> str | None:
    return u.username if u is not None else None


def case_out(f: dict[str, Any]) -> CaseOut:
    d = f["case"]
    a = f["appeal"]
    return CaseOut(
        number=d.number,
        role=f["role"],
        stage=d.stage,
        step=d.step,
        due_at=d.due_at,
        category=d.category,
        claim=d.claim,
        claimed_fen=d.claimed_fen,
        law=d.law,
        law_fen=d.law_fen,
        cap_fen=d.cap_fen,
        proposal=f["proposal"],
        order=d.order.number if d.order_id else None,
        buyer=d.buyer.username,
        seller=d.seller.username,
        mediator=_name(d.mediator),
        adjudicator=_name(d.adjudicator),
        offer_fen=d.offer_fen,
        offer_text=d.offer_text,
        mediation_fen=d.proposal_fen,
        mediation_text=d.proposal_text,
        outcome=d.outcome,
        remedy_fen=d.remedy_fen,
        paid_from=d.paid_from,
        transferred_at=d.transferred_at,
        admitted_at=d.admitted_at,
        events=[
            {"kind": e.kind, "role": e.actor_role, "at": e.at.isoformat(), "detail": e.detail}
            for e in f["events"]
        ],
        evidence=[
            {
                "id": e.pk,
                "role": e.role,
                "text": e.text,
                "file_name": e.file_name,
                "sha256": e.sha256,
                "size": e.size,
                "record": e.record_id,
                "at": e.at.isoformat(),
            }
            for e in f["evidence"]
        ],
        decisions=[
            {
                "stage": x.stage,
                "refund_fen": x.refund_fen,
                "compensation_fen": x.compensation_fen,
                "reasons": x.reasons,
                "citations": x.citations,
                "departure_reason": x.departure_reason,
                "is_default": x.is_default,
                "decided_at": x.decided_at.isoformat(),
            }
            for x in f["decisions"]
        ],
        appeal=(
            {
                "body": a.body,
                "reason": a.reason,
                "seed": a.seed,
                "seed_source": a.seed_source,
                "pool": a.pool,
                "members": a.members,
                "draw_verified": f["draw_ok"],
                "vote_by": a.vote_by.isoformat(),
                "votes": [
                    {"uphold": v.uphold, "remedy_fen": v.remedy_fen, "reasons": v.reasons}
                    for v in f["votes"]
                ],
            }
            if a
            else None
        ),
        can=f["can"],
    )
