from __future__ import annotations

from typing import Any

from ninja import Router, Schema, Status

from anxin.accounts.models import User
from anxin.api.auth import AuthedRequest
from anxin.api.types import Id, Whole
from anxin.core.errors import Forbidden, NotFound, msg
from anxin.reputation import services
from anxin.reputation.models import Review

router = Router(tags=["reviews"])


class ReviewIn(Schema):
    as_described: Whole
    shipping: Whole
    service: Whole
    text: str = ""
    photos: list[str] = []


class TextIn(Schema):
    text: str


class HideIn(Schema):
    reason: str
    note: str


def review_out(r: Review) -> dict[str, Any]:
    """A review as anyone sees it: a hidden one keeps its ratings, when and why it was
    hidden, and loses its text and photos."""
    hidden = r.hidden_at is not None
    return {
        "order": r.order.number,
        "buyer": r.buyer.username[:1] + "***",
        "as_described": r.as_described,
        "shipping": r.shipping,
        "service": r.service,
        "text": "" if hidden else r.text,
        "photos": [] if hidden else r.photos,
        "created_at": r.created_at.isoformat(),
        "followup": "" if hidden else r.followup_text,
        "reply": r.reply_text,
        "hidden": {"at": r.hidden_at.isoformat(), "reason": r.hidden_reason, "note": r.hidden_note}
        if r.hidden_at
        else None,
    }


def _out(number: str) -> dict[str, Any]:
    return review_out(Review.objects.select_related("order", "buyer").get(order__number=number))


@router.post("/orders/{number}/review", response={201: dict[str, Any]})
def review(request: AuthedRequest, number: str, payload: ReviewIn) -> Status[dict[str, Any]]:
    services.review_create(actor=request.auth, number=number, **payload.dict())
    return Status(201, _out(number))


@router.post("/orders/{number}/review/followup", response=dict[str, Any])
def followup(request: AuthedRequest, number: str, payload: TextIn) -> dict[str, Any]:
    services.review_followup(actor=request.auth, number=number, text=payload.text)
    return _out(number)


@router.post("/orders/{number}/review/reply", response=dict[str, Any])
def reply(request: AuthedRequest, number: str, payload: TextIn) -> dict[str, Any]:
    services.review_reply(actor=request.auth, number=number, text=payload.text)
    return _out(number)


@router.post("/orders/{number}/review/hide", response=dict[str, Any])
def hide(request: AuthedRequest, number: str, payload: HideIn) -> dict[str, Any]:
    services.review_hide(
        actor=request.auth, number=number, reason=payload.reason, note=payload.note
    )
    return _out(number)


class ReportIn(Schema):
    reason: str
    text: str


@router.post("/orders/{number}/review/reports", response={201: dict[str, Any]})
def report(request: AuthedRequest, number: str, payload: ReportIn) -> Status[dict[str, Any]]:
    """A buyer's or seller's report that the review breaks the published rules (the reason
    is one of the grounds for hiding it): once per person, never by the review's author."""
    rep = services.review_report(
        actor=request.auth, number=number, reason=payload.reason, text=payload.text
    )
    return Status(
        201,
        {
            "order": number,
            "reason": rep.reason,
            "text": rep.text,
            "created_at": rep.created_at.isoformat(),
        },
    )


@router.post("/orders/{number}/review/reports/dismiss", response=dict[str, Any])
def reports_dismiss(request: AuthedRequest, number: str) -> dict[str, Any]:
    """The operator keeps a reported review: its open reports are closed."""
    closed = services.review_reports_dismiss(actor=request.auth, number=number)
    return {**_out(number), "reports_closed": closed}


@router.get("/reviews/desk", response=list[dict[str, Any]])
def review_desk(request: AuthedRequest) -> list[dict[str, Any]]:
    """The operator's reviews desk, as its page shows it: reported reviews first with their
    open reports (who reported is said as the page says it: the shop reviewed, another shop
    or a buyer), then the last 30 days' reviews."""
    if not services.review_may_hide(request.auth):
        raise Forbidden("only the platform operator decides on reports of reviews")
    out = []
    for r in services.review_desk_list():
        reports = [
            {
                "reason": rep.reason,
                "text": rep.text,
                "by": "shop_reviewed"
                if rep.by_id == r.seller_id
                else ("shop" if rep.by.role == "seller" else "buyer"),
                "created_at": rep.created_at.isoformat(),
            }
            for rep in r.open_reports  # type: ignore[attr-defined]
        ]
        out.append({**review_out(r), "seller": r.seller_id, "open_reports": reports})
    return out


