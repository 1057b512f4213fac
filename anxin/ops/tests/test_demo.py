"""The demo world builds from nothing, passes the audits, and building it again changes
nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from anxin.ops.audits import books_audit

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_builds_audits_clean_and_is_idempotent(tmp_path, settings) -> None:
    from anxin.accounts.models import SellerProfile
    from anxin.disputes.models import Dispute, Step
    from anxin.notices.models import Notification
    from anxin.orders.models import Order
    from anxin.reputation.models import BlacklistEntry, EntryStatus, Review, Score

    # Given a fresh database, and media written to a temporary folder
    settings.MEDIA_ROOT = str(tmp_path)
    # When the demo is built
    call_command("demo", verbosity=0)
    # Then it has over ten orders and two reviews
    orders, reviews = Order.objects.count(), Review.objects.count()
    assert orders > 10
    assert reviews == 2
    # And the five shops show every grade, A to E (the orchard's lowered by the operator)
    from anxin.ops.management.commands.demo import SELLERS

    five = [f"seller-{s[0]}" for s in SELLERS]
    grades = dict(
        Score.objects.filter(seller__username__in=five).values_list("seller__username", "grade")
    )
    assert sorted(grades.values()) == ["A", "B", "C", "D", "E"]
    # And the shoe shop is blacklisted after notice, appeal and decision
    entry = BlacklistEntry.objects.get(seller__username="seller-shoes")
    assert entry.status == EntryStatus.LISTED
    assert entry.appealed_at is not None
    # And there is a case at every step a person waits at (PAYING only passes), and every
    # way a case closes that a person can bring about
    steps = set(Dispute.objects.values_list("step", flat=True))
    assert steps == set(Step.values) - {Step.PAYING}
    outcomes = set(Dispute.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert {"settled", "decided", "default", "withdrawn"} <= outcomes
    assert Dispute.objects.filter(transferred_at__isnull=False).exists()
    # And buyers, sellers and officers have unread notices
    unread = Notification.objects.filter(read_at__isnull=True)
    for username in ("zhangwei", "seller-tea", "mediator", "adjudicator"):
        assert unread.filter(user__username=username).exists(), username
    # And every demo seller has a return address for approved returns
    assert not SellerProfile.objects.filter(return_address="").exists()
    # And yesterday is reconciled, with the one stray line of the provider's bill alerted
    from anxin.reconcile.models import Problem, ReconciliationAlert, ReconciliationRun

    assert ReconciliationRun.objects.filter(status="done").count() == 1
    alerts = list(ReconciliationAlert.objects.values_list("problem", "bill_amount_fen"))
    assert alerts == [(Problem.UNKNOWN_LINE, 8800)]
    # And the ledger, order and return audits find nothing wrong
    assert books_audit() == []
    # And the demo recorded that audit, so the operator's desk shows it from the start
    from anxin.ledger.audit import audit_latest

    recorded = audit_latest()
    assert recorded is not None
    assert recorded.violations == 0
    # And the tea shop has money held and withdrawable, one withdrawal paid and one returned
    from anxin.payouts.audit import payouts_audit
    from anxin.payouts.models import Payout
    from anxin.payouts.selectors import payout_balance

    tea = SellerProfile.objects.get(user__username="seller-tea").user
    balance = payout_balance(tea.pk)
    assert balance.held_fen > 0
    assert balance.withdrawable_fen > 0
    statuses = sorted(Payout.objects.filter(seller=tea).values_list("status", flat=True))
    assert statuses == ["returned", "succeeded"]
    assert payouts_audit() == []
    # And the formula shop has announced its closure: it trades for the days the law asks,
    # its page shows the notice, and its withdrawals are stopped
    from anxin.law.days import BEIJING
    from anxin.sellers.models import ShopClosure
    from anxin.sellers.services import shop_closure_notice_days, shop_closure_of

    closing = SellerProfile.objects.get(user__username="seller-formula").user
    closure = shop_closure_of(closing.pk)
    assert closure is not None
    today = closure.announced_at.astimezone(BEIJING).date()
    assert (closure.last_day - today).days == shop_closure_notice_days(today)
    assert ShopClosure.objects.count() == 1
    assert payout_balance(closing.pk).blocked == "closure"
    # When the demo is built again
    call_command("demo", verbosity=0)
    # Then there are no more orders or reviews than before
    assert Order.objects.count() == orders
    assert Review.objects.count() == reviews
