"""Carriers' services: a tracking push is verified, kept once per event id, and applied to the
parcel it is about; new parcels are tracked with the carrier the settings name."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.carriers import registry
from anxin.carriers.base import EventRejected
from anxin.carriers.models import TrackingEvent
from anxin.carriers.sandbox import SandboxCarrier, body_for, sign
from anxin.carriers.services import tracking_event_receive
from anxin.conftest import shipped as conftest_shipped

pytestmark = pytest.mark.django_db

TRACKING = "SF3000000001"


def shipped(buyer, seller, listing):
    return conftest_shipped(buyer, seller, listing, TRACKING)


class RecordingCarrier(SandboxCarrier):
    """A carrier that only remembers what it was asked to track."""

    name = "recording"
    subscribed: list[str] = []

    def subscribe(self, tracking_number: str) -> None:
        self.subscribed.append(tracking_number)


def test_a_signed_delivery_starts_the_orders_clocks(buyer, seller, listing) -> None:
    # Given a shipped order and the carrier's signed push that its parcel was signed for
    order = shipped(buyer, seller, listing)
    at = order.shipped_at + dt.timedelta(hours=30)
    body = body_for(TRACKING, "delivered", at, "evt-a")
    # When the push arrives
    outcome = tracking_event_receive("sandbox", body, sign(body))
    # Then the order is delivered at the time the carrier gives
    order.refresh_from_db()
    assert outcome == f"applied: order {order.number} delivered"
    assert order.delivered_at == at
    assert TrackingEvent.objects.get(event_id="evt-a").outcome == outcome


def test_a_resent_push_is_counted_not_applied_again(buyer, seller, listing) -> None:
    # Given a delivery push already received
    order = shipped(buyer, seller, listing)
    body = body_for(TRACKING, "delivered", order.shipped_at + dt.timedelta(hours=5), "evt-b")
    tracking_event_receive("sandbox", body, sign(body))
    # When the carrier sends it again
    outcome = tracking_event_receive("sandbox", body, sign(body))
    # Then it is a duplicate, kept once and counted twice
    event = TrackingEvent.objects.get(event_id="evt-b")
    assert outcome == "duplicate"
    assert TrackingEvent.objects.filter(event_id="evt-b").count() == 1
    assert event.times_received == 2


def test_a_forged_push_is_refused_and_not_stored(buyer, seller, listing) -> None:
    # Given a push whose body was changed after it was signed
    order = shipped(buyer, seller, listing)
    body = body_for(TRACKING, "delivered", order.shipped_at + dt.timedelta(hours=5), "evt-c")
    forged = body.replace(TRACKING.encode(), b"SF3000000009")
    # When it arrives
    with pytest.raises(EventRejected) as refused:
        tracking_event_receive("sandbox", forged, sign(body))
    # Then it is refused and nothing is stored
    assert refused.value.code == "bad_signature"
    assert not TrackingEvent.objects.exists()


def test_a_push_for_an_unknown_carrier_is_refused(buyer) -> None:
    # Given a push naming a carrier Anxin does not know
    body = body_for(TRACKING, "delivered", dt.datetime.now(dt.UTC), "evt-d")
    # When it arrives
    with pytest.raises(EventRejected) as refused:
        tracking_event_receive("nobody", body, sign(body))
    # Then it is refused by name
    assert refused.value.code == "unknown_carrier"


def test_a_scan_in_transit_is_kept_without_delivering(buyer, seller, listing) -> None:
    # Given a shipped order
    order = shipped(buyer, seller, listing)
    body = body_for(TRACKING, "in_transit", order.shipped_at + dt.timedelta(hours=2), "evt-e")
    # When the carrier scans the parcel in transit
    outcome = tracking_event_receive("sandbox", body, sign(body))
    # Then the scan is kept and the order is not delivered
    order.refresh_from_db()
    assert outcome == "applied"
    assert TrackingEvent.objects.get(event_id="evt-e").status == "in_transit"
    assert order.delivered_at is None


def test_a_delivery_of_no_known_parcel_is_kept_and_ignored(db) -> None:
    # Given a delivery push for a tracking number no order or return has
    body = body_for("YT9999999999", "delivered", dt.datetime.now(dt.UTC), "evt-f")
    # When it arrives
    outcome = tracking_event_receive("sandbox", body, sign(body))
    # Then it is stored, with nothing applied
    assert outcome == "ignored: no shipment with this tracking number"
    assert TrackingEvent.objects.get(event_id="evt-f").outcome == outcome


def test_a_delivery_before_the_shipment_is_ignored(buyer, seller, listing) -> None:
    # Given a shipped order and a delivery dated before it was shipped
    order = shipped(buyer, seller, listing)
    body = body_for(TRACKING, "delivered", order.shipped_at - dt.timedelta(hours=1), "evt-g")
    # When it arrives
    outcome = tracking_event_receive("sandbox", body, sign(body))
    # Then the order is not delivered
    order.refresh_from_db()
    assert outcome == "ignored: delivered before it was shipped"
    assert order.delivered_at is None


def test_the_configured_carrier_is_the_sandbox_by_default(settings) -> None:
    # Given the default settings
    # When the configured carrier is asked for
    carrier = registry.carrier_get()
    # Then it is the sandbox
    assert settings.ANXIN_CARRIER == "sandbox"
    assert carrier.name == "sandbox"


def test_a_shipment_is_tracked_with_the_configured_carrier(
    buyer, seller, listing, settings, monkeypatch
) -> None:
    # Given a carrier registered and chosen by setting
    monkeypatch.setitem(registry.CARRIERS, "recording", RecordingCarrier)
    monkeypatch.setattr(RecordingCarrier, "subscribed", [])
    settings.ANXIN_CARRIER = "recording"
    # When a seller ships an order
    shipped(buyer, seller, listing)
    # Then that carrier is asked to track the parcel
    assert RecordingCarrier.subscribed == [TRACKING]


def test_a_carrier_setting_naming_no_carrier_is_refused(settings) -> None:
    # Given a setting naming a carrier that is not registered
    settings.ANXIN_CARRIER = "nobody"
    # When the configured carrier is asked for
    with pytest.raises(EventRejected) as refused:
        registry.carrier_get()
    # Then it is refused by name
    assert refused.value.code == "unknown_carrier"
