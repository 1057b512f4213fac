"""Payouts across real processes: two withdrawals racing for one balance (never more than
the balance), and kill -9 between the request and the provider's answer (paid once or
returned, never lost)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.db import connection

from anxin.conftest import child_env, make_listing
from anxin.ledger.models import Account
from anxin.ledger.services import seller_account
from anxin.ops.audits import books_audit
from anxin.orders.models import Order
from anxin.payments.models import SandboxPayout
from anxin.payouts.models import Payout, PayoutStatus
from anxin.payouts.tests.helpers import RETURNED_CARD, card, settled_order

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROCS = [sys.executable, "-m", "anxin.payouts.tests.procs"]


def _withdrawable_money(buyer, seller, orders: int = 1) -> int:
    """The seller's settled orders, their after-sales windows long past: its balance."""
    listing = make_listing(seller, stock=50)
    for i in range(orders):
        settled_order(buyer, seller, listing, f"SF{7000000000 + i}")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    Order.objects.filter(seller=seller).update(delivered_at=long_ago, completed_at=long_ago)
    return Account.objects.get(code=seller_account(seller.pk)).available


def _audits_clean() -> None:
    assert books_audit() == []


def test_two_withdrawals_racing_for_one_balance_never_take_more_than_it(
    tmp_path, buyer, seller
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers: the race is PostgreSQL's")
    # Given a withdrawable order's money, and as much again from an order still inside its
    # after-sales window (in the balance, held), and two withdrawals of all that may be
    # withdrawn, started together: the ledger alone would let both through
    amount = _withdrawable_money(buyer, seller)
    settled_order(buyer, seller, make_listing(seller, stock=5), "SF7100000000")
    balance = Account.objects.get(code=seller_account(seller.pk)).available
    assert balance == 2 * amount
    account = card(seller)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [*PROCS, "race", str(go), seller.username, str(account.pk), str(amount), key],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for key in ("a", "b")
    ]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready", p.stderr.read() if p.stderr else ""
    # When they run at once
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    # Then exactly one was recorded, the other refused as more than may now be withdrawn
    assert sorted(r["ok"] for r in results) == [False, True]
    assert [r["code"] for r in results if not r["ok"]] == ["validation_failed"]
    assert Payout.objects.count() == 1
    assert Account.objects.get(code=seller_account(seller.pk)).available == balance - amount
    _audits_clean()


@pytest.mark.parametrize("returned", [False, True], ids=["paid", "returned"])
@pytest.mark.parametrize(
    "point", ["payout_request.after_commit", "payout.answered", "notification.before_commit"]
)
def test_a_kill_between_the_request_and_the_answer_loses_nothing(
    buyer, seller, point, returned
) -> None:
    # Given withdrawable money and a card (one the bank pays, or one whose money comes back)
    balance = _withdrawable_money(buyer, seller)
    account = card(seller, RETURNED_CARD) if returned else card(seller)
    amount = balance // 3
    drive = [*PROCS, "drive", seller.username, str(account.pk), str(amount), "w1", "w2"]
    # When the process withdrawing is killed at the named point
    env = {**child_env(), "ANXIN_CRASH_AT": point}
    crashed = subprocess.run(drive, env=env, capture_output=True, timeout=300)
    assert crashed.returncode == -9, (point, crashed.returncode, crashed.stderr[-2000:])
    # And the same work is run again to its end
    out = subprocess.run(drive, env=child_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("done")
    # Then each withdrawal was made once at the provider and ended paid, or returned
    payouts = list(Payout.objects.all())
    assert len(payouts) == 2
    assert SandboxPayout.objects.count() == 2
    end = PayoutStatus.RETURNED if returned else PayoutStatus.SUCCEEDED
    assert {p.status for p in payouts} == {end}
    # and the seller's balance is what was not paid out: nothing lost, nothing paid twice
    left = balance if returned else balance - 2 * amount
    assert Account.objects.get(code=seller_account(seller.pk)).available == left
    _audits_clean()
