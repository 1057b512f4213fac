"""What a seller's completed orders hold of its balance (`held_fen`), summed in SQL where the
after-sales window certainly has or has not ended, is what counting every order's window one
by one gives, on ordinary days and around Spring Festival and National Day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anxin.aftersales.models import OPEN as AFTERSALE_OPEN
from anxin.disputes.models import Dispute, Stage
from anxin.disputes.tests.helpers import file_quality
from anxin.law import params
from anxin.law.days import BEIJING, due_at, longest_shift
from anxin.orders.models import Order, OrderStatus
from anxin.payouts.selectors import (
    after_sales_window_end,
    held_fen,
    payout_balance,
    window_days_bounds,
)
from anxin.payouts.tests.helpers import PAST_WINDOW, settled_order

pytestmark = pytest.mark.django_db


def window_end(order: Order) -> dt.datetime:
    """An order's after-sales windows' end, counted as the law counts it (due_at)."""
    start = order.delivered_at or order.completed_at or timezone.now()
    day = start.date()
    days = max(
        params.value("no_reason_return.window_days", day),
        params.value("quality.return_window_days", day),
    )
    return due_at(start, int(days))


def straightforward_held(seller_id: int, now: dt.datetime) -> int:
    """The per-order computation held_fen replaced: every completed order of the last 60
    days, or with a claim open, its window counted one by one."""
    open_claim = Q(after_sales__status__in=AFTERSALE_OPEN) | (
        Q(disputes__isnull=False) & ~Q(disputes__stage=Stage.CLOSED)
    )
    candidates = (
        Order.objects.filter(seller_id=seller_id, status=OrderStatus.COMPLETED)
        .filter(Q(completed_at__gte=now - dt.timedelta(days=60)) | open_claim)
        .distinct()
    )
    claimed = set(
        Order.objects.filter(seller_id=seller_id, status=OrderStatus.COMPLETED)
        .filter(open_claim)
        .values_list("pk", flat=True)
    )
    return sum(o.seller_share_fen for o in candidates if o.pk in claimed or window_end(o) > now)


def bj(y: int, m: int, d: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, second, tzinfo=BEIJING)


# The first day of holidays whose days and the days after them move a window's end, and an
# ordinary stretch: Spring Festival 2020 (extended to 2 February, the longest move), 2025
# and 2026, National Day 2024 and 2025, Labour Day 2026, and an ordinary June.
ANCHORS = [
    bj(2020, 1, 24),
    bj(2025, 1, 28),
    bj(2026, 2, 15),
    bj(2024, 10, 1),
    bj(2025, 10, 1),
    bj(2026, 5, 1),
    bj(2026, 6, 10),
]
# Times of day around the Beijing day's edges (00:00:00, 23:59:59) and inside it.
TIMES = [dt.timedelta(0), dt.timedelta(hours=9, minutes=30), dt.timedelta(hours=23, seconds=3599)]


def _clones(template: Order, anchor: dt.datetime, first: int) -> list[Order]:
    """Copies of a completed order started from 28 days before the anchor to 10 days after
    it, three times a day: some delivered (and completed three days later), some completed
    without a delivery time; each with its own amount, so that a sum tells them apart."""
    out = []
    for day in range(-28, 11):
        for i, time in enumerate(TIMES):
            start = anchor + dt.timedelta(days=day) + time
            n = first + len(out)
            delivered = (day + i) % 2 == 0
            o = Order(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in Order._meta.concrete_fields
                    if not f.primary_key
                }
            )
            o.number = f"H{n:012d}"
            o.idempotency_key = f"held-{n}"
            o.amount_fen = 10_000 + 7 * n
            o.fee_fen = n % 50
            o.delivered_at = start if delivered else None
            o.completed_at = start + dt.timedelta(days=3) if delivered else start
            out.append(o)
    return out


def test_held_money_is_what_counting_every_orders_window_gives(
    clock, buyer, seller, listing
) -> None:
    from anxin.aftersales.services import aftersale_request

    # Given a seller's completed order whose window has passed, with a repair asked for (an
    # open claim, held whatever its age)
    claimed = settled_order(buyer, seller, listing, "SF2000000001")
    # And two more, one with a complaint open, the other with one closed
    disputed = settled_order(buyer, seller, listing, "SF2000000004")
    settled = settled_order(buyer, seller, listing, "SF2000000005")
    clock.shift(PAST_WINDOW)
    aftersale_request(actor=buyer, number=claimed.number, kind="repair", reason="坏了")
    file_quality(buyer, disputed)
    Dispute.objects.filter(pk=file_quality(buyer, settled).pk).update(stage=Stage.CLOSED)
    # (past their windows, the repair's and the open complaint's orders are held, not the
    # closed complaint's)
    assert held_fen(seller.pk) == claimed.seller_share_fen + disputed.seller_share_fen
    # And copies of a completed order started around the holidays' first days and an
    # ordinary day, delivered or not, at the Beijing day's edges
    orders: list[Order] = []
    for anchor in ANCHORS:
        orders += _clones(claimed, anchor, len(orders))
    Order.objects.bulk_create(orders, batch_size=500)
    shortest, longest = window_days_bounds()
    # When the held money is asked for at every day from just before each holiday to well
    # after it, at the day's first and last second and at noon (Beijing time)
    checked = banded = 0
    for anchor in ANCHORS:
        for day in range(-3, 22):
            for time in (dt.timedelta(0), dt.timedelta(hours=12), dt.timedelta(seconds=86399)):
                now = anchor + dt.timedelta(days=day) + time
                # Then it is what counting every order's window one by one gives
                expected = straightforward_held(seller.pk, now)
                assert held_fen(seller.pk, now=now) == expected, now
                checked += 1
                # (and the orders counted in Python, neither certainly inside nor certainly
                # past their window, hold some money and not all of it there)
                band = [
                    o
                    for o in orders
                    if now - dt.timedelta(days=longest) - longest_shift() - dt.timedelta(days=1)
                    <= (o.delivered_at or o.completed_at)
                    < now - dt.timedelta(days=shortest)
                ]
                held_in_band = [o for o in band if window_end(o) > now]
                banded += 0 < len(held_in_band) < len(band)
    assert checked == len(ANCHORS) * 25 * 3
    # And each order's window ends, as the selectors count it, where the law's due_at says
    assert all(after_sales_window_end(o) == window_end(o) for o in orders)
    # And the band between was really counted: windows inside it ended and did not
    assert banded > checked // 2


def test_a_window_moved_by_spring_festival_still_holds_past_its_seven_days(
    clock, buyer, seller, listing
) -> None:
    # Given an order delivered on 2026-02-10, whose 7-day window's last day (17 February) falls
    # in the Spring Festival holiday (15 to 23 February) and so moves to 24 February
    # (copied from an order completed long before, its window long past)
    template = settled_order(buyer, seller, listing, "SF2000000002")
    Order.objects.filter(pk=template.pk).update(completed_at=bj(2025, 6, 1), delivered_at=None)
    o = _clones(template, bj(2026, 2, 10), 0)[0]
    o.delivered_at, o.completed_at = bj(2026, 2, 10, 21, 30), bj(2026, 2, 13, 8)
    o.save()
    # When the held money is asked for on 20 February and at the end of 24 February
    # Then the order is held: its window's end moved past the holiday
    assert held_fen(seller.pk, now=bj(2026, 2, 20, 12)) == o.seller_share_fen
    assert held_fen(seller.pk, now=bj(2026, 2, 24, 23, 59, 59)) == o.seller_share_fen
    # And at 00:00 of 25 February it is not
    assert held_fen(seller.pk, now=bj(2026, 2, 25)) == 0


def test_a_large_sellers_balance_takes_a_bounded_number_of_queries(
    clock, buyer, seller, listing, monkeypatch
) -> None:
    from anxin.payouts import selectors

    # Given a seller with a few completed orders
    template = settled_order(buyer, seller, listing, "SF2000000003")
    now = timezone.now()
    Order.objects.bulk_create(_clones(template, now - dt.timedelta(days=10), 0))
    with CaptureQueriesContext(connection) as few:
        small = payout_balance(seller.pk, now=now)
    # When it has 20 times as many, over the last 60 days
    many: list[Order] = []
    for k in range(1, 21):
        many += _clones(template, now - dt.timedelta(days=k * 2 + 10), len(many) + 1000)
    Order.objects.bulk_create(many, batch_size=500)
    counted: list[dt.datetime] = []

    def due_at(start: dt.datetime, days: int) -> dt.datetime:
        counted.append(start)
        return dt_due_at(start, days)

    dt_due_at = selectors.due_at
    monkeypatch.setattr(selectors, "due_at", due_at)
    # Then its balance takes as many queries as before, and no more than six
    with CaptureQueriesContext(connection) as lots:
        large = payout_balance(seller.pk, now=now)
    assert len(lots) == len(few) <= 6
    # And of its 2,000-odd orders, windows are counted only for the days between certainly
    # inside and certainly past them: once for each start's Beijing day (and UTC date)
    assert len(many) > 2000
    shortest, longest = window_days_bounds()
    assert 0 < len(counted) <= 2 * (longest + longest_shift().days - shortest + 2)
    # And more of its money is held, as counting every order's window gives
    assert large.held_fen >= small.held_fen > 0
    assert held_fen(seller.pk, now=now) == straightforward_held(seller.pk, now)
