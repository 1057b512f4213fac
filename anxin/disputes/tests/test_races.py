"""Separate processes racing on one case: the remedy is paid exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anxin.conftest import deliver_all
from anxin.disputes import deadlines, services
from anxin.disputes.models import Dispute, Step
from anxin.disputes.tests.helpers import books_balance, desk, shipped
from anxin.orders.tests.test_concurrency import race
from anxin.payments.models import Refund

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _decided(buyer, seller, listing) -> Dispute:
    """A case decided by default (the engine's proposal), in its appeal window."""
    desk()
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="counterfeit", claim="假货", claimed_fen=70000
    )
    services.dispute_answer(actor=seller, number=d.number, offer_fen=0, text="不认")
    services.dispute_reply(actor=buyer, number=d.number, accept=False, reason="调解")
    past = timezone.now() - dt.timedelta(seconds=1)
    for _step in (Step.MEDIATOR_PROPOSAL, Step.EVIDENCE, Step.DECISION):
        Dispute.objects.filter(pk=d.pk).update(due_at=past)
        deadlines.dispute_deadline(dispute_id=d.pk)
    d.refresh_from_db()
    assert d.step == Step.APPEAL_WINDOW
    return d


def _paid_once(d: Dispute) -> None:
    d.refresh_from_db()
    assert d.executed_at is not None
    assert d.events.filter(kind="remedy_paid").count() == 1
    assert Refund.objects.filter(order=d.order).count() == 1
    books_balance()


def test_the_last_acceptance_and_the_deadline_pay_once(tmp_path, buyer, seller, listing) -> None:
    # Given a decided case the seller has accepted, whose appeal window has just closed
    d = _decided(buyer, seller, listing)
    services.dispute_accept_decision(actor=seller, number=d.number)
    Dispute.objects.filter(pk=d.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    # When the buyer's acceptance and the deadline run at once in two processes
    results = race(
        tmp_path,
        [("ds-accept", d.number, buyer.username), ("ds-deadline", d.number, buyer.username)],
    )
    # Then whichever came second found the case decided: the acceptance is refused, or the
    # deadline finds nothing due.
    assert all("result" in r or r.get("code") == "dispute_step" for r in results)
    # And once queued work has run, the remedy was paid exactly once
    deliver_all()  # a payment the deadline queued
    _paid_once(d)


def test_two_payments_of_one_remedy_pay_once(tmp_path, buyer, seller, listing) -> None:
    # Given a decided case whose appeal window has closed, so the decision is final
    d = _decided(buyer, seller, listing)
    Dispute.objects.filter(pk=d.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    assert deadlines.dispute_deadline(dispute_id=d.pk) == "final: decision to be paid"
    # When two processes pay the remedy at once
    results = race(tmp_path, [("ds-pay", d.number, buyer.username)] * 2)
    # Then one pays and the other finds it already paid
    assert sorted(r["result"] for r in results) == ["already paid", "paid"]
    # And a third payment finds it paid, and the remedy was paid exactly once
    assert deadlines.dispute_pay(dispute_id=d.pk) == "already paid"
    _paid_once(d)
