from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from anxin.api.auth import AuthedRequest
from anxin.api.types import Whole, WholeParam
from anxin.core.errors import Forbidden
from anxin.disputes import bundle, selectors, services
from anxin.disputes.models import Notification
from anxin.disputes.notices import text as notice_text
from anxin.disputes.notices import url as notice_url
from anxin.remedies import selectors as remedies_selectors
from anxin.remedies import services as remedies_services

router = Router(tags=["disputes"])


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


def _case(request: AuthedRequest, number: str) -> CaseOut:
    return case_out(selectors.case_file(request.auth, number))


@router.get("/disputes", response=list[dict[str, Any]])
def disputes(request: AuthedRequest) -> list[dict[str, Any]]:
    """The cases you are on (the regulator: those transferred; the operator: all)."""
    return [
        {
            "number": d.number,
            "stage": d.stage,
            "step": d.step,
            "due_at": d.due_at.isoformat() if d.due_at else None,
            "category": d.category,
            "claimed_fen": d.claimed_fen,
            "outcome": d.outcome,
        }
        for d in services.visible(request.auth).order_by("-created_at")[:200]
    ]


@router.get("/disputes/filing-view", response=dict[str, Any])
def filing_view(request: AuthedRequest, q: Query[FilingViewIn]) -> dict[str, Any]:
    """Before filing: what the law gives, the evidence Anxin holds and what is missing, and
    the routes side by side."""
    return services.filing_view(
        user=request.auth,
        category=q.category,
        claimed_fen=q.claimed_fen,
        number=q.order,
        paid_fen=q.paid_fen,
    )


@router.post("/disputes", response={201: CaseOut})
def file(request: AuthedRequest, payload: FileIn) -> Status[CaseOut]:
    d = services.file(
        actor=request.auth,
        number=payload.order,
        category=payload.category,
        claim=payload.claim,
        claimed_fen=payload.claimed_fen,
    )
    return Status(201, _case(request, d.number))


@router.post("/disputes/outside", response={201: CaseOut})
def file_outside(
    request: AuthedRequest, payload: Form[OutsideIn], files: File[list[UploadedFile]]
) -> Status[CaseOut]:
    """A complaint about a sale a registered seller made outside Anxin, with its evidence
    (multipart: the fields, and one or more files)."""
    d = services.file(
        actor=request.auth,
        seller_username=payload.seller,
        category=payload.category,
        claim=payload.claim,
        claimed_fen=payload.claimed_fen,
        outside_description=payload.description,
        outside_paid_fen=payload.paid_fen,
        outside_paid_on=payload.paid_on,
        files=[(payload.evidence_text, f) for f in files],
    )
    return Status(201, _case(request, d.number))


@router.get("/disputes/{number}", response=CaseOut)
def case(request: AuthedRequest, number: str) -> CaseOut:
    return _case(request, number)


@router.get("/disputes/{number}/bundle")
def case_bundle(request: AuthedRequest, number: str) -> HttpResponse:
    """The whole file as one zip: the case, every event and piece of evidence with its file,
    the evidence-log records, and the order's own evidence bundle."""
    return bundle.response(request.auth, number)


