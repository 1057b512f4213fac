"""Tracking events in: verified, kept once per event id, and applied to the shipment they
belong to. Delivery is what counts: the time the carrier says the parcel was signed for
(not when we heard of it) starts the law's clocks."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from anxin.carriers.base import Event
from anxin.carriers.models import TrackingEvent
from anxin.carriers.registry import carrier_get
from anxin.core import hooks


def tracking_event_receive(carrier_name: str, body: bytes, headers: Mapping[str, str]) -> str:
    """'applied', 'ignored: why' or 'duplicate'. Raises EventRejected for an unauthentic one."""
    event = carrier_get(carrier_name).parse(body, headers)
    with transaction.atomic():
        if not _kept_once(carrier_name, event, body):
            TrackingEvent.objects.filter(carrier=carrier_name, event_id=event.id).update(
                times_received=F("times_received") + 1
            )
            return "duplicate"
        outcome = "applied" if event.status != "delivered" else _delivered(carrier_name, event)
        TrackingEvent.objects.filter(carrier=carrier_name, event_id=event.id).update(
            outcome=outcome[:200]
        )
        return outcome


def _kept_once(carrier_name: str, event: Event, body: bytes) -> bool:
    """Store the event unless its id is already stored (carriers resend): True if stored. A
    savepoint catches the duplicate: a tracking push is rare beside the orders it tracks."""
    try:
        with transaction.atomic():
            TrackingEvent.objects.create(
                carrier=carrier_name,
                event_id=event.id,
                tracking_number=event.tracking_number,
                status=event.status,
                occurred_at=event.occurred_at,
                received_at=timezone.now(),
                times_received=1,
                outcome="",
                body=body.decode(errors="replace"),
            )
    except IntegrityError:
        return False
    return True


def _delivered(carrier_name: str, event: Event) -> str:
    """The parcel's owner applies the delivery, in this transaction: an after-sales return
    or an order's shipment (hooks.PARCEL_DELIVERED)."""
    outcome = hooks.ask(
        hooks.PARCEL_DELIVERED,
        carrier=carrier_name,
        tracking_number=event.tracking_number,
        delivered_at=event.occurred_at,
    )
    return outcome or "ignored: no shipment with this tracking number"
