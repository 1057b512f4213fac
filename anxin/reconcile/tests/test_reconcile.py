"""Reconciliation: the sandbox's bill in the providers' formats, lost notifications applied from
it (once), and every other difference raised as an alert that moves no money."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from anxin.conftest import deliver_all, pay, place_order
from anxin.core.worker import TaskFailed
from anxin.ledger.audit import ledger_audit
from anxin.ledger.models import Transfer
from anxin.orders.models import Order, OrderStatus
from anxin.orders.services import order_cancel
from anxin.payments.models import (
    Payment,
    PaymentNotification,
    PaymentStatus,
    Refund,
    RefundStatus,
    SandboxPayment,
)
from anxin.payments.providers.base import BillLine
from anxin.payments.providers.sandbox import SandboxProvider
from anxin.reconcile import services as reconcile
from anxin.reconcile.models import AlertStatus, Problem, ReconciliationAlert, ReconciliationRun
from anxin.reconcile.services import reconcile_day
from anxin.reconcile.tasks import reconcile_schedule

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 1)  # conftest's START is 2026-05-01 10:00 Beijing time


@pytest.fixture
def lost(monkeypatch):
    """The sandbox's notifications never reach Anxin (it tries; they are lost on the way)."""
    monkeypatch.setattr(SandboxProvider, "deliver", lambda self, row_id: True)


def _pay_lost(buyer, listing) -> Order:
    order = place_order(buyer, listing)
    pay(order)
    return order


@pytest.mark.parametrize("fmt", ["wechat", "alipay"])
def test_the_bill_round_trips_in_each_providers_format(
    clock, settings, buyer, listing, fmt
) -> None:
    # Given a day with two paid orders, one of them cancelled and refunded, in a given format
    settings.ANXIN_SANDBOX_BILL_FORMAT = fmt
    first = place_order(buyer, listing)
    p1 = pay(first)
    second = place_order(buyer, listing)
    p2 = pay(second)
    order_cancel(actor=buyer, number=second.number, reason="买错了")
    deliver_all()
    refund = Refund.objects.get(order=second)
    sandbox = SandboxProvider()
    # When the day's bill is downloaded and read back
    data = sandbox.download_bill(DAY)
    lines = sandbox.parse_bill(data)
    # Then it is the provider's format, and holds both payments and the refund
    if fmt == "wechat":
        text = data.decode()
        assert text.startswith("交易时间,公众账号ID,商户号")
        assert f"`{p1.provider_payment_id}" in text
        assert "总交易单数" in text.splitlines()[-2]
    else:
        assert data[:2] == b"PK"
    payments = {(x.provider_id, x.amount_fen, x.status) for x in lines if x.kind == "payment"}
    assert payments == {
        (p1.provider_payment_id, p1.amount_fen, "succeeded"),
        (p2.provider_payment_id, p2.amount_fen, "succeeded"),
    }
    refunds = [x for x in lines if x.kind == "refund"]
    assert [(x.merchant_ref, x.amount_fen, x.status) for x in refunds] == [
        (refund.key, refund.amount_fen, "succeeded")
    ]
    assert refunds[0].provider_payment_id == p2.provider_payment_id
    assert all(x.occurred_at.date() == DAY for x in lines)
    # And the next day's bill is empty
    assert sandbox.parse_bill(sandbox.download_bill(DAY + dt.timedelta(days=1))) == []


def test_a_lost_payment_notification_is_applied_from_the_bill_once(
    clock, lost, buyer, listing
) -> None:
    # Given an order the buyer paid whose notification never reached Anxin
    order = _pay_lost(buyer, listing)
    assert order.status == OrderStatus.AWAITING_PAYMENT
    # When the day is reconciled
    run = reconcile_day(DAY)
    # Then the payment is applied from the bill and the order is paid
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get(order=order).status == PaymentStatus.SUCCEEDED
    assert (run.lines_read, run.matched, run.applied, run.alerts) == (1, 0, 1, 0)
    assert PaymentNotification.objects.filter(notification_id__startswith="bill:").count() == 1
    transfers = Transfer.objects.count()
    # When it is reconciled again
    again = reconcile_day(DAY)
    # Then nothing more is applied, no money moves and the ledger is clean
    assert (again.lines_read, again.matched, again.applied, again.alerts) == (1, 1, 0, 0)
    assert again.runs == 2
    assert Transfer.objects.count() == transfers
    assert ReconciliationRun.objects.count() == 1
    assert ledger_audit() == []


