"""bench payouts in its agreed shape, at a tiny size, on SQLite and on PostgreSQL: its
figures are checked for what they say happened, never for how fast."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import connection

from anxin.conftest import child_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_bench_payouts_pays_audits_and_ends_with_one_json_line() -> None:
    # Given this test's database (on PostgreSQL with a reconciliation day of 300 orders,
    # 2 of them with their notifications lost)
    recon = ["--day-orders", "300", "--lost", "2"] if connection.vendor == "postgresql" else []
    # When a payouts bench runs: 3 sellers with 12 settled orders each, 9 payouts
    sizes = ["--payout-sellers", "3", "--payout-orders", "12", "--payouts", "9", *recon]
    out = subprocess.run(
        [sys.executable, "-m", "anxin", "bench", "payouts", *sizes],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Then it succeeds, saying what it does as it goes, and ends with one JSON line in the
    # agreed shape
    assert out.returncode == 0, out.stderr
    assert "36/36 orders settled" in out.stderr
    assert "round 3/3: 9 payouts" in out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["bench"] == "payouts"
    assert set(result) == {"bench", "figures", "targets", "met"}
    assert set(result["met"]) == set(result["targets"])
    f = result["figures"]
    # And each seller's payouts ended as its card says: paid, refused by the bank (the
    # second seller's), paid and returned (the third's)
    assert f["payouts"] == 9
    assert f["payouts_by_status"] == {"succeeded": 3, "failed": 3, "returned": 3}
    assert f["payouts_not_as_expected"] == 0
    # And the ledger audits clean and the money is conserved: what the sellers' balances lost
    # is what the provider received
    assert f["ledger_audit_violations"] == 0
    assert f["money_conserved"] is True
    assert f["paid_out_fen"] == f["provider_received_fen"] > 0
    # And both rates were measured, with the targets printed beside the figures
    assert f["payouts_per_s"] > 0
    assert f["requests_per_s"] > f["payouts_per_s"]
    assert set(f["seconds_by_step"]) == {"request", "submit", "settle", "notify"}
    assert "payouts/s end to end (" in out.stderr
    if connection.vendor == "postgresql":
        # And on PostgreSQL the day's reconciliation ran through bench recon, its time
        # printed beside its 60 s target: every order's payment on the bill was read (the
        # bill may hold the day's payouts too) and the lost ones applied
        assert f["recon"]["lines_read"] >= 300 + 2
        assert f["recon"]["applied"] == 2
        assert f["recon_seconds"] == f["recon"]["seconds"]
        assert result["targets"]["recon_seconds"] == "<= 60"
        assert "(target: at most 60 s)" in out.stderr
    else:
        # And on SQLite it says that reconciliation is measured on PostgreSQL only
        assert "recon_seconds" not in result["targets"]
        assert "reconciliation not measured" in out.stderr
