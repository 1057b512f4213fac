"""The sandbox cashier shows a payment, and takes its payment or decline, only for the
order's buyer: anyone else gets the same 404 as for no such payment, and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.conftest import place_order
from anxin.orders import services
from anxin.orders.models import Order
from anxin.payments.models import Payment, SandboxNotification, SandboxPayment

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _state(order: Order) -> tuple:
    order.refresh_from_db()
    return (
        order.status,
        list(Payment.objects.values_list("status", "failure_reason", "completed_at")),
        list(SandboxPayment.objects.values_list("status", "failure_reason", "completed_at")),
        SandboxNotification.objects.count(),
    )


def test_only_the_buyer_sees_and_acts_on_the_cashier(
    buyer, other_buyer, seller, operator, listing
) -> None:
    # Given a payment started for a buyer's order, and its cashier page
    order = place_order(buyer, listing)
    payment = services.order_payment_start(actor=buyer, number=order.number)
    url = f"/sandbox/pay/{payment.provider_payment_id}"
    assert payment.pay_url.endswith(url)
    before = _state(order)
    # When another buyer, the seller or the operator opens it, declines or pays
    # Then each gets a 404 that shows nothing of the order, and nothing changes
    for stranger in (other_buyer, seller, operator):
        c = client_for(stranger)
        r = c.get(url)
        assert r.status_code == 404, stranger
        assert listing.current_snapshot.title not in r.content.decode()
        assert c.post(url, {"action": "decline"}).status_code == 404, stranger
        assert c.post(url, {"action": "pay"}).status_code == 404, stranger
        assert _state(order) == before
    # Then a payment that does not exist gets the same 404
    assert client_for(other_buyer).get("/sandbox/pay/sbxpay_nothing").status_code == 404
    # When the buyer opens the page and declines
    b = client_for(buyer)
    assert b.get(url).status_code == 200
    r = b.post(url, {"action": "decline"})
    # Then she is sent back to her order and the sandbox's payment has failed
    assert r.status_code == 302
    assert r["Location"] == f"/orders/{order.number}"
    assert SandboxPayment.objects.get(pk=payment.provider_payment_id).status == "failed"