@pytest.mark.parametrize("fmt", ["wechat", "alipay"])
def test_a_lost_refund_notification_is_applied_from_the_bill(
    clock, monkeypatch, settings, buyer, listing, fmt
) -> None:
    # Given a paid order cancelled by the buyer, whose refund's notification is lost, and
    # bills in a given provider's format (Alipay's give a refund no id of its own)
    settings.ANXIN_SANDBOX_BILL_FORMAT = fmt
    order = place_order(buyer, listing)
    pay(order)
    monkeypatch.setattr(SandboxProvider, "deliver", lambda self, row_id: True)
    order_cancel(actor=buyer, number=order.number, reason="不要了")
    deliver_all()
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.PENDING
    # When the day is reconciled
    run = reconcile_day(DAY)
    # Then the refund is recorded as succeeded, and the ledger is clean
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert (run.matched, run.applied, run.alerts) == (1, 1, 0)
    assert ledger_audit() == []


def test_an_amount_mismatch_raises_an_alert_and_moves_no_money(clock, lost, buyer, listing) -> None:
    # Given a paid order whose notification was lost, and a bill that says another amount
    order = _pay_lost(buyer, listing)
    payment = Payment.objects.get(order=order)
    SandboxPayment.objects.filter(pk=payment.provider_payment_id).update(
        amount_fen=payment.amount_fen + 100
    )
    transfers = Transfer.objects.count()
    # When the day is reconciled, twice
    reconcile_day(DAY)
    run = reconcile_day(DAY)
    # Then one alert shows both amounts, the order is not paid and no money moved
    alert = ReconciliationAlert.objects.get()
    assert alert.problem == Problem.AMOUNT_DIFFERS
    assert (alert.bill_amount_fen, alert.anxin_amount_fen) == (
        payment.amount_fen + 100,
        payment.amount_fen,
    )
    assert alert.merchant_ref == order.number
    assert alert.status == AlertStatus.OPEN
    assert (run.applied, run.alerts) == (0, 1)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert Transfer.objects.count() == transfers
    assert ledger_audit() == []


def test_a_line_anxin_never_heard_of_and_a_payment_missing_from_the_bill_raise_alerts(
    clock, buyer, listing
) -> None:
    # Given a payment at the provider that is no order of Anxin's
    sandbox = SandboxProvider()
    stray = sandbox.create_payment(
        merchant_ref="AX-STRAY", amount_fen=500, description="?", idempotency_key="stray"
    )
    sandbox.buyer_pays(stray.provider_payment_id)
    # And a paid order that the provider's books no longer show as paid
    order = place_order(buyer, listing)
    payment = pay(order)
    SandboxPayment.objects.filter(pk=payment.provider_payment_id).update(status="closed")
    deliver_all()
    transfers = Transfer.objects.count()
    # When the day is reconciled
    run = reconcile_day(DAY)
    # Then each is an alert with the side that has it, and no money moved
    alerts = {a.problem: a for a in ReconciliationAlert.objects.all()}
    assert set(alerts) == {Problem.UNKNOWN_LINE, Problem.MISSING_FROM_BILL}
    unknown = alerts[Problem.UNKNOWN_LINE]
    assert (unknown.provider_id, unknown.bill_amount_fen, unknown.anxin_amount_fen) == (
        stray.provider_payment_id,
        500,
        None,
    )
    missing = alerts[Problem.MISSING_FROM_BILL]
    assert (missing.provider_id, missing.bill_amount_fen, missing.anxin_amount_fen) == (
        payment.provider_payment_id,
        None,
        payment.amount_fen,
    )
    assert run.alerts == 2
    assert Transfer.objects.count() == transfers
    assert ledger_audit() == []


def test_the_deadlines_run_queues_yesterdays_reconciliation_once(
    clock, settings, lost, buyer, listing
) -> None:
    # Given a day with a lost notification, and the next morning after ten
    settings.ANXIN_RECONCILE_DAILY = True
    order = _pay_lost(buyer, listing)
    clock.shift(dt.timedelta(days=1))
    # When the deadline runner runs twice and the worker runs
    assert reconcile_schedule() == 1
    assert reconcile_schedule() == 0
    deliver_all()
    # Then yesterday is reconciled: the payment is applied; the order had closed unpaid
    # meanwhile, so the money goes back to the buyer as for any late payment
    run = ReconciliationRun.objects.get(day=DAY)
    assert (run.status, run.applied) == ("done", 1)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get(order=order).status == PaymentStatus.SUCCEEDED
    assert Refund.objects.filter(order=order, key__endswith=":returned").count() == 1
    assert ledger_audit() == []


