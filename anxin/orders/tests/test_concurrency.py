"""Separate processes racing on the same orders. On PostgreSQL row locks decide; on SQLite the
IMMEDIATE write lock does. Either way exactly one wins and the books balance."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from anxin.conftest import child_env, make_listing, make_user, pay, place_order
from anxin.ops.audits import books_audit
from anxin.orders import services
from anxin.orders.models import Order, OrderStatus
from anxin.payments.models import PaymentNotification, Refund

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def race(tmp_path, calls: list[tuple[str, str, str]]) -> list[dict]:
    go = tmp_path / "go"
    env = child_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "anxin.orders.tests.procs", "race", str(go), *call],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for call in calls
    ]
    for p in procs:
        line = p.stdout.readline().strip()
        assert line == "ready", p.stderr.read()
    go.touch()  # all start together
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def shipped_order(buyer, seller, listing):
    order = place_order(buyer, listing)
    pay(order)
    services.order_ship(
        actor=seller, number=order.number, carrier="顺丰速运", tracking_number="SF1234567890"
    )
    return order


def test_two_refunds_of_one_order_at_once_exactly_one_wins(
    tmp_path, buyer, seller, listing, operator
) -> None:
    # Given a shipped order
    order = shipped_order(buyer, seller, listing)
    # When four processes, for the seller and the operator, refund it at the same moment
    results = race(
        tmp_path,
        [
            ("refund", order.number, seller.username),
            ("refund", order.number, operator.username),
            ("refund", order.number, seller.username),
            ("refund", order.number, operator.username),
        ],
    )
    # Then one refund wins, the three others are refused, and the books balance
    assert sum(r["ok"] for r in results) == 1, results
    assert Counter(r.get("code") for r in results if not r["ok"]) == {"invalid_transition": 3}
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Refund.objects.filter(order=order).count() == 1
    assert books_audit() == []


def test_confirm_refund_and_approval_race_exactly_one_wins(
    tmp_path, buyer, seller, listing, operator
) -> None:
    # Given a shipped order
    order = shipped_order(buyer, seller, listing)
    # When the buyer confirms it while the seller and the operator refund it, all at once
    results = race(
        tmp_path,
        [
            ("confirm", order.number, buyer.username),
            ("refund", order.number, seller.username),
            ("refund", order.number, operator.username),
        ],
    )
    # Then exactly one succeeds, the order ends completed or refunded, and the books balance
    assert sum(r["ok"] for r in results) == 1, results
    order.refresh_from_db()
    assert order.status in (OrderStatus.COMPLETED, OrderStatus.REFUNDED)
    assert books_audit() == []


def test_buyers_racing_for_the_last_item_only_one_gets_it(tmp_path, seller) -> None:
    # Given a listing with one item left and four buyers
    last = make_listing(seller, stock=1)
    buyers = [make_user(f"racer{i}", "buyer") for i in range(4)]
    # When all four order it at the same moment
    results = race(tmp_path, [("buy", last.code, b.username) for b in buyers])
    # Then one gets it, the others are told it is out of stock, and one order exists
    assert sum(r["ok"] for r in results) == 1, results
    assert {r.get("code") for r in results if not r["ok"]} == {"out_of_stock"}
    last.refresh_from_db()
    assert last.stock == 0
    assert Order.objects.filter(listing=last).count() == 1


def test_one_notification_delivered_by_many_processes_is_applied_once(
    tmp_path, buyer, listing
) -> None:
    # Given an order paid at the cashier whose notification is not yet delivered
    order = place_order(buyer, listing)
    pay(order, deliver=False)
    # When four processes deliver the notification at the same moment
    results = race(tmp_path, [("deliver", order.number, buyer.username)] * 4)
    # Then it is applied once and counted as received four times, and the books balance
    outcomes = Counter(r["result"] for r in results)
    assert outcomes == {"applied": 1, "duplicate": 3}, outcomes
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert PaymentNotification.objects.get().times_received == 4
    assert books_audit() == []


def test_many_processes_driving_the_same_orders(tmp_path, buyer, seller, settings) -> None:
    """Four processes each push the same twelve orders through their lives at once: every
    order ends once, every fen is accounted for."""
    # Given twelve unpaid orders of one buyer
    # One buyer's twelve orders, all unpaid before the race starts: past the hoarding cap.
    settings.ANXIN_UNPAID_ORDERS_PER_BUYER = 12
    listing = make_listing(seller, stock=100)
    numbers = [place_order(buyer, listing).number for _ in range(12)]
    # When four processes drive all of them at once, then two more runs finish the rest
    env = child_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "anxin.orders.tests.procs", "drive", *numbers],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(4)
    ]
    for p in procs:
        p.communicate(timeout=300)
        # A racer may lose (409) mid-way; that is its business. The books are ours.
    for _ in range(2):  # finish whatever the losers left, as a retry would
        subprocess.run(
            [sys.executable, "-m", "anxin.orders.tests.procs", "drive", *numbers],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    # Then every third order is cancelled and refunded, the others completed, the books balance
    statuses = Counter(Order.objects.filter(number__in=numbers).values_list("status", flat=True))
    assert statuses == {OrderStatus.COMPLETED: 8, OrderStatus.CANCELLED: 4}, statuses
    assert Refund.objects.filter(status="succeeded").count() == 4
    assert books_audit() == []