@router.get("/sellers/{seller_id}/reviews", response=list[dict[str, Any]], auth=None)
def reviews(request: Any, seller_id: Id) -> list[dict[str, Any]]:
    """A seller's reviews, newest first: public, as the seller page shows them."""
    seller = User.objects.filter(pk=seller_id, role="seller").first()
    if seller is None:
        raise NotFound(msg("seller {seller_id}: not found", seller_id=seller_id))
    return [review_out(r) for r in services.reviews_of(seller)]


class AdjustIn(Schema):
    points: Whole
    days: Whole
    reason: str


def _credit(seller_id: int) -> dict[str, Any]:
    from anxin.reputation import credit

    out = credit.explain(seller_id)
    out["adjustments"] = [
        {**a, "at": a["at"].isoformat(), "until": a["until"].isoformat()}
        for a in out["adjustments"]
    ]
    return out


@router.get("/sellers/{seller_id}/credit", response=dict[str, Any], auth=None)
def credit_of(request: Any, seller_id: Id) -> dict[str, Any]:
    """A seller's score and grade, every factor with its weight and value, any adjustment
    by hand with its reason, and what would raise it: public."""
    if not User.objects.filter(pk=seller_id, role="seller").exists():
        raise NotFound(msg("seller {seller_id}: not found", seller_id=seller_id))
    return _credit(seller_id)


@router.post("/sellers/{seller_id}/credit/adjustments", response={201: dict[str, Any]})
def credit_adjust(
    request: AuthedRequest, seller_id: Id, payload: AdjustIn
) -> Status[dict[str, Any]]:
    """The operator changes a score by hand, for a term, with a reason that is recorded and
    shown."""
    from anxin.reputation import credit

    credit.adjust(actor=request.auth, seller_id=seller_id, **payload.dict())
    return Status(201, _credit(seller_id))


class OpenIn(Schema):
    seller_id: Whole
    ground: str
    reasons: str
    evidence: list[str]


class DecideIn(Schema):
    list_seller: bool
    reasons: str
    term_days: Whole = 0


def _entry(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "seller": e.seller_id,
        "ground": e.ground,
        "status": e.status,
        "reasons": e.reasons,
        "evidence": e.evidence,
        "appeal_by": e.appeal_by.isoformat(),
        "appeal": e.appeal_text,
        "decision": e.decision_reasons,
        "listed_until": e.listed_until.isoformat() if e.listed_until else None,
        "lifted": {"at": e.lifted_at.isoformat(), "reasons": e.lift_reasons}
        if e.lifted_at
        else None,
    }


@router.get("/blacklist", response=list[dict[str, Any]], auth=None)
def blacklist_public(request: Any) -> list[dict[str, Any]]:
    """The public blacklist: individuals masked, the ground, the decision and the term."""
    from anxin.reputation import blacklist

    return [
        {**row, "since": row["since"].isoformat(), "until": row["until"].isoformat()}
        for row in blacklist.public_list()
    ]


@router.post("/blacklist", response={201: dict[str, Any]})
def blacklist_open(request: AuthedRequest, payload: OpenIn) -> Status[dict[str, Any]]:
    from anxin.reputation import blacklist

    e = blacklist.open_entry(
        actor=request.auth,
        seller_id=payload.seller_id,
        ground=payload.ground,
        reasons=payload.reasons,
        evidence_refs=payload.evidence,
    )
    return Status(201, _entry(e))


@router.post("/blacklist/{entry_id}/appeal", response=dict[str, Any])
def blacklist_appeal(request: AuthedRequest, entry_id: Id, payload: TextIn) -> dict[str, Any]:
    from anxin.reputation import blacklist

    return _entry(blacklist.appeal(actor=request.auth, entry_id=entry_id, text=payload.text))


@router.post("/blacklist/{entry_id}/decide", response=dict[str, Any])
def blacklist_decide(request: AuthedRequest, entry_id: Id, payload: DecideIn) -> dict[str, Any]:
    from anxin.reputation import blacklist

    return _entry(
        blacklist.decide(
            actor=request.auth,
            entry_id=entry_id,
            list_seller=payload.list_seller,
            reasons=payload.reasons,
            term_days=payload.term_days,
        )
    )


class LiftIn(Schema):
    reasons: str


@router.post("/blacklist/{entry_id}/lift", response=dict[str, Any])
def blacklist_lift(request: AuthedRequest, entry_id: Id, payload: LiftIn) -> dict[str, Any]:
    """The operator or a regulator lifts a listing before its term ends, with reasons."""
    from anxin.reputation import blacklist

    return _entry(blacklist.lift(actor=request.auth, entry_id=entry_id, reasons=payload.reasons))
