"""A carrier that behaves like a tracking push service, with no network.

Subscribing to a tracking number schedules its events through the task queue: `in_transit`
and `delivered`, each after a delay, sometimes delivered twice, sometimes the delivery before
the transit scan. Each push is signed (HMAC-SHA256 over timestamp and body, the way tracking
aggregators sign with the merchant's key) and a failed push is retried with backoff.
`deliver_now()` is what the demo and tests use to make a parcel arrive at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.utils import timezone

from anxin.carriers.base import Event, EventRejected
from anxin.carriers.models import SandboxParcel
from anxin.core.text import unstorable

HEADER_SIGNATURE = "x-carrier-signature"
HEADER_TIMESTAMP = "x-carrier-timestamp"
MAX_SKEW = dt.timedelta(minutes=10)
RETRY = [10, 30, 120, 600, 1800, 3600]
STATUSES = frozenset({"accepted", "in_transit", "delivered", "returned"})


def _key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"anxin carrier sandbox", "sha256").digest()


def sign(body: bytes, at: dt.datetime | None = None) -> dict[str, str]:
    ts = str(int((at or timezone.now()).timestamp()))
    mac = hmac.new(_key(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {HEADER_TIMESTAMP: ts, HEADER_SIGNATURE: mac}


def body_for(tracking_number: str, status: str, occurred_at: dt.datetime, event_id: str) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "tracking_number": tracking_number,
            "status": status,
            "occurred_at": occurred_at.isoformat(),
        },
        separators=(",", ":"),
    ).encode()


class SandboxCarrier:
    name = "sandbox"

    def subscribe(self, tracking_number: str) -> None:
        """One queued task per parcel (shipping is on every order's path): it scans the parcel
        in transit a few hours later and schedules the delivery from there."""
        from anxin.carriers.tasks import sandbox_track

        rng = random.Random()
        transit = timezone.now() + dt.timedelta(hours=rng.uniform(2, 12))
        sandbox_track.using(run_after=transit).enqueue(tracking_number, transit.isoformat())

    def track(self, tracking_number: str, transit_at: str) -> None:
        from anxin.carriers.tasks import sandbox_push

        SandboxParcel.objects.get_or_create(
            tracking_number=tracking_number, defaults={"subscribed_at": timezone.now()}
        )
        rng = random.Random()
        transit = dt.datetime.fromisoformat(transit_at)
        delivered = transit + dt.timedelta(hours=rng.uniform(12, 60))
        for status, at in (("in_transit", transit), ("delivered", delivered)):
            event_id = secrets.token_hex(10)
            copies = 2 if rng.random() < 0.2 else 1  # carriers resend
            for _ in range(copies):
                push_at = at + dt.timedelta(minutes=rng.uniform(0, 90))  # and push late
                sandbox_push.using(run_after=push_at).enqueue(
                    tracking_number, status, at.isoformat(), event_id, 0
                )

    def deliver_now(self, tracking_number: str, *, at: dt.datetime | None = None) -> str:
        """The parcel is signed for now (or at `at`): push the event at once."""
        at = at or timezone.now()
        body = body_for(tracking_number, "delivered", at, secrets.token_hex(10))
        from anxin.carriers.services import tracking_event_receive

        return tracking_event_receive(self.name, body, sign(body))

    def push(self, tracking_number: str, status: str, at: str, event_id: str, attempt: int) -> str:
        from anxin.carriers.services import tracking_event_receive
        from anxin.carriers.tasks import sandbox_push

        body = body_for(tracking_number, status, dt.datetime.fromisoformat(at), event_id)
        try:
            return tracking_event_receive(self.name, body, sign(body))
        except Exception:
            if attempt < len(RETRY):
                sandbox_push.using(
                    run_after=timezone.now() + dt.timedelta(seconds=RETRY[attempt])
                ).enqueue(tracking_number, status, at, event_id, attempt + 1)
            raise

    def parse(self, body: bytes, headers: Mapping[str, str]) -> Event:
        h = {k.lower(): v for k, v in headers.items()}
        ts, mac = h.get(HEADER_TIMESTAMP, ""), h.get(HEADER_SIGNATURE, "")
        if not ts.isdigit() or not mac:
            raise EventRejected("unsigned", "no signature or timestamp")
        # Compared as numbers: a timestamp of thirty digits is no date at all (fromtimestamp
        # would overflow), merely too far from now.
        if abs(timezone.now().timestamp() - int(ts)) > MAX_SKEW.total_seconds():
            raise EventRejected(
                "stale",
                "signature timestamp too far from now (replay?)",
                field=HEADER_TIMESTAMP,
            )
        want = hmac.new(_key(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, mac):
            raise EventRejected("bad_signature", "signature does not match the body")
        try:
            doc = json.loads(body)
            event = Event(
                id=str(doc["id"]),
                tracking_number=str(doc["tracking_number"]),
                status=str(doc["status"]),
                occurred_at=dt.datetime.fromisoformat(doc["occurred_at"]),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise EventRejected("malformed", f"body is not a tracking event: {e}") from None
        # Even a signed event is checked against what its columns hold before it is stored.
        if (
            not 0 < len(event.id) <= 64
            or not 0 < len(event.tracking_number) <= 40
            or event.status not in STATUSES
            or event.occurred_at.tzinfo is None
            or unstorable(event.id + event.tracking_number)
        ):
            raise EventRejected("malformed", "body is not a tracking event")
        return event
