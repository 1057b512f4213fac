"""The whole books' audit, recorded: `anxin ledger audit` and the hourly run `anxin deadlines`
queues both leave an AuditRun, and the operator's desk shows the last one (when, what it
found, whether it is old) instead of auditing the whole history on every view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from anxin.conftest import deliver_all, make_user, shipped
from anxin.ledger.models import Account, AuditRun
from anxin.ops.deadlines import deadlines_run
from anxin.ops.tasks import audit_schedule

pytestmark = pytest.mark.django_db


def _desk(operator) -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(operator)
    return c.get("/desk/").content.decode()


def test_the_desk_shows_the_last_recorded_audit_and_audits_nothing_itself(
    clock, settings, buyer, seller, listing, django_assert_max_num_queries
) -> None:
    operator = make_user("op-audit", "operator")
    settings.ANXIN_AUDIT_EVERY_MINUTES = 60
    # Given books no audit has run on yet
    shipped(buyer, seller, listing, tracking="SF8000000001")
    # When the operator opens the desk
    page = _desk(operator)
    # Then it says no audit has run yet, and how to run one
    assert "No audit has run yet" in page
    assert '<code translate="no">anxin ledger audit</code>' in page
    # When the deadlines run queues the hourly audit and a worker runs it
    counts = deadlines_run()
    assert counts["audits_queued"] == 1
    deliver_all()
    # Then the run is recorded clean, and the desk says so with its time
    run = AuditRun.objects.get()
    assert (run.violations, run.problems) == (0, [])
    assert run.finished_at is not None
    page = _desk(operator)
    assert "Every ledger invariant holds." in page
    assert "Audited at 2026-05-01" in page
    # And a second deadlines run within the hour queues nothing more
    assert audit_schedule() == 0
    # When a balance is edited behind the ledger's back and an hour passes
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {Account._meta.db_table} SET credits_posted = credits_posted + 7 "
            "WHERE code LIKE 'seller:%%'"
        )
    clock.shift(dt.timedelta(minutes=61))
    deadlines_run()
    deliver_all()
    # Then the next run names the violation, and the desk shows it
    latest = AuditRun.objects.order_by("-queued_at").first()
    assert latest is not None
    assert latest.violations >= 1
    assert any("stored totals" in p for p in latest.problems)
    page = _desk(operator)
    assert "problem" in page
    assert "stored totals" in page
    # And the desk itself reads the record only: its queries do not grow with the history
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(operator)
    with django_assert_max_num_queries(40):
        c.get("/desk/")
    # When three hours pass with no audit run
    clock.shift(dt.timedelta(hours=3))
    # Then the desk says the record is old
    assert "This is old" in _desk(operator)


def test_the_command_records_its_run(capsys, seller) -> None:
    # Given clean books
    # When `anxin ledger audit` runs
    call_command("ledger", "audit")
    # Then it says so and leaves a finished run
    assert "ledger audit: ok" in capsys.readouterr().out
    run = AuditRun.objects.get()
    assert run.finished_at is not None
    assert run.violations == 0


def test_a_zero_interval_queues_no_audit(settings) -> None:
    # Given the hourly audit turned off (cron runs `anxin ledger audit` instead)
    settings.ANXIN_AUDIT_EVERY_MINUTES = 0
    # When the deadlines run
    # Then none is queued
    assert audit_schedule() == 0
    assert not AuditRun.objects.exists()
