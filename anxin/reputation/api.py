from __future__ import annotations

from typing import Any

from ninja import Router, Schema, Status

from anxin.accounts.models import User
from anxin.api.auth import AuthedRequest
from anxin.core.errors import NotFound
from anxin.reputation import services
from anxin.reputation.models import Review

router = Router(tags=["reviews"])


class ReviewIn(Schema):
    as_described: int
    shipping: int
    service: int
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
    services.review(actor=request.auth, number=number, **payload.dict())
    return Status(201, _out(number))


@router.post("/orders/{number}/review/followup", response=dict[str, Any])
def followup(request: AuthedRequest, number: str, payload: TextIn) -> dict[str, Any]:
    services.followup(actor=request.auth, number=number, text=payload.text)
    return _out(number)


@router.post("/orders/{number}/review/reply", response=dict[str, Any])
def reply(request: AuthedRequest, number: str, payload: TextIn) -> dict[str, Any]:
    services.reply(actor=request.auth, number=number, text=payload.text)
    return _out(number)


@router.post("/orders/{number}/review/hide", response=dict[str, Any])
def hide(request: AuthedRequest, number: str, payload: HideIn) -> dict[str, Any]:
    services.hide(actor=request.auth, number=number, reason=payload.reason, note=payload.note)
    return _out(number)


@router.get("/sellers/{seller_id}/reviews", response=list[dict[str, Any]], auth=None)
def reviews(request: Any, seller_id: int) -> list[dict[str, Any]]:
    """A seller's reviews, newest first: public, as the seller page shows them."""
    seller = User.objects.filter(pk=seller_id, role="seller").first()
    if seller is None:
        raise NotFound(f"seller {seller_id}: not found")
    return [review_out(r) for r in services.reviews_of(seller)]
