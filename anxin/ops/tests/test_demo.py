"""The demo world builds from nothing, passes the audits, and building it again changes
nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_builds_audits_clean_and_is_idempotent(tmp_path, settings) -> None:
    from anxin.accounts.models import SellerProfile
    from anxin.disputes.audit import returns_audit
    from anxin.ledger.audit import ledger_audit
    from anxin.orders.audit import orders_audit
    from anxin.orders.models import Order
    from anxin.reputation.models import Review, Score

    # Given a fresh database, and media written to a temporary folder
    settings.MEDIA_ROOT = str(tmp_path)
    # When the demo is built
    call_command("demo", verbosity=0)
    # Then it has over ten orders and two reviews
    orders, reviews = Order.objects.count(), Review.objects.count()
    assert orders > 10
    assert reviews == 2
    # And every demo seller is scored: the tea shop and the orchard have the orders for a
    # grade, and different grades (the orchard's lowered by the operator); the others are new
    assert Score.objects.count() >= 3
    grades = dict(Score.objects.values_list("seller__username", "grade"))
    assert grades["seller-tea"] in set("ABCDE")
    assert grades["seller-fruit"] in set("ABCDE")
    assert grades["seller-tea"] != grades["seller-fruit"]
    assert "N" in grades.values()
    # And every demo seller has a return address for approved returns
    assert not SellerProfile.objects.filter(return_address="").exists()
    # And the ledger, order and return audits find nothing wrong
    assert ledger_audit() == []
    assert orders_audit() == []
    assert returns_audit() == []
    # When the demo is built again
    call_command("demo", verbosity=0)
    # Then there are no more orders or reviews than before
    assert Order.objects.count() == orders
    assert Review.objects.count() == reviews
