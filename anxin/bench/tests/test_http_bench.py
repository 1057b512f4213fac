"""bench http at a tiny size: one short step against the production server. Its figures are
not judged here (performance is measured by `make bench BENCH=http`, never by a timed test);
its p95 limit is raised so that a loaded test machine still gets a reported step."""

from __future__ import annotations

import pytest

from anxin.bench.http import first_buyers, passes, steps
from anxin.bench.tests.test_bench import bench

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_bench_http_runs_a_step_and_ends_with_one_json_line() -> None:
    # Given PostgreSQL (skipped on SQLite), a 2 s warm-up and one step of 2 users for 12 s
    # When bench http runs, with the service layer's reference at 6 lifecycles
    result = bench(
        "http",
        *["--start-users", "2", "--max-users", "2", "--step-seconds", "12"],
        *["--spawn-rate", "2", "--shops", "1", "--lifecycles", "6", "--p95-ms", "60000"],
        *["--warmup-seconds", "2"],
        progress="waiting for /health/",
    )
    # Then it ends with one JSON line in the agreed shape, reporting that step
    figures = result["figures"]
    assert figures["users"] == 2
    assert [s["users"] for s in figures["steps"]] == [2]
    assert result["met"]["passing_step"] is True
    # And no request failed at the reported step
    assert figures["failed_requests"] == 0
    # And the buyer's pages and the staff's queues were measured, each with its percentiles
    pages = figures["pages"]
    assert {"seller page", "checkout page", "checkout", "desk"} <= set(pages)
    for name, page in pages.items():
        assert page["requests"] > 0, name
        assert page["failures"] == 0, name
        assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["p99_ms"], name
    # And both lifecycle rates were measured in the run, with their ratio
    assert figures["service_lifecycles_per_s"] > 0
    assert figures["service_failed_lifecycles"] == 0
    assert figures["http_lifecycles_per_s"] >= 0
    assert figures["worst_page"] in pages
    # And, every step having passed, no step is named as the one that ended the climb
    assert figures["stopped_at"] is None
    assert set(result["targets"]) == {"passing_step", "ratio"}


def test_the_load_doubles_up_to_the_most_users() -> None:
    # Given a first step of 2 users and at most 20
    # When the steps are planned
    # Then the users double each step and the last step is the most asked for
    assert steps(2, 20) == [2, 4, 8, 16, 20]
    assert steps(2, 16) == [2, 4, 8, 16]
    assert steps(3, 3) == [3]


def test_a_step_passes_only_without_failures_and_with_every_p95_under_the_limit() -> None:
    # Given a step whose pages are under 150 ms at p95
    page = {"requests": 10, "failures": 0, "rps": 1.0, "p50_ms": 20, "p95_ms": 90, "p99_ms": 200}
    step = {"users": 4, "pages": {"order page": page}, "failures": 0}
    # When it is judged, then with one failed request, then with a page at 150 ms
    # Then it passes only the first time
    assert passes(step, 150)
    assert not passes({**step, "failures": 1}, 150)
    assert not passes({**step, "pages": {"order page": {**page, "p95_ms": 150}}}, 150)


@pytest.mark.django_db
def test_the_sessions_know_the_complaint_limit_of_the_server_they_load() -> None:
    # Given the product's limit on complaints a person files a day
    from django.conf import settings

    from anxin.bench.http import world

    # When bench http builds its world
    config = world(sellers=1, buyers=1, stock=10, secret_key="k" * 50)
    # Then the sessions are told the limit, so that none files past it (a refused complaint
    # would count as a failed request and end the climb)
    assert config["complaints_per_day"] == settings.ANXIN_DISPUTE_MAX_PER_DAY


def test_each_step_has_buyers_of_its_own() -> None:
    # Given steps of 2, 4 and 8 users after a warm-up of 2
    # When the steps' first buyers are planned
    offsets, buyers = first_buyers([2, 4, 8], warmup=True)
    # Then no step reuses the warm-up's or an earlier step's people
    assert offsets == [2, 4, 8]
    assert buyers == 16
    # And without a warm-up the first step starts with the first buyer
    assert first_buyers([2, 4], warmup=False) == ([0, 2], 6)