@router.post("/disputes/{number}/evidence", response={201: CaseOut})
def evidence(
    request: AuthedRequest,
    number: str,
    payload: Form[EvidenceIn],
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> Status[CaseOut]:
    services.submit_evidence(actor=request.auth, number=number, text=payload.text, file=file)
    return Status(201, _case(request, number))


@router.post("/disputes/{number}/answer", response=CaseOut)
def answer(request: AuthedRequest, number: str, payload: AnswerIn) -> CaseOut:
    services.answer(
        actor=request.auth, number=number, offer_fen=payload.offer_fen, text=payload.text
    )
    return _case(request, number)


@router.post("/disputes/{number}/reply", response=CaseOut)
def reply(request: AuthedRequest, number: str, payload: ReplyIn) -> CaseOut:
    services.reply(actor=request.auth, number=number, accept=payload.accept, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/withdraw", response=CaseOut)
def withdraw(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.withdraw(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/propose", response=CaseOut)
def propose(request: AuthedRequest, number: str, payload: ProposeIn) -> CaseOut:
    services.propose(
        actor=request.auth, number=number, amount_fen=payload.amount_fen, text=payload.text
    )
    return _case(request, number)


@router.post("/disputes/{number}/respond", response=CaseOut)
def respond(request: AuthedRequest, number: str, payload: ReplyIn) -> CaseOut:
    services.respond(
        actor=request.auth, number=number, accept=payload.accept, reason=payload.reason
    )
    return _case(request, number)


@router.post("/disputes/{number}/decide", response=CaseOut)
def decide(request: AuthedRequest, number: str, payload: DecideIn) -> CaseOut:
    services.decide(
        actor=request.auth,
        number=number,
        refund_fen=payload.refund_fen,
        compensation_fen=payload.compensation_fen,
        reasons=payload.reasons,
        citations=payload.citations,
        departure_reason=payload.departure_reason,
    )
    return _case(request, number)


@router.post("/disputes/{number}/accept-decision", response=CaseOut)
def accept_decision(request: AuthedRequest, number: str) -> CaseOut:
    services.accept_decision(actor=request.auth, number=number)
    return _case(request, number)


@router.post("/disputes/{number}/appeal", response=CaseOut)
def appeal(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.appeal(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/vote", response=CaseOut)
def vote(request: AuthedRequest, number: str, payload: VoteIn) -> CaseOut:
    services.vote(
        actor=request.auth,
        number=number,
        uphold=payload.uphold,
        remedy_fen=payload.remedy_fen,
        reasons=payload.reasons,
    )
    return _case(request, number)


@router.post("/disputes/{number}/transfer", response=CaseOut)
def transfer(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.transfer(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/admit", response=CaseOut)
def admit(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.admit(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/refuse", response=CaseOut)
def refuse(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.refuse(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/assign", response=CaseOut)
def assign(request: AuthedRequest, number: str, payload: AssignIn) -> CaseOut:
    services.assign(
        actor=request.auth,
        number=number,
        mediator=payload.mediator,
        adjudicator=payload.adjudicator,
    )
    return _case(request, number)


@router.get("/notifications", response=list[dict[str, Any]])
def notifications(request: AuthedRequest) -> list[dict[str, Any]]:
    """Your notices, newest first, in your language."""
    rows = (
        Notification.objects.filter(user=request.auth)
        .select_related("dispute")
        .order_by("-created_at", "-pk")[:100]
    )
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "text": notice_text(n),
            "url": notice_url(n),
            "created_at": n.created_at.isoformat(),
            "read": n.read_at is not None,
        }
        for n in rows
    ]


@router.post("/notifications/read", response=dict[str, int])
def notifications_read(request: AuthedRequest) -> dict[str, int]:
    n = Notification.objects.filter(user=request.auth, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return {"read": n}


@router.get("/guarantee/fund", response=dict[str, int])
def fund(request: AuthedRequest) -> dict[str, int]:
    """The guarantee fund's position (the platform operator)."""
    if request.auth.role != "operator":
        raise Forbidden("only the platform operator sees the fund")
    return remedies_selectors.fund_position()


@router.post("/guarantee/fund/allocate", response=dict[str, int])
def fund_allocate(request: AuthedRequest, payload: AmountIn) -> dict[str, int]:
    remedies_services.fund_allocate(
        actor=request.auth, amount_fen=payload.amount_fen, reason=payload.reason
    )
    return remedies_selectors.fund_position()


@router.get("/guarantee/deposit", response=dict[str, int])
def deposit(request: AuthedRequest) -> dict[str, int]:
    """Your guarantee deposit: what is required for your categories, and what is lodged."""
    if request.auth.role != "seller":
        raise Forbidden("only sellers have deposits")
    return remedies_selectors.deposit_status(request.auth)


@router.post("/guarantee/deposit", response=dict[str, int])
def deposit_lodge(request: AuthedRequest, payload: AmountIn) -> dict[str, int]:
    remedies_services.deposit_lodge(actor=request.auth, amount_fen=payload.amount_fen)
    return remedies_selectors.deposit_status(request.auth)
