from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from anxin.api.auth import AuthedRequest
from anxin.core.errors import Forbidden
from anxin.disputes import bundle, filing, selectors, services
from anxin.disputes.schemas import (
    AmountIn,
    AnswerIn,
    AssignIn,
    CaseOut,
    DecideIn,
    EvidenceIn,
    FileIn,
    FilingViewIn,
    OutsideIn,
    ProposeIn,
    ReasonIn,
    ReplyIn,
    VoteIn,
    case_out,
)
from anxin.notices.selectors import notices_list
from anxin.notices.services import notices_mark_read
from anxin.notices.texts import notice_text, notice_url
from anxin.remedies import selectors as remedies_selectors
from anxin.remedies import services as remedies_services

router = Router(tags=["disputes"])


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
        for d in selectors.visible(request.auth).order_by("-created_at")[:200]
    ]


@router.get("/disputes/filing-view", response=dict[str, Any])
def filing_view(request: AuthedRequest, q: Query[FilingViewIn]) -> dict[str, Any]:
    """Before filing: what the law gives, the evidence Anxin holds and what is missing, and
    the routes side by side."""
    return filing.filing_view(
        user=request.auth,
        category=q.category,
        claimed_fen=q.claimed_fen,
        number=q.order,
        paid_fen=q.paid_fen,
    )


@router.post("/disputes", response={201: CaseOut})
def file(request: AuthedRequest, payload: FileIn) -> Status[CaseOut]:
    d = services.dispute_file(
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
    d = services.dispute_file(
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
    services.dispute_evidence_submit(
        actor=request.auth, number=number, text=payload.text, file=file
    )
    return Status(201, _case(request, number))


@router.post("/disputes/{number}/answer", response=CaseOut)
def answer(request: AuthedRequest, number: str, payload: AnswerIn) -> CaseOut:
    services.dispute_answer(
        actor=request.auth, number=number, offer_fen=payload.offer_fen, text=payload.text
    )
    return _case(request, number)


@router.post("/disputes/{number}/reply", response=CaseOut)
def reply(request: AuthedRequest, number: str, payload: ReplyIn) -> CaseOut:
    services.dispute_reply(
        actor=request.auth, number=number, accept=payload.accept, reason=payload.reason
    )
    return _case(request, number)


@router.post("/disputes/{number}/withdraw", response=CaseOut)
def withdraw(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.dispute_withdraw(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/propose", response=CaseOut)
def propose(request: AuthedRequest, number: str, payload: ProposeIn) -> CaseOut:
    services.dispute_propose(
        actor=request.auth, number=number, amount_fen=payload.amount_fen, text=payload.text
    )
    return _case(request, number)


@router.post("/disputes/{number}/respond", response=CaseOut)
def respond(request: AuthedRequest, number: str, payload: ReplyIn) -> CaseOut:
    services.dispute_respond(
        actor=request.auth, number=number, accept=payload.accept, reason=payload.reason
    )
    return _case(request, number)


@router.post("/disputes/{number}/decide", response=CaseOut)
def decide(request: AuthedRequest, number: str, payload: DecideIn) -> CaseOut:
    services.dispute_decide(
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
    services.dispute_accept_decision(actor=request.auth, number=number)
    return _case(request, number)


@router.post("/disputes/{number}/appeal", response=CaseOut)
def appeal(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.dispute_appeal(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/vote", response=CaseOut)
def vote(request: AuthedRequest, number: str, payload: VoteIn) -> CaseOut:
    services.dispute_vote(
        actor=request.auth,
        number=number,
        uphold=payload.uphold,
        remedy_fen=payload.remedy_fen,
        reasons=payload.reasons,
    )
    return _case(request, number)


@router.post("/disputes/{number}/transfer", response=CaseOut)
def transfer(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.dispute_transfer(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/admit", response=CaseOut)
def admit(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.dispute_admit(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/refuse", response=CaseOut)
def refuse(request: AuthedRequest, number: str, payload: ReasonIn) -> CaseOut:
    services.dispute_refuse(actor=request.auth, number=number, reason=payload.reason)
    return _case(request, number)


@router.post("/disputes/{number}/assign", response=CaseOut)
def assign(request: AuthedRequest, number: str, payload: AssignIn) -> CaseOut:
    services.dispute_assign(
        actor=request.auth,
        number=number,
        mediator=payload.mediator,
        adjudicator=payload.adjudicator,
    )
    return _case(request, number)


@router.get("/notifications", response=list[dict[str, Any]])
def notifications(request: AuthedRequest) -> list[dict[str, Any]]:
    """Your notices, newest first, in your language."""
    rows = notices_list(request.auth)
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
    return {"read": notices_mark_read(request.auth)}


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
