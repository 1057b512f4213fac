"""Reading reviews: which orders may still be reviewed (the order list's "to review" tab)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from anxin.law.days import BEIJING, due_at
from anxin.reputation.models import Review


def review_closes(settled: dt.datetime) -> dt.datetime:
    """When the buyer of an order settled at `settled` can no longer review it."""
    return due_at(settled, settings.ANXIN_REVIEW_DAYS)


def reviews_open_since(now: dt.datetime | None = None) -> dt.datetime:
    """The earliest settlement whose review is still open at `now`: the start of the first
    day (Beijing time) on which a settlement's window, as review_closes counts it, has not
    closed yet. The window depends on the settlement's day alone and a later day never
    closes sooner, so walking back from today finds it."""
    now = now or timezone.now()
    day = now.astimezone(BEIJING).date()
    while review_closes(_start(day - dt.timedelta(days=1))) >= now:
        day -= dt.timedelta(days=1)
    return _start(day)


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=BEIJING)


def reviewable_orders() -> Q:
    """The settled orders their buyers may still review: no review yet, window open."""
    return Q(completed_at__gte=reviews_open_since()) & ~Q(
        pk__in=Review.objects.values_list("order_id", flat=True)
    )


def withheld_photo_readers(sha256: str) -> set[int] | None:
    """Who may still see an image of the shared store that only hidden reviews show: their
    authors (the operator and regulators see it too, by their role). None when the image is
    public: shown by a visible review or by a listing, or in no review at all.

    A hidden review's photos are withheld as its text is: the operator hid them for a reason
    (someone's personal information, abuse), and their address must not keep showing them."""
    from anxin.catalog.models import ListingSnapshot

    hidden = set(
        Review.objects.filter(hidden_at__isnull=False, photos__icontains=sha256).values_list(
            "buyer_id", flat=True
        )
    )
    if not hidden:
        return None
    shown = (
        Review.objects.filter(hidden_at__isnull=True, photos__icontains=sha256).exists()
        or ListingSnapshot.objects.filter(images__icontains=sha256).exists()
    )
    return None if shown else hidden
