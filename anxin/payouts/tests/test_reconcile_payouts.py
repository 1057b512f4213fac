"""Payouts in the daily reconciliation: the sandbox's fund bill in each provider's format, a
payout whose notification was lost settled from the bill (once, with its money), and every
other difference an alert that moves no money."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anxin.conftest import deliver_all
from anxin.law.days import BEIJING
from anxin.ledger.models import Account
from anxin.ledger.services import seller_account
from anxin.ops.audits import books_audit
from anxin.payments.models import PaymentNotification, SandboxNotification, SandboxPayout
from anxin.payments.providers.sandbox import SandboxProvider
from anxin.payouts.models import Payout, PayoutStatus
from anxin.payouts.services import payout_request
from anxin.payouts.tests.helpers import (
    PAST_WINDOW,
    RETURN,
    RETURNED_CARD,
    SETTLE,
    card,
    settled_order,
)
from anxin.reconcile.models import Problem, ReconciliationAlert
from anxin.reconcile.services import reconcile_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def payout_news_lost(monkeypatch):
    """The sandbox's payout notifications never reach Anxin; the others do."""
    deliver = SandboxProvider.deliver

    def lossy(self, row_id):
        row = row_id
        if not isinstance(row, SandboxNotification):
            row = SandboxNotification.objects.get(pk=row_id)
        if row.event_type.startswith("payout."):
            return True  # "delivered": lost on the way
        return deliver(self, row_id)

    monkeypatch.setattr(SandboxProvider, "deliver", lossy)
    return deliver


def _today():
    return timezone.now().astimezone(BEIJING).date()


def _available(seller) -> int:
    return Account.objects.get(code=seller_account(seller.pk)).available


def _clean() -> None:
    assert books_audit() == []


def _withdraw(seller, order, number=None) -> Payout:
    account = card(seller, number) if number else card(seller)
    p = payout_request(
        actor=seller, amount_fen=order.seller_share_fen, account_id=account.pk, key=f"k{order.pk}"
    )
    deliver_all()  # submitted to the provider
    return p


@pytest.mark.parametrize("fmt", ["wechat", "alipay"])
def test_the_fund_bill_has_each_payout_paid_and_sent_back(
    clock, settings, buyer, seller, listing, fmt
) -> None:
    # Given a day with a payout paid and another paid then sent back, in a provider's format
    settings.ANXIN_SANDBOX_BILL_FORMAT = fmt
    first = settled_order(buyer, seller, listing, "SF3000000001")
    second = settled_order(buyer, seller, listing, "SF3000000002")
    clock.shift(PAST_WINDOW)
    paid = _withdraw(seller, first)
    back = _withdraw(seller, second, RETURNED_CARD)
    clock.shift(SETTLE)
    deliver_all()
    clock.shift(RETURN)
    deliver_all()
    sandbox = SandboxProvider()
    # When the day's fund bill is downloaded and read back
    data = sandbox.download_payout_bill(_today())
    lines = sandbox.parse_bill(data)
    # Then it is the provider's format, with a line for each movement of money
    if fmt == "wechat":
        assert data.decode().startswith("记账时间,微信支付业务单号,资金流水单号")
        assert f"`{paid.payout_key}" in data.decode()
    else:
        assert data[:2] == b"PK"
    sbx = {p.payout_key: p.id for p in SandboxPayout.objects.all()}
    assert sorted((x.merchant_ref, x.provider_id, x.amount_fen, x.status) for x in lines) == sorted(
        [
            (paid.payout_key, sbx[paid.payout_key], paid.amount_fen, "succeeded"),
            (back.payout_key, sbx[back.payout_key], back.amount_fen, "succeeded"),
            (back.payout_key, sbx[back.payout_key], back.amount_fen, "returned"),
        ]
    )
    assert all(x.kind == "payout" for x in lines)
    # When the day is reconciled
    run = reconcile_day(_today())
    # Then every line matches Anxin's payouts
    assert (run.matched, run.applied, run.alerts) == (3, 0, 0)


def test_a_payout_whose_notification_was_lost_is_settled_from_the_bill_once(
    clock, buyer, seller, listing, payout_news_lost
) -> None:
    # Given a payout the bank paid, whose notification never reached Anxin
    order = settled_order(buyer, seller, listing, "SF3000000003")
    clock.shift(PAST_WINDOW)
    p = _withdraw(seller, order)
    clock.shift(SETTLE)
    deliver_all()
    p.refresh_from_db()
    assert p.status == PayoutStatus.PROCESSING
    # When the day is reconciled
    run = reconcile_day(_today())
    # Then the payout is paid from the bill, through the notification path, its money gone
    p.refresh_from_db()
    assert p.status == PayoutStatus.SUCCEEDED
    assert (run.matched, run.applied, run.alerts) == (0, 1, 0)
    assert PaymentNotification.objects.filter(
        notification_id=f"bill:payout-succeeded:{p.payout_key}"
    ).exists()
    assert _available(seller) == 0
    _clean()
    # When the day is reconciled again, and the lost notification arrives after all
    again = reconcile_day(_today())
    row = SandboxNotification.objects.get(event_type="payout.succeeded")
    payout_news_lost(SandboxProvider(), row.pk)
    # Then nothing more changes: it matches, and the money moved once
    assert (again.matched, again.applied, again.alerts) == (1, 0, 0)
    p.refresh_from_db()
    assert p.status == PayoutStatus.SUCCEEDED
    assert _available(seller) == 0
    _clean()


