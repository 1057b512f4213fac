"""Tracking events in: verified, kept once per event id, and applied to the shipment they
belong to. Delivery is what counts: the time the carrier says the parcel was signed for
(not when we heard of it) starts the law's clocks."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from anxin.carriers.models import TrackingEvent
from anxin.carriers.sandbox import get_carrier
from anxin.core.sql import insert_row_unless_duplicate


def receive(carrier_name: str, body: bytes, headers: Mapping[str, str]) -> str:
    """'applied', 'ignored: why' or 'duplicate'. Raises EventRejected for an unauthentic one."""
    event = get_carrier(carrier_name).parse(body, headers)
    with transaction.atomic():
        if not insert_row_unless_duplicate(
            TrackingEvent,
            carrier=carrier_name,
            event_id=event.id,
            tracking_number=event.tracking_number,
            status=event.status,
            occurred_at=event.occurred_at,
            received_at=timezone.now(),
            times_received=1,
            outcome="",
            body=body.decode(errors="replace"),
        ):
            TrackingEvent.objects.filter(carrier=carrier_name, event_id=event.id).update(
                times_received=F("times_received") + 1
            )
            return "duplicate"
        outcome = "applied" if event.status != "delivered" else _delivered(carrier_name, event)
        TrackingEvent.objects.filter(carrier=carrier_name, event_id=event.id).update(
            outcome=outcome[:200]
        )
        return outcome


def _delivered(carrier_name: str, event: object) -> str:
    from anxin.aftersales import services as aftersales
    from anxin.orders import services as orders

    tracking, at = event.tracking_number, event.occurred_at  # type: ignore[attr-defined]
    outcome = aftersales.return_delivered(
        carrier=carrier_name, tracking_number=tracking, delivered_at=at
    )
    if outcome is None:
        outcome = orders.order_delivered(
            carrier=carrier_name, tracking_number=tracking, delivered_at=at
        )
    return outcome or "ignored: no shipment with this tracking number"
