"""Reading after-sales requests: those a seller has to act on, for the seller's home."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from anxin.accounts.models import User
from anxin.aftersales.models import AfterSale, Kind
from anxin.aftersales.models import Status as St
from anxin.core.series import per_day, running, window

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


def aftersales_open_by_day(days: list[dt.date]) -> list[int]:
    """The after-sales requests open at the end of each local day of `days` (the backlog, for
    the dashboards): those open when the window starts, plus each day's new requests, less
    each day's closed ones. Three aggregate queries, however many days."""
    start, _ = window(days)
    before = AfterSale.objects.filter(requested_at__lt=start).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    )
    opened = per_day(AfterSale.objects.all(), "requested_at", days)
    closed = per_day(AfterSale.objects.all(), "closed_at", days)
    changes = {d: opened.get(d, 0) - closed.get(d, 0) for d in days}
    return running(before.count(), changes, days)