def test_the_command_reconciles_a_given_day(clock, lost, buyer, listing, capsys) -> None:
    # Given a day with a lost notification
    order = _pay_lost(buyer, listing)
    # When the operator runs `anxin reconcile --day` for it
    call_command("reconcile", day=DAY.isoformat())
    # Then it prints the counts and the order is paid
    assert "applied: 1" in capsys.readouterr().out
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_failed_run_is_retried_and_a_missed_day_caught_up(clock, settings, monkeypatch) -> None:
    # Given the daily reconciliation, a day reconciled, and a provider whose bill then fails
    settings.ANXIN_RECONCILE_DAILY = True
    reconcile_day(DAY - dt.timedelta(days=1))

    def unavailable(self, day):
        raise RuntimeError("bill not ready")

    monkeypatch.setattr(SandboxProvider, "download_bill", unavailable)
    # When the next morning's deadline runs queue the day and the worker runs it
    clock.shift(dt.timedelta(days=1))
    assert reconcile_schedule() == 1
    with pytest.raises(TaskFailed, match="bill not ready"):
        deliver_all()
    # Then the run failed, saying why, and is not queued again at once
    run = ReconciliationRun.objects.get(day=DAY)
    assert run.status == "failed"
    assert "bill not ready" in run.error
    assert reconcile_schedule() == 0
    # When the bill is back, an hour later, and two more days pass with nothing run
    monkeypatch.undo()
    settings.ANXIN_RECONCILE_DAILY = True
    clock.shift(dt.timedelta(days=2, hours=1))
    queued = reconcile_schedule()
    deliver_all()
    # Then the failed day and both missed days are reconciled
    assert queued == 3
    done = set(ReconciliationRun.objects.filter(status="done").values_list("day", flat=True))
    assert {DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)} <= done


def _payout_line() -> BillLine:
    return BillLine(
        kind="payout",
        provider_id="sbxpo_1",
        merchant_ref="payout:1",
        amount_fen=5000,
        status="succeeded",
        occurred_at=dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC),
    )


def test_payout_lines_go_to_the_matcher_registered_for_them(clock, monkeypatch) -> None:
    # Given a fund bill with a payout line
    parse = SandboxProvider.parse_bill
    monkeypatch.setattr(SandboxProvider, "download_payout_bill", lambda self, day: b"fund")
    monkeypatch.setattr(
        SandboxProvider,
        "parse_bill",
        lambda self, data: [_payout_line()] if data == b"fund" else parse(self, data),
    )
    # When no app matches payouts
    monkeypatch.delitem(reconcile.MATCHERS, "payout")
    run = reconcile_day(DAY)
    # Then the line is an alert: nobody knows it
    alert = ReconciliationAlert.objects.get()
    assert (alert.kind, alert.problem, alert.merchant_ref) == ("payout", "unknown_line", "payout:1")
    assert run.alerts == 1
    # When a payouts app registers its matcher and the day is run again
    seen: list[list[BillLine]] = []

    def payouts_match(d: reconcile.DayLines) -> reconcile.Tally:
        seen.append(d.lines)
        return reconcile.Tally(matched=len(d.lines))

    monkeypatch.setitem(reconcile.MATCHERS, "payout", payouts_match)
    run = reconcile_day(DAY)
    # Then the matcher gets the payout lines and their count is the run's
    assert seen == [[_payout_line()]]
    assert (run.matched, run.alerts) == (1, 0)


def test_a_long_refund_key_fits_the_notification_record() -> None:
    # Given a refund key of the longest a key may be, 80 characters
    from anxin.payments.services import _bill_notification_id

    key = "k" * 80
    # When the id of its notification from the bill is made
    nid = _bill_notification_id("refund", key)
    # Then it fits the column, is stable, and differs from another key's
    assert len(nid) <= 64
    assert nid == _bill_notification_id("refund", key)
    assert nid != _bill_notification_id("refund", "k" * 79 + "j")
    assert _bill_notification_id("refund", "short") == "bill:refund:short"
