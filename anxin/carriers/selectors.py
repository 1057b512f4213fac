"""Reading what the carriers told us: a parcel's tracking events, for the order page."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from anxin.carriers.models import TrackingEvent

# What a tracking status means to the buyer (the statuses of carriers.base.Event).
STATUS_LABELS = {
    "accepted": _("Picked up by the carrier"),
    "in_transit": _("In transit"),
    "delivered": _("Delivered: signed for"),
    "returned": _("Returned to the sender"),
}


def parcel_events(
    tracking_number: str, *, since: dt.datetime | None = None
) -> QuerySet[TrackingEvent]:
    """The parcel's tracking events, newest first, each once (a resent push is one event).
    `since`: only those from then on (a tracking number a carrier reused for an older parcel
    must not show that parcel's journey)."""
    qs = TrackingEvent.objects.filter(tracking_number=tracking_number)
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    return qs.only("status", "occurred_at").order_by("-occurred_at", "-pk")


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
