"""Writing reviews. Every step locks the order (as every order service does) and is an order
event and an evidence record on the order's chain, so a review is in the order's voucher and
cannot silently change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import Role, User
from anxin.catalog.models import ListingImage
from anxin.core.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
    msg,
)
from anxin.core.text import clean_text, is_whole
from anxin.law.days import due_at
from anxin.orders.events import OrderEventKind, order_event_record
from anxin.orders.locks import order_lock_for
from anxin.orders.models import Order, OrderStatus
from anxin.orders.notify import order_notice
from anxin.reputation import credit
from anxin.reputation.models import HideReason, Review, ReviewReport
from anxin.reputation.selectors import review_closes

# Photos a review may carry: each an image from catalog's store (listing_image_upload checks
# and stores it exactly as a listing's picture), uploaded by the reviewing buyer.
MAX_PHOTOS = 3


def _rating(value: Any, field: str) -> int:
    if not is_whole(value) or not 1 <= value <= 5:
        raise ValidationFailed(msg("{field}: a whole number from 1 to 5", field=field), field=field)
    return value


def _settled(order: Order) -> dt.datetime:
    if order.status != OrderStatus.COMPLETED or order.completed_at is None:
        raise InvalidTransition(
            msg(
                "order {number} is {status}: only a settled order can be reviewed",
                number=order.number,
                status=order.status,
            ),
            code="not_settled",
        )
    return order.completed_at


@transaction.atomic
def review_create(
    *,
    actor: User,
    number: str,
    as_described: Any,
    shipping: Any,
    service: Any,
    text: str = "",
    photos: list[str] | None = None,
) -> Review:
    """The buyer's review of a settled order: once, within days of settlement."""
    order = order_lock_for(actor, number).order
    if actor.pk != order.buyer_id:
        raise Forbidden("only the buyer of this order can review it", code="not_the_buyer")
    settled = _settled(order)
    if timezone.now() > review_closes(settled):
        raise InvalidTransition(
            msg(
                "order {number}: the {days} days to review it have passed",
                number=number,
                days=settings.ANXIN_REVIEW_DAYS,
            ),
            code="review_window_closed",
        )
    if Review.objects.filter(order=order).exists():
        raise Conflict(
            msg("order {number} has been reviewed; add a follow-up instead", number=number),
            code="reviewed",
        )
    ratings: dict[str, Any] = {
        "as_described": _rating(as_described, "as_described"),
        "shipping": _rating(shipping, "shipping"),
        "service": _rating(service, "service"),
    }
    text = clean_text(text, "text", 1000, required=False, multiline=True)
    if photos is not None and (
        not isinstance(photos, list) or not all(isinstance(p, str) for p in photos)
    ):
        raise ValidationFailed("photos: a list of the photos' SHA-256s", field="photos")
    shas = list(dict.fromkeys(photos or []))
    if len(shas) > MAX_PHOTOS:
        raise ValidationFailed(
            msg("photos: at most {MAX_PHOTOS}", MAX_PHOTOS=MAX_PHOTOS), field="photos"
        )
    mine = set(
        ListingImage.objects.filter(sha256__in=shas, uploaded_by=actor).values_list(
            "sha256", flat=True
        )
    )
    if set(shas) - mine:
        raise ValidationFailed(
            "photos: upload each photo first (POST /api/v1/images)", field="photos"
        )
    r = Review.objects.create(
        order=order,
        buyer=actor,
        seller_id=order.seller_id,
        text=text,
        photos=shas,
        created_at=timezone.now(),
        **ratings,
    )
    order_event_record(
        order, OrderEventKind.REVIEWED, actor=actor, **ratings, text=text, photos=shas
    )
    credit.refresh([order.seller_id])
    order_notice(order, [order.seller_id], "review_posted", actor=actor)
    return r


def _for_order(order: Order) -> Review:
    r = Review.objects.select_for_update().filter(order=order).first()
    if r is None:
        raise NotFound(msg("order {number}: not reviewed", number=order.number))
    return r


@transaction.atomic
def review_followup(*, actor: User, number: str, text: str) -> Review:
    """One follow-up review_create (追评), within ANXIN_REVIEW_FOLLOWUP_DAYS of settlement."""
    order = order_lock_for(actor, number).order
    if actor.pk != order.buyer_id:
        raise Forbidden("only the buyer of this order can add to its review", code="not_the_buyer")
    r = _for_order(order)
    if r.followup_at is not None:
        raise Conflict("the follow-up has been written", code="followed_up")
    if timezone.now() > due_at(_settled(order), settings.ANXIN_REVIEW_FOLLOWUP_DAYS):
        raise InvalidTransition(
            "the time for a follow-up has passed", code="followup_window_closed"
        )
    r.followup_text, r.followup_at = clean_text(text, "text", 1000, multiline=True), timezone.now()
    r.save(update_fields=["followup_text", "followup_at"])
    order_event_record(order, OrderEventKind.REVIEW_FOLLOWUP, actor=actor, text=r.followup_text)
    return r


@transaction.atomic
def review_reply(*, actor: User, number: str, text: str) -> Review:
    """The seller's public reply, once. The seller can answer a review, never remove it."""
    order = order_lock_for(actor, number).order
    if actor.pk != order.seller_id:
        raise Forbidden("only the seller of this order can reply", code="not_the_seller")
    r = _for_order(order)
    if r.reply_at is not None:
        raise Conflict("you have replied to this review", code="replied")
    r.reply_text, r.reply_at = clean_text(text, "text", 1000, multiline=True), timezone.now()
    r.save(update_fields=["reply_text", "reply_at"])
    order_event_record(order, OrderEventKind.REVIEW_REPLY, actor=actor, text=r.reply_text)
    return r


