"""The benchmark runs and reports in the agreed shape. Its figures are not judged here:
performance is measured by `make bench`, never by a timed test."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import connection

from anxin.conftest import child_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def bench(name: str, *args: str, progress: str) -> dict:
    """Run `anxin bench NAME ARGS` on this test's database; check that it succeeded, showed
    `progress` while it ran and ended with one JSON line in the agreed shape; return it."""
    if connection.vendor != "postgresql":
        pytest.skip(f"bench {name} measures PostgreSQL")
    out = subprocess.run(
        [sys.executable, "-m", "anxin", "bench", name, *args],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert progress in out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["bench"] == name
    assert set(result) == {"bench", "figures", "targets", "met"}
    assert set(result["met"]) == set(result["targets"])
    return result


def test_bench_checkout_runs_and_ends_with_one_json_line() -> None:
    # When a tiny checkout bench runs on PostgreSQL: 12 order lifecycles over 2 clients
    # Then it ends with one JSON line in the agreed shape
    result = bench(
        "checkout",
        *["--lifecycles", "12", "--clients", "2", "--pgbench-seconds", "2", "--scale", "1"],
        progress="lifecycles over 2 clients",
    )
    # And every lifecycle completed, the ledger audits clean and both rates were measured
    figures = result["figures"]
    assert figures["lifecycles"] == 12
    assert figures["failed_lifecycles"] == 0
    assert figures["ledger_audit_violations"] == 0
    assert figures["pgbench_tps"] > 0
    assert figures["service_tx_per_s"] > 0
    # And it ran in two rounds (one per pgbench second asked for), each with its own ratio
    assert len(figures["ratio_by_round"]) == 2


def test_bench_refuses_sqlite_with_a_clear_message() -> None:
    # Given a SQLite database
    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on SQLite")
    # When the checkout bench is started
    out = subprocess.run(
        [sys.executable, "-m", "anxin", "bench", "checkout"],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then it fails, saying it needs PostgreSQL
    assert out.returncode != 0
    assert "PostgreSQL" in out.stderr


def test_bench_evidence_runs_and_ends_with_one_json_line() -> None:
    # When a small evidence bench runs on PostgreSQL
    # Then it ends with one JSON line in the agreed shape
    result = bench(
        "evidence",
        *["--small", "600", "--large", "2000", "--batch", "250"],
        *["--proofs", "50", "--one-commit", "50"],
        progress="phase 3: integrate 600 records",
    )
    # And the log grew by the 2,000 records asked for, and pymerkle agrees on the root
    figures = result["figures"]
    assert figures["log_size_end"] - figures["log_size_start"] == 2000
    assert figures["pymerkle_same_root"] is True
    # And both timed phases were paired with pymerkle, batch by batch (3 batches of 250 … 100)
    assert len(figures["ratio_vs_pymerkle_bulk_pairs"]) == 3
    assert figures["ratio_vs_pymerkle_bulk_at_large"] > 0


def test_law_bench_decides_a_small_corpus() -> None:
    from anxin.bench import law

    # When the law bench decides 300 generated cases in-process
    result = law.run(cases=300, seed=1, log=lambda line: None)
    # Then it reports in the agreed shape, deciding most cases and reaching every rule
    assert set(result) == {"bench", "figures", "targets", "met"}  # the agreed shape
    f = result["figures"]
    assert f["decisions"] > 200
    assert f["decisions_per_second"] > 0
    assert len(f["outcomes"]) > 8  # the corpus reaches every rule
    assert set(result["met"]) == set(result["targets"])


def test_bench_disputes_runs_and_ends_with_one_json_line() -> None:
    # When a disputes bench runs 8 disputes on PostgreSQL
    # Then it ends with one JSON line in the agreed shape
    f = bench("disputes", "--disputes", "8", progress="round 1:")["figures"]
    # And all 8 cases end with an outcome, deadlines fired and the ledger audits clean
    assert f["cases"] == 8
    assert sum(f["outcomes"].values()) == 8
    assert f["deadline_events"] > 0
    assert f["ledger_audit_violations"] == 0
    # And the case page's queries were counted
    assert f["case_page_queries_5"] > 0


def test_bench_credit_runs_and_ends_with_one_json_line() -> None:
    # When a credit bench runs on PostgreSQL over 200 sellers and 5,000 orders
    # Then it ends with one JSON line in the agreed shape
    f = bench(
        "credit",
        *["--sellers", "200", "--orders", "5000", "--samples", "10"],
        progress="generated order events",
    )["figures"]
    # And every order and its events were generated and every seller was scored in the batch
    assert f["orders_order"] == 5000
    assert f["orders_orderevent"] > 3 * 5000
    assert f["batch_scores"] >= 200
    assert f["sellers_without_score"] == 0
    # And the 10 sampled incremental rescorings agree with a fresh scoring
    assert f["incremental_samples"] == 10
    assert f["incremental_rescored"] == 10
    assert f["stored_differs_from_fresh"] == 0


def test_bench_recon_runs_and_ends_with_one_json_line() -> None:
    # When a reconciliation bench runs on PostgreSQL over a day of 2,000 orders, 6 of them
    # (more than a buyer may leave unpaid) with their notifications lost
    # Then it ends with one JSON line in the agreed shape
    f = bench("recon", *["--day-orders", "2000", "--lost", "6"], progress="reconciled in")[
        "figures"
    ]
    # And every line of the bill was read, the lost payments applied, the mismatches alerted
    assert f["all_lines_read"] is True
    assert f["applied"] == 6
    assert f["alerts"] == f["expected_alerts"] == 2
    assert f["matched"] == 2000 - 2


def test_bench_figures_runs_and_ends_with_one_json_line() -> None:
    from anxin.supervision.models import CaseSource, Complaint, PublicCase, PublicStatus

    # When a tiny figures bench runs on PostgreSQL: 20,000 orders of 100 sellers, with their
    # desk cases and 20 complaints to regulators (one per 1,000 orders), the figure tables
    # rebuilt, each page requested 3 times
    result = bench(
        "figures",
        *["--sellers", "100", "--orders", "20000", "--requests", "3"],
        progress="measuring over",  # the total of complaints, both sources
    )
    # Then it ends with one JSON line in the agreed shape, every complaint of both sources
    # published, counted and downloaded, and every page timed
    figures = result["figures"]
    assert figures["desk_cases"] > 0
    assert figures["open_complaints"] == 20
    assert figures["complaints"] == figures["desk_cases"] + figures["open_complaints"]
    assert figures["rebuilt_records"] == figures["complaints"]
    assert figures["records_downloaded"] == figures["complaints"]
    assert result["met"]["records_complete"] is True
    # And the rebuilt records include each complaint to a regulator, in every state, about
    # sellers on Anxin and elsewhere, some settled in the association's mediation
    assert set(Complaint.objects.values_list("status", flat=True)) == {
        "received",
        "admitted",
        "refused",
        "withdrawn",
    }
    assert Complaint.objects.filter(seller__isnull=True).exists()
    assert Complaint.objects.filter(seller__isnull=False).exists()
    regulator = PublicCase.objects.filter(source=CaseSource.REGULATOR)
    assert set(regulator.values_list("number", flat=True)) == set(
        Complaint.objects.values_list("number", flat=True)
    )
    assert set(regulator.values_list("status", flat=True)) == set(PublicStatus.values)
    assert regulator.filter(outcome="settled", mediated=True).exists()
    assert regulator.filter(seller_id__isnull=False).exists()
    assert set(figures["pages"]) == {
        "statistics",
        "cases_csv",
        "cases_json",
        "figures_csv",
        "days_csv",
        "figures_json",
    }
    assert all(p["median_ms"] > 0 for p in figures["pages"].values())
    # And the operator dashboard's queries over the same world are timed, for information
    assert figures["operator_dashboard_30_days_median_ms"] > 0
