"""Reading after-sales requests: those a seller has to act on, for the seller's home."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from anxin.accounts.models import User
from anxin.aftersales.models import AfterSale, Kind
from anxin.aftersales.models import Status as St

# The steps at which a request waits for its seller: to answer it (by `respond_by`: silence
# approves it, services.aftersale_auto_approve), to take the goods back, to refund a return
# (by `refund_due_at`: the buyer is refunded then, services.aftersale_refund_due) or to send
# the repaired or replacement item (no deadline).
WAITING_FOR_SELLER = (
    Q(status=St.REQUESTED) | Q(status=St.RETURN_SHIPPED) | Q(status=St.RETURN_RECEIVED)
)


def aftersales_waiting_for_seller(seller: User) -> list[AfterSale]:
    """The seller's open requests that wait for it, the one due first at the top (those with
    no deadline last)."""
    rows = list(
        AfterSale.objects.filter(WAITING_FOR_SELLER, seller=seller, is_open=True)
        .select_related("order", "order__snapshot")
        .order_by("requested_at", "pk")
    )
    return sorted(
        rows, key=lambda a: (seller_deadline(a) is None, seller_deadline(a) or a.requested_at)
    )


def seller_deadline(a: AfterSale) -> dt.datetime | None:
    """The time by which the seller must act on `a`, if the deadline runner acts for it then:
    the answer (approved on silence) or the refund of a returned item (refunded on silence)."""
    if a.status == St.REQUESTED:
        return a.respond_by
    if a.status == St.RETURN_RECEIVED and a.kind in (Kind.NO_REASON_RETURN, Kind.QUALITY_RETURN):
        return a.refund_due_at
    return None


def aftersale_order_ids() -> QuerySet[AfterSale, int]:
    """The ids of the orders with an after-sales request (open or closed), as a subquery."""
    return AfterSale.objects.values_list("order_id", flat=True)


def open_aftersale_orders(order_ids: list[int]) -> set[int]:
    """Which of these orders have an after-sales request open."""
    return set(
        AfterSale.objects.filter(order_id__in=order_ids, is_open=True).values_list(
            "order_id", flat=True
        )
    )