def review_may_hide(user: User) -> bool:
    """Whether `user` hides reviews: the platform operator only."""
    return user.is_authenticated and user.role == Role.OPERATOR


def reviews_recent(*, days: int = 30, limit: int = 100) -> list[Review]:
    """The reviews posted in the last `days`, newest first, hidden ones too: what the
    operator reads for reviews that break the published rules."""
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        Review.objects.filter(created_at__gte=since)
        .select_related("buyer", "order", "seller__seller_profile")
        .order_by("-created_at")[:limit]
    )


@transaction.atomic
def review_hide(*, actor: User, number: str, reason: str, note: str) -> Review:
    """The operator hides a review, only for a reason the rules list; the page shows that it
    was hidden, when and why, and the review stays in the evidence log."""
    if not review_may_hide(actor):
        raise Forbidden(
            "only the platform operator may hide a review, and only for a listed reason"
        )
    if reason not in HideReason.values:
        raise ValidationFailed(
            msg("reason: must be one of {join}", join=", ".join(HideReason.values)), field="reason"
        )
    order = order_lock_for(actor, number).order
    r = _for_order(order)
    if r.hidden_at is not None:
        raise Conflict("the review is hidden already", code="hidden")
    r.hidden_at, r.hidden_reason, r.hidden_by = timezone.now(), reason, actor
    r.hidden_note = clean_text(note, "note", 300, multiline=True)
    r.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "hidden_note"])
    # Hiding the review answers every report on it.
    ReviewReport.objects.filter(review=r, closed_at__isnull=True).update(
        closed_at=r.hidden_at, outcome="hidden"
    )
    order_event_record(
        order, OrderEventKind.REVIEW_HIDDEN, actor=actor, reason=reason, note=r.hidden_note
    )
    credit.refresh([order.seller_id])
    return r


def reviews_of(seller: User) -> list[Review]:
    return list(
        Review.objects.filter(seller=seller)
        .select_related("buyer", "order__snapshot")
        .order_by("-created_at")[:100]
    )


def review_may_report(user: User, review: Review) -> bool:
    """Whether `user` may report `review`: a signed-in buyer or seller other than the
    review's author. Not its author, because a review is the buyer's own evidence and a
    report is the way to have it hidden: an author's report would be a path for a seller to
    press a buyer into having a bad review taken down (删差评), which hiding only for the
    listed reasons, and only by the operator, exists to stop."""
    return (
        user.is_authenticated
        and user.role in (Role.BUYER, Role.SELLER)
        and user.pk != review.buyer_id
    )


@transaction.atomic
def review_report(*, actor: User, number: str, reason: str, text: str) -> ReviewReport:
    """A buyer's or seller's report that the review of order `number` breaks the published
    rules, on one of the grounds for hiding it, with what in it does: once per person. The
    operator's reviews desk lists reported reviews first."""
    r = (
        Review.objects.select_for_update()
        .filter(order__number=number if isinstance(number, str) else "")
        .first()
    )
    if r is None:
        raise NotFound(msg("order {number}: not reviewed", number=number))
    if not review_may_report(actor, r):
        raise Forbidden(
            "only buyers and sellers may report a review, and not its author",
            code="may_not_report",
        )
    if reason not in HideReason.values:
        raise ValidationFailed(
            msg("reason: must be one of {join}", join=", ".join(HideReason.values)), field="reason"
        )
    text = clean_text(text, "text", 500, multiline=True)
    if r.hidden_at is not None:
        raise Conflict("the review is hidden already", code="hidden")
    if ReviewReport.objects.filter(review=r, by=actor).exists():
        raise Conflict("you have reported this review already", code="reported")
    return ReviewReport.objects.create(
        review=r, by=actor, reason=reason, text=text, created_at=timezone.now()
    )


@transaction.atomic
def review_reports_dismiss(*, actor: User, number: str) -> int:
    """The operator keeps a reported review, finding no breach of the listed rules in it:
    its open reports are closed (the review stays as it is, and may be reported again by
    others). Returns how many were closed."""
    if not review_may_hide(actor):
        raise Forbidden("only the platform operator decides on reports of reviews")
    r = (
        Review.objects.select_for_update()
        .filter(order__number=number if isinstance(number, str) else "")
        .first()
    )
    if r is None:
        raise NotFound(msg("order {number}: not reviewed", number=number))
    closed = ReviewReport.objects.filter(review=r, closed_at__isnull=True).update(
        closed_at=timezone.now(), outcome="kept"
    )
    if not closed:
        raise Conflict("the review has no open reports", code="no_open_reports")
    return closed


def review_desk_list(*, days: int = 30, limit: int = 100) -> list[Review]:
    """The operator's reviews desk: the reviews with open reports first (oldest report
    first, each with its open reports as `open_reports`), then the rest of the last `days`,
    newest first."""
    open_reports = list(
        ReviewReport.objects.filter(closed_at__isnull=True)
        .select_related("by")
        .order_by("created_at", "pk")
    )
    by_review: dict[int, list[ReviewReport]] = {}
    for rep in open_reports:
        by_review.setdefault(rep.review_id, []).append(rep)
    reported = Review.objects.filter(pk__in=list(by_review)).select_related(
        "buyer", "order", "seller__seller_profile"
    )
    first = sorted(reported, key=lambda r: (by_review[r.pk][0].created_at, r.pk))[:limit]
    rest = [r for r in reviews_recent(days=days, limit=limit) if r.pk not in by_review]
    for r in first:
        r.open_reports = by_review[r.pk]  # type: ignore[attr-defined]
    for r in rest:
        r.open_reports = []  # type: ignore[attr-defined]
    return first + rest
