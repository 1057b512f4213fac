"""Refused payment notifications are kept for the audit trail within bounds: the latest
ANXIN_PAYMENT_REJECTED_KEEP per provider, for ANXIN_PAYMENT_REJECTED_DAYS. A flood of forged
notifications does not grow the table; `anxin deadlines` drops the old ones."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import Client

from anxin.conftest import pay, place_order
from anxin.payments.models import NotificationStatus, PaymentNotification

pytestmark = pytest.mark.django_db


def _forged(i: int) -> int:
    body = json.dumps({"id": f"evt_forged_{i}", "event_type": "payment.succeeded"}).encode()
    r = Client().post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        headers={
            "x-sandbox-signature": "forged",
            "x-sandbox-timestamp": "1",
            "x-sandbox-nonce": "n",
        },
    )
    return r.status_code


def _rejected() -> list[str]:
    rows = PaymentNotification.objects.filter(status=NotificationStatus.REJECTED).order_by("id")
    return [json.loads(body)["id"] for body in rows.values_list("body", flat=True)]


def test_a_flood_of_forged_notifications_keeps_only_the_latest(settings, buyer, listing) -> None:
    # Given a keep of 5 refused notifications and one genuine notification applied
    settings.ANXIN_PAYMENT_REJECTED_KEEP = 5
    order = place_order(buyer, listing)
    pay(order)  # a genuine notification, applied: never dropped
    applied = PaymentNotification.objects.exclude(status=NotificationStatus.REJECTED).count()
    assert applied == 1
    # When 40 forged notifications arrive
    # Then each is refused as unauthorised and never more than 5 are kept
    for i in range(40):
        assert _forged(i) == 401
        assert len(_rejected()) <= 5
    # Then the 5 kept are the latest, and the genuine one is still there
    assert _rejected() == [f"evt_forged_{i}" for i in range(35, 40)]
    assert PaymentNotification.objects.exclude(status=NotificationStatus.REJECTED).count() == 1


def test_anxin_deadlines_drops_refused_notifications_past_their_days(settings, clock) -> None:
    # Given refused notifications kept 30 days: three 31 days old and one 11 days old
    settings.ANXIN_PAYMENT_REJECTED_DAYS = 30
    for i in range(3):
        _forged(i)
    clock.shift(dt.timedelta(days=20))
    _forged(3)
    clock.shift(dt.timedelta(days=11))  # the first three are 31 days old, the last 11
    # When `anxin deadlines` runs
    call_command("deadlines")
    # Then only the recent one is kept
    assert _rejected() == ["evt_forged_3"]
    # When it runs again 20 days later
    clock.shift(dt.timedelta(days=20))
    call_command("deadlines")
    # Then none is kept
    assert _rejected() == []