def test_a_payout_sent_back_whose_notification_was_lost_returns_to_the_balance(
    clock, buyer, seller, listing, payout_news_lost
) -> None:
    # Given a payout paid and then sent back by the bank, neither notification received
    order = settled_order(buyer, seller, listing, "SF3000000004")
    clock.shift(PAST_WINDOW)
    p = _withdraw(seller, order, RETURNED_CARD)
    clock.shift(SETTLE)
    deliver_all()
    clock.shift(RETURN)
    deliver_all()
    # When the day is reconciled
    run = reconcile_day(_today())
    # Then the payout is paid and sent back from the bill, its money back in the balance once
    p.refresh_from_db()
    assert p.status == PayoutStatus.RETURNED
    assert run.applied == 2
    assert run.alerts == 0
    assert _available(seller) == order.seller_share_fen
    _clean()


def test_a_payout_anxin_gave_back_that_the_bill_shows_paid_is_an_alert(
    clock, buyer, seller, listing
) -> None:
    # Given a payout Anxin recorded as failed (its money back in the balance), which the
    # provider's bill shows paid out all the same
    order = settled_order(buyer, seller, listing, "SF3000000005")
    clock.shift(PAST_WINDOW)
    p = _withdraw(seller, order)
    clock.shift(SETTLE)
    deliver_all()
    Payout.objects.filter(pk=p.pk).update(status=PayoutStatus.FAILED)
    balance = _available(seller)
    # When the day is reconciled
    run = reconcile_day(_today())
    # Then an alert shows both sides, and no money moved
    alert = ReconciliationAlert.objects.get()
    assert (alert.kind, alert.problem, alert.merchant_ref) == (
        "payout",
        Problem.STATUS_DIFFERS,
        p.payout_key,
    )
    assert (alert.bill_status, alert.anxin_status) == ("succeeded", "failed")
    assert (alert.bill_amount_fen, alert.anxin_amount_fen) == (p.amount_fen, p.amount_fen)
    assert run.alerts == 1
    assert _available(seller) == balance


def test_a_paid_payout_the_bill_does_not_have_and_a_wrong_amount_are_alerts(
    clock, buyer, seller, listing
) -> None:
    # Given two paid payouts: one the provider's bill does not have, one with another amount
    first = settled_order(buyer, seller, listing, "SF3000000006")
    second = settled_order(buyer, seller, listing, "SF3000000007")
    clock.shift(PAST_WINDOW)
    missing = _withdraw(seller, first)
    wrong = _withdraw(seller, second)
    clock.shift(SETTLE)
    deliver_all()
    SandboxPayout.objects.filter(payout_key=missing.payout_key).update(status="processing")
    SandboxPayout.objects.filter(payout_key=wrong.payout_key).update(amount_fen=1)
    # When the day is reconciled
    reconcile_day(_today())
    # Then each is an alert naming the payout, and both stay paid
    alerts = {a.merchant_ref: a for a in ReconciliationAlert.objects.all()}
    assert alerts[missing.payout_key].problem == Problem.MISSING_FROM_BILL
    assert alerts[missing.payout_key].anxin_amount_fen == missing.amount_fen
    assert alerts[wrong.payout_key].problem == Problem.AMOUNT_DIFFERS
    assert (
        alerts[wrong.payout_key].bill_amount_fen,
        alerts[wrong.payout_key].anxin_amount_fen,
    ) == (
        1,
        wrong.amount_fen,
    )
    assert set(Payout.objects.values_list("status", flat=True)) == {PayoutStatus.SUCCEEDED}
    _clean()


def test_a_line_for_a_payout_anxin_never_made_is_an_alert(clock, monkeypatch) -> None:
    # Given a fund bill with a payout line whose key Anxin never gave
    from anxin.payments.providers.base import BillLine

    line = BillLine("payout", "sbxpo_x", "AXPOUNKNOWN", 500, "succeeded", timezone.now())
    monkeypatch.setattr(SandboxProvider, "download_payout_bill", lambda self, day: b"fund")
    parse = SandboxProvider.parse_bill
    monkeypatch.setattr(
        SandboxProvider,
        "parse_bill",
        lambda self, data: [line] if data == b"fund" else parse(self, data),
    )
    # When the day is reconciled
    reconcile_day(_today())
    # Then the line is an alert with the bill's side only
    alert = ReconciliationAlert.objects.get()
    assert (alert.kind, alert.problem, alert.merchant_ref, alert.bill_amount_fen) == (
        "payout",
        Problem.UNKNOWN_LINE,
        "AXPOUNKNOWN",
        500,
    )
    assert alert.anxin_amount_fen is None
