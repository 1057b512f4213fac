"""`anxin bench recon`: a day's reconciliation with the provider's bill, for a day of 100,000
orders, on PostgreSQL (target: 60 s).

The day is today (Beijing time, from midnight to now). The generator writes, in the database
itself (INSERT … SELECT over generate_series, seeded, so a run is repeatable), N paid orders of
one listing, each with Anxin's payment and the sandbox's (both succeeded at the same moment of
the day, spread over it); one sandbox payment in 1,000 says one fen more than Anxin's (an
amount mismatch, alerted). Then `--lost` orders (default 100) are checked out through the
service layer and paid at the sandbox, their notifications never delivered: reconciliation
applies them from the bill, each through the notification path (the order paid, its money
captured in the ledger).

Timed: `reconcile_day(today)` as `anxin reconcile` runs it: the sandbox writes the day's bill
(WeChat Pay's CSV, or Alipay's archive with ANXIN_SANDBOX_BILL_FORMAT=alipay) and the day
before's, reconciliation parses both and matches every line. Checked: every line was read,
the lost payments were applied, and exactly the mismatches were alerted.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

TARGET_SECONDS = 60.0

_GENERATE = """
INSERT INTO orders_order (number, quantity, shipping_days, unit_price_fen, amount_fen,
    fee_bps, fee_fen, currency, status, recipient_name, recipient_phone,
    shipping_address, buyer_note, idempotency_key, request_digest, created_at, pay_by,
    paid_at, shipped_at, carrier,
    tracking_number, auto_confirm_at, completed_at, confirmed_by, closed_at,
    close_reason, buyer_id, listing_id, seller_id, snapshot_id, evidence_head,
    delivered_at)
SELECT 'R' || %(tag)s || g, 1, 1, 12800, 12800, 60, 76, 'CNY', 'paid',
    '买家', '13800000000', '北京市朝阳区', '', 'r' || %(tag)s || g, '', at - interval '5 minutes',
    at + interval '25 minutes', at, NULL, '', '', NULL, NULL, '', NULL, '',
    %(buyer)s, %(listing)s, %(seller)s, %(snapshot)s, NULL, NULL
FROM (
    SELECT g, %(start)s + random() * (%(now)s - %(start)s) AS at
    FROM generate_series(1, %(orders)s::bigint) g
) x;
INSERT INTO payments_payment (order_id, provider, provider_payment_id, amount_fen, currency,
    status, pay_url, failure_reason, created_at, completed_at)
SELECT o.id, 'sandbox', 'rbp' || %(tag)s || substr(o.number, 8), o.amount_fen, 'CNY',
    'succeeded', '', '', o.created_at, o.paid_at
FROM orders_order o WHERE o.number LIKE 'R' || %(tag)s || '%%';
INSERT INTO payments_sandboxpayment (id, merchant_ref, idempotency_key, amount_fen,
    description, status, failure_reason, created_at, completed_at)
SELECT p.provider_payment_id, o.number, o.number || ':1',
    p.amount_fen + CASE WHEN substr(o.number, 8)::bigint %% 1000 = 0 THEN 1 ELSE 0 END,
    '压测商品', 'succeeded', '', p.created_at, p.completed_at
FROM payments_payment p JOIN orders_order o ON o.id = p.order_id
WHERE o.number LIKE 'R' || %(tag)s || '%%'
"""


def _world(tag: str, orders: int) -> tuple[Any, Any, Any]:
    from anxin.accounts.models import Role, User
    from anxin.accounts.services import user_signup
    from anxin.bench import synthetic
    from anxin.catalog.services import ListingContent, listing_create

    seller = user_signup(
        username=f"recon-s-{tag}",
        password=uuid.uuid4().hex,
        role=Role.SELLER,
        shop_name="对账压测店铺",
    )
    synthetic.verify(seller)
    listing = listing_create(
        actor=seller,
        stock=orders + 1,
        content=ListingContent(title="压测商品", description="", price_fen=12_800, shipping_days=1),
    )
    buyer = User(username=f"recon-b-{tag}", role=Role.BUYER)
    buyer.set_unusable_password()
    buyer.save()
    return seller, buyer, listing


def run(*, orders: int, lost: int, log: Callable[[str], None]) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from anxin.bench import synthetic
    from anxin.payments.providers.sandbox import SandboxProvider
    from anxin.reconcile.services import beijing_today, day_bounds, reconcile_day

    if connection.vendor != "postgresql":
        raise RuntimeError(
            "bench recon measures PostgreSQL: set DATABASE_URL "
            "(or run `make bench BENCH=recon`, which starts a throwaway server)"
        )
    call_command("migrate", verbosity=0)
    settings.ANXIN_SANDBOX_DUPLICATE_RATE = 0.0
    # The lost orders are one buyer's, all left unpaid as Anxin sees them: the limits that stop
    # a buyer hoarding stock with unpaid orders would refuse the sixth.
    settings.ANXIN_UNPAID_ORDERS_PER_BUYER = settings.ANXIN_UNPAID_UNITS_PER_LISTING = lost + 1
    tag = uuid.uuid4().hex[:6]
    now = timezone.now()
    day = beijing_today(now)
    start, _ = day_bounds(day)
    seller, buyer, listing = _world(tag, orders + lost)
    log(f"generating {orders:,} paid orders with their payments, Anxin's and the sandbox's")
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(0.2026)")
        for statement in _GENERATE.split(";"):
            cur.execute(
                statement,
                {
                    "tag": tag,
                    "orders": orders,
                    "start": start,
                    "now": now - dt.timedelta(seconds=1),
                    "buyer": buyer.pk,
                    "seller": seller.pk,
                    "listing": listing.pk,
                    "snapshot": listing.current_snapshot_id,
                },
            )
        cur.execute(
            "ANALYZE orders_order; ANALYZE payments_payment; ANALYZE payments_sandboxpayment"
        )
    log(f"generated in {time.perf_counter() - began:.1f} s")
    log(f"{lost} orders paid at the sandbox whose notifications are lost")
    provider = SandboxProvider()
    for i in range(lost):
        o = synthetic.checkout(provider, buyer, listing, f"recon-lost-{tag}-{i}", to="started")
        payment = o.payments.get()
        provider.buyer_pays(payment.provider_payment_id)  # emitted, never delivered
    mismatches = orders // 1000
    # Payouts made today (bench payouts runs this after its own) are on the day's fund bill.
    payout_lines = len(provider.parse_bill(provider.download_payout_bill(day)))
    log(f"reconciling {day} ({orders + lost:,} payments and {payout_lines:,} payout lines)")
    began = time.perf_counter()
    r = reconcile_day(day)
    seconds = time.perf_counter() - began
    log(f"reconciled in {seconds:.1f} s: {r.matched:,} matched, {r.applied} applied")
    log(f"alerts: {r.alerts}")
    figures = {
        "orders": orders,
        "lost_notifications": lost,
        "bill_format": settings.ANXIN_SANDBOX_BILL_FORMAT,
        "seconds": round(seconds, 2),
        "lines_per_s": round(r.lines_read / seconds) if seconds else 0,
        "lines_read": r.lines_read,
        "matched": r.matched,
        "applied": r.applied,
        "alerts": r.alerts,
        "expected_alerts": mismatches,
        "payout_lines": payout_lines,
        "all_lines_read": r.lines_read == orders + lost + payout_lines,
    }
    targets = {"seconds_max": TARGET_SECONDS}
    met = {"seconds_max": seconds <= TARGET_SECONDS}
    return {"bench": "recon", "figures": figures, "targets": targets, "met": met}
