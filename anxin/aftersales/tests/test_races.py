"""Separate processes racing on one after-sales request: exactly one outcome."""

from __future__ import annotations

import pytest

from anxin.aftersales import services
from anxin.aftersales.models import AfterSale, Status
from anxin.conftest import pay, place_order
from anxin.ops.audits import books_audit
from anxin.orders import services as orders
from anxin.orders.tests.test_concurrency import race
from anxin.payments.models import Refund

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _requested(buyer, seller, listing):
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=seller, number=order.number, carrier="顺丰", tracking_number="SF5000000001"
    )
    services.aftersale_request(
        actor=buyer, number=order.number, kind="no_reason_return", reason="race"
    )
    return order


def test_approve_and_refuse_at_once_give_one_outcome(tmp_path, buyer, seller, listing) -> None:
    # Given a no-reason return requested on a shipped order
    order = _requested(buyer, seller, listing)
    # When two processes approve and refuse it at the same moment
    results = race(
        tmp_path,
        [
            ("as-approve", order.number, seller.username),
            ("as-refuse", order.number, seller.username),
        ],
    )
    # Then one wins, the request has its outcome, and one answer is recorded
    assert sorted(r["ok"] for r in results) == [False, True]
    a = AfterSale.objects.get(order=order)
    assert a.status in (Status.APPROVED, Status.REFUSED)
    assert order.events.filter(kind__in=["after_sale_approved", "after_sale_refused"]).count() == 1


def test_two_refunds_of_one_request_pay_once(tmp_path, buyer, seller, listing) -> None:
    # Given an approved return shipped back to the seller
    order = _requested(buyer, seller, listing)
    services.aftersale_answer(actor=seller, number=order.number, approve=True)
    services.aftersale_ship_back(
        actor=buyer, number=order.number, carrier="中通", tracking_number="ZT5000000001"
    )
    # When two processes confirm its receipt at the same moment
    results = race(
        tmp_path,
        [("as-received", order.number, seller.username)] * 2,
    )
    # Then one wins, one refund is made, and the books balance
    assert sorted(r["ok"] for r in results) == [False, True]
    assert Refund.objects.filter(order=order).count() == 1
    assert books_audit() == []
