"""The demo world builds from nothing, passes the audits, and building it again changes
nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_builds_audits_clean_and_is_idempotent(tmp_path, settings) -> None:
    from anxin.disputes.audit import returns_audit
    from anxin.ledger.audit import ledger_audit
    from anxin.orders.audit import orders_audit
    from anxin.orders.models import Order
    from anxin.reputation.models import Review, Score

    settings.MEDIA_ROOT = str(tmp_path)
    call_command("demo", verbosity=0)
    orders, reviews = Order.objects.count(), Review.objects.count()
    assert orders > 10
    assert reviews == 2
    # Every demo seller is scored; none has the orders for a grade yet.
    assert Score.objects.count() >= 3
    assert set(Score.objects.values_list("grade", flat=True)) == {"N"}
    assert ledger_audit() == []
    assert orders_audit() == []
    assert returns_audit() == []
    call_command("demo", verbosity=0)
    assert (Order.objects.count(), Review.objects.count()) == (orders, reviews)
