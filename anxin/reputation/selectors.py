"""Reading reviews: which orders have one (the order list's "to review" tab)."""

from __future__ import annotations

from django.db.models import QuerySet

from anxin.reputation.models import Review


def reviewed_order_ids() -> QuerySet[Review, int]:
    """The ids of the orders that have a review, as a subquery."""
    return Review.objects.values_list("order_id", flat=True)
