"""kill -9 in the middle of payment capture, settlement and refunds; restart; retry; the
ledger audit passes and every order ends exactly once."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter

import pytest

from anxin.conftest import child_env, make_listing, place_order
from anxin.ops.audits import books_audit
from anxin.orders.models import Order, OrderStatus
from anxin.payments.models import Payment, ProviderCall, Refund

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DRIVE = [sys.executable, "-m", "anxin.orders.tests.procs", "drive"]


def _finish(numbers: list[str]) -> None:
    """The restart: run the same work again, with no crash point, until it completes."""
    out = subprocess.run(
        [*DRIVE, *numbers], env=child_env(), capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("done")


def _check(numbers: list[str]) -> None:
    statuses = Counter(Order.objects.filter(number__in=numbers).values_list("status", flat=True))
    expected_cancelled = len([i for i in range(len(numbers)) if i % 3 == 2])
    assert statuses == {
        OrderStatus.COMPLETED: len(numbers) - expected_cancelled,
        OrderStatus.CANCELLED: expected_cancelled,
    }, statuses
    # Exactly one successful payment per order, one refund per cancelled order.
    assert Payment.objects.filter(order__number__in=numbers, status="succeeded").count() == len(
        numbers
    )
    assert Refund.objects.filter(order__number__in=numbers, status="succeeded").count() == (
        expected_cancelled
    )
    # Every call owed to the provider was made and its answer recorded.
    assert not ProviderCall.objects.filter(delivered_at__isnull=True).exists()
    assert books_audit() == []


@pytest.mark.parametrize(
    "point",
    [
        "capture.after_ledger",
        "notification.before_commit",
        "settle.before_ledger",
        "settle.after_ledger",
        "refund.after_ledger",
        "refund.before_ledger",
        # The outbox: between the payment's commit and the provider, and between the provider's
        # answer and its record (a payment created, a refund submitted).
        "payment_start.after_commit",
        "payment_start.answered",
        "refund.answered",
    ],
)
def test_a_kill_at_a_named_point_loses_and_duplicates_nothing(buyer, seller, point) -> None:
    # Given three unpaid orders
    listing = make_listing(seller, stock=50)
    numbers = [place_order(buyer, listing).number for _ in range(3)]
    # When the process driving them is killed at the named point
    env = {**child_env(), "ANXIN_CRASH_AT": point}
    crashed = subprocess.run([*DRIVE, *numbers], env=env, capture_output=True, timeout=300)
    # Then it died there by SIGKILL
    assert crashed.returncode == -9, (point, crashed.returncode, crashed.stderr[-2000:])
    # When the work is run again to its end
    _finish(numbers)
    # Then every order ended once, paid once, each cancelled one refunded once; books balance
    _check(numbers)


def test_kills_at_random_moments_then_a_retry_balances(buyer, seller, settings) -> None:
    # Given thirty unpaid orders of one buyer
    # One buyer's thirty orders, all unpaid before the first kill: past the hoarding cap.
    settings.ANXIN_UNPAID_ORDERS_PER_BUYER = 30
    settings.ANXIN_UNPAID_UNITS_PER_LISTING = 30
    listing = make_listing(seller, stock=200)
    numbers = [place_order(buyer, listing).number for _ in range(30)]
    # When five processes driving them are each killed at a random moment
    rng = random.Random(20261124)
    kills = 0
    for _ in range(5):
        p = subprocess.Popen(
            [*DRIVE, *numbers],
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert p.stdout is not None
        # Let it finish a random number of orders, then kill it a random few milliseconds
        # into the next one: somewhere in a payment, a capture, a settlement or a refund.
        for _ in range(rng.randint(0, 8)):
            if not p.stdout.readline():
                break
        time.sleep(rng.uniform(0, 0.03))
        if p.poll() is None:
            p.kill()  # SIGKILL: no cleanup, no rollback handler, just gone
            kills += 1
        p.communicate()
    # Then at least one was killed mid-way
    assert kills >= 1
    # When the work is run again to its end
    _finish(numbers)
    # Then every order ended once, paid once, each cancelled one refunded once; books balance
    _check(numbers)
