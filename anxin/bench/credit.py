"""`anxin bench credit`: every seller's credit score recomputed in batch, and one seller's
after one event, on PostgreSQL at scale.

The generator writes, in the database itself (INSERT … SELECT over generate_series, seeded,
so a run is repeatable): 100,000 sellers with their verifications (a tenth businesses, one in
37 lapsed, one in 20 holding a food licence), a listing each with its promised shipping days,
200,000 buyers and 10,000,000 orders paid over the last 400 days, their sellers skewed as
real trade is (a few sellers take many orders), with every order's events (created, paid,
shipped, completed); complaints on 1.5% of orders with their outcomes and case events,
after-sales requests on 3% (some answered late, some refunds late) and reviews on 40% of the
completed orders. Foreign-key triggers are off while loading, as pg_restore does; the rows are
consistent by construction. The identity columns of the generated verifications hold a fixed
placeholder: scoring reads the kind, the status and the dates, never the sealed identity.

Then, timed:
- the batch (`credit.refresh()`, what `anxin credit` runs) in a fresh process, with that
  process's peak memory (its maximum resident set) and the PostgreSQL backend's;
- the incremental update: an order of a random seller is shipped (the order row and its
  event, committed), then `credit.refresh_changed()` picks the seller up from the event
  history and recomputes and stores its score; 1,000 samples, p50/p99/max.
Both are checked: every seller has a score after the batch, each sampled seller's score was
recomputed after its event, and a sample of stored scores equals a fresh `explain()`.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

TARGET_BATCH_SECONDS = 60.0
TARGET_BATCH_MEMORY_MIB = 2048
TARGET_INCREMENTAL_P99_MS = 5.0

# Statements are separated by ";" (none is inside a literal); each is run with the
# parameters sellers, buyers, orders, tag and now; the session's random() is seeded first.
# `bs` maps a seller's ordinal (1..S) to its rows, `bb` a buyer's.
_GENERATE: list[tuple[str, str]] = [
    (
        "sellers and buyers",
        """
        INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined, role, display_name, preferred_language,
            session_epoch)
        SELECT '!', false, 'cs' || %(tag)s || '-' || g, '', '', '', false, true,
            %(now)s - interval '800 days',
            CASE WHEN g <= %(sellers)s::bigint THEN 'seller' ELSE 'buyer' END,
            '店铺' || g, 'zh-hans', 0
        FROM generate_series(1, %(sellers)s::bigint + %(buyers)s::bigint) g;
        CREATE TEMP TABLE bs AS
            SELECT row_number() OVER (ORDER BY id) AS n, id FROM accounts_user
            WHERE username LIKE 'cs' || %(tag)s || '-%%' AND role = 'seller';
        CREATE TEMP TABLE bb AS
            SELECT row_number() OVER (ORDER BY id) AS n, id FROM accounts_user
            WHERE username LIKE 'cs' || %(tag)s || '-%%' AND role = 'buyer';
        CREATE UNIQUE INDEX ON bs (n);
        CREATE UNIQUE INDEX ON bb (n);
        """,
    ),
    (
        "verifications and licences",
        """
        INSERT INTO sellers_verification (kind, status, name_sealed, number_sealed,
            number_index, number_masked, address_sealed, contact_sealed, licence_file,
            licence_sha256, verified_at, reverify_by, reminded_at, seller_id)
        SELECT CASE WHEN n %% 10 = 0 THEN 'business' ELSE 'individual' END,
            CASE WHEN n %% 37 = 0 THEN 'lapsed' ELSE 'verified' END,
            '\\x00'::bytea, '\\x00'::bytea, encode(sha256((%(tag)s || n)::bytea), 'hex'),
            '1101**********' || lpad((n %% 10000)::text, 4, '0'), '\\x00'::bytea,
            '\\x00'::bytea, '', '', %(now)s - (n %% 700) * interval '1 day',
            %(now)s + interval '120 days', NULL, id
        FROM bs;
        INSERT INTO sellers_licence (kind, number, valid_until, document, document_sha256,
            status, reviewed_by_id, review_reason, submitted_at, reviewed_at, seller_id)
        SELECT 'food_business', 'JY1' || lpad(n::text, 13, '0'),
            (%(now)s + interval '1 year')::date, '', '', 'active', NULL, '',
            %(now)s - interval '30 days', %(now)s - interval '29 days', id
        FROM bs WHERE n %% 20 = 0;
        """,
    ),
    (
        "listings",
        """
        INSERT INTO catalog_listing (code, stock, is_active, created_at, seller_id)
        SELECT 'B' || %(tag)s || n, 1000000, true, %(now)s - interval '500 days', id FROM bs;
        INSERT INTO catalog_listingsnapshot (version, title, description, category, price_fen,
            currency, shipping_days, return_policy, return_policy_note, images, digest,
            created_at, listing_id)
        SELECT 1, '商品 ' || l.code, '', 'general', 1000 + (l.id * 7919) %% 49000, 'CNY',
            1 + (l.id %% 5), 'no_reason_7_days', '', '[]',
            encode(sha256(l.code::bytea), 'hex'), l.created_at, l.id
        FROM catalog_listing l WHERE l.code LIKE 'B' || %(tag)s || '%%';
        UPDATE catalog_listing l SET current_snapshot_id = s.id
        FROM catalog_listingsnapshot s
        WHERE s.listing_id = l.id AND l.code LIKE 'B' || %(tag)s || '%%';
        ALTER TABLE bs ADD COLUMN listing_id bigint, ADD COLUMN snapshot_id bigint,
            ADD COLUMN price bigint, ADD COLUMN days int;
        UPDATE bs SET listing_id = l.id, snapshot_id = s.id, price = s.price_fen,
            days = s.shipping_days
        FROM catalog_listing l JOIN catalog_listingsnapshot s ON s.id = l.current_snapshot_id
        WHERE l.seller_id = bs.id;
        """,
    ),
    (
        "orders",
        """
        INSERT INTO orders_order (number, quantity, shipping_days, unit_price_fen, amount_fen,
            fee_bps, fee_fen, currency, status, recipient_name, recipient_phone,
            shipping_address, buyer_note, idempotency_key, request_digest, created_at, pay_by,
            paid_at, shipped_at, carrier,
            tracking_number, auto_confirm_at, completed_at, confirmed_by, closed_at,
            close_reason, buyer_id, listing_id, seller_id, snapshot_id, evidence_head,
            delivered_at)
        SELECT 'C' || %(tag)s || g, 1, days, price, price, 60, price * 60 / 10000, 'CNY',
            CASE WHEN completed < %(now)s THEN 'completed'
                 WHEN shipped IS NOT NULL THEN 'shipped' ELSE 'paid' END,
            '买家', '13800000000', '北京市朝阳区', '', g::text, '', paid - interval '5 minutes',
            paid + interval '25 minutes', paid, shipped,
            CASE WHEN shipped IS NULL THEN '' ELSE 'sandbox' END,
            CASE WHEN shipped IS NULL THEN '' ELSE 'SB' || g END,
            CASE WHEN shipped IS NOT NULL AND completed >= %(now)s THEN completed END,
            CASE WHEN completed < %(now)s THEN completed END,
            CASE WHEN completed < %(now)s THEN 'buyer' ELSE '' END, NULL, '',
            buyer, listing_id, seller, snapshot_id, NULL,
            CASE WHEN shipped IS NOT NULL AND shipped + interval '2 days' < %(now)s
                 THEN shipped + interval '2 days' END
        FROM (
            SELECT g, bs.price, bs.days, bs.listing_id, bs.snapshot_id, bs.id AS seller,
                bb.id AS buyer,
                x.paid,
                CASE WHEN x.r3 < 0.98 AND x.paid + bs.days * 1.3 * x.r4 * interval '1 day' < %(now)s
                     THEN x.paid + bs.days * 1.3 * x.r4 * interval '1 day' END AS shipped,
                x.paid + bs.days * 1.3 * x.r4 * interval '1 day' + interval '7 days' AS completed
            FROM (
                SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                    %(now)s - random() * interval '400 days' AS paid
                FROM generate_series(%(first)s::bigint, %(last)s::bigint) g
            ) x
            JOIN bs ON bs.n = 1 + floor(%(sellers)s::bigint * power(x.r1, 1.5))::bigint
            JOIN bb ON bb.n = 1 + floor(%(buyers)s::bigint * x.r2)::bigint
        ) o;
        """,
    ),
    (
        "order events",
        """
        INSERT INTO orders_orderevent (kind, from_status, to_status, actor_role, detail, at,
            actor_id, order_id)
        SELECT e.kind, e.f, e.t, e.role, '{}'::jsonb, e.at, e.actor, o.id
        FROM orders_order o CROSS JOIN LATERAL (VALUES
            ('created', '', 'awaiting_payment', 'buyer', o.created_at, o.buyer_id),
            ('paid', 'awaiting_payment', 'paid', 'provider', o.paid_at, NULL),
            ('shipped', 'paid', 'shipped', 'seller', o.shipped_at, o.seller_id),
            ('confirmed', 'shipped', 'completed', 'buyer', o.completed_at, o.buyer_id)
        ) AS e(kind, f, t, role, at, actor)
        WHERE o.number LIKE 'C' || %(tag)s || '%%'
            AND o.id BETWEEN %(first_id)s::bigint AND %(last_id)s::bigint AND e.at IS NOT NULL;
        """,
    ),
    (
        "complaints",
        """
        INSERT INTO disputes_dispute (number, outside_description, outside_paid_fen, category,
            claim, claimed_fen, law, law_fen, cap_fen, stage, step, reminded_for, offer_text,
            proposal_text, outcome, remedy_fen, paid_from, transfer_reason, created_at,
            closed_at, buyer_id, seller_id, order_id, executed_at, admitted_at,
            admission_reason)
        SELECT 'D' || %(tag)s || o.id, '', 0, 'not_delivered', '', o.amount_fen, '{}'::jsonb,
            o.amount_fen, o.amount_fen, 'closed', 'done', '', '', '',
            (ARRAY['settled', 'settled', 'default', 'decided', 'withdrawn', 'lapsed'])
                [1 + (o.id %% 6)],
            CASE WHEN o.id %% 6 IN (4, 5) THEN NULL ELSE o.amount_fen END, '{}'::jsonb, '',
            o.paid_at + interval '3 days', o.paid_at + interval '12 days',
            o.buyer_id, o.seller_id, o.id,
            CASE WHEN o.id %% 6 IN (4, 5) THEN NULL ELSE o.paid_at + interval '12 days' END,
            o.paid_at + interval '3 days', ''
        FROM orders_order o
        WHERE o.number LIKE 'C' || %(tag)s || '%%' AND (hashint8(o.id) & 1023) < 15;
        INSERT INTO disputes_disputeevent (kind, actor_role, detail, at, actor_id, dispute_id)
        SELECT e.kind, e.role, '{}'::jsonb, e.at, e.actor, d.id
        FROM disputes_dispute d CROSS JOIN LATERAL (VALUES
            ('filed', 'buyer', d.created_at, d.buyer_id),
            ('closed', 'system', d.closed_at, NULL)
        ) AS e(kind, role, at, actor)
        WHERE d.number LIKE 'D' || %(tag)s || '%%';
        """,
    ),
    (
        "after-sales",
        """
        INSERT INTO aftersales_aftersale (kind, quantity, status, is_open, reason, item_condition,
            law, law_backed, refund_fen, requested_at, respond_by, responded_at, responded_by,
            refusal_reason, return_carrier, return_tracking, return_shipping_fen,
            received_via, refund_due_at, gifts_not_returned_fen, free_shipping_deduction_fen,
            refunded_fen, refunded_at, reship_carrier, reship_tracking, escalation_reason,
            closed_at, order_id, seller_id)
        SELECT 'no_reason_return', o.quantity,
            CASE WHEN o.id %% 10 = 0 THEN 'refused' ELSE 'refunded' END,
            false, '不想要了', 'intact', '{}'::jsonb, true, o.amount_fen,
            o.delivered_at + interval '2 days', o.delivered_at + interval '7 days',
            o.delivered_at + interval '3 days',
            CASE WHEN o.id %% 5 = 0 THEN 'system' ELSE 'seller' END,
            CASE WHEN o.id %% 10 = 0 THEN '已使用' ELSE '' END, '', '', 0, 'seller',
            CASE WHEN o.id %% 10 = 0 THEN NULL ELSE o.delivered_at + interval '14 days' END,
            0, 0, CASE WHEN o.id %% 10 = 0 THEN 0 ELSE o.amount_fen END,
            CASE WHEN o.id %% 10 = 0 THEN NULL
                 WHEN o.id %% 17 = 0 THEN o.delivered_at + interval '16 days'
                 ELSE o.delivered_at + interval '9 days' END,
            '', '', '', o.delivered_at + interval '16 days', o.id, o.seller_id
        FROM orders_order o
        WHERE o.number LIKE 'C' || %(tag)s || '%%' AND o.delivered_at IS NOT NULL
            AND (hashint8(o.id + 7) & 1023) < 31;
        """,
    ),
    (
        "reviews",
        """
        INSERT INTO reputation_review (as_described, shipping, service, text, photos,
            created_at, followup_text, followup_at, reply_text, reply_at, hidden_at,
            hidden_reason, hidden_note, buyer_id, hidden_by_id, order_id, seller_id)
        SELECT s1, s2, s3, '好评', '[]'::jsonb, o.completed_at + interval '1 day', '', NULL, '',
            NULL, NULL, '', '', o.buyer_id, NULL, o.id, o.seller_id
        FROM (
            SELECT o.*,
                LEAST(5, 2 + (hashint8(o.id + 1) & 7) %% 5 + (o.seller_id %% 2)::int) AS s1,
                LEAST(5, 3 + (hashint8(o.id + 2) & 7) %% 3) AS s2,
                LEAST(5, 1 + (hashint8(o.id + 3) & 7) %% 5 + (o.seller_id %% 3)::int) AS s3
            FROM orders_order o
            WHERE o.number LIKE 'C' || %(tag)s || '%%' AND o.completed_at IS NOT NULL
                AND (hashint8(o.id + 11) & 1023) < 410
        ) o;
        """,
    ),
]


def _generate(*, sellers: int, orders: int, log: Callable[[str], None]) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    tag = uuid.uuid4().hex[:6]
    params: dict[str, Any] = {
        "sellers": sellers,
        "buyers": 2 * sellers,
        "orders": orders,
        "tag": tag,
        "now": timezone.now(),
    }
    step = 1_000_000
    began = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(0.2026)")
        # Foreign-key triggers off while loading, as pg_restore --disable-triggers does.
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for name, sql in _GENERATE:
            t = time.monotonic()
            if name == "orders":
                for first in range(1, orders + 1, step):
                    last = min(orders, first + step - 1)
                    cur.execute(sql, {**params, "first": first, "last": last})
                    log(f"  orders {last:,}/{orders:,} ({time.monotonic() - began:.0f} s)")
            elif name == "order events":
                cur.execute(
                    "SELECT min(id), max(id) FROM orders_order WHERE number LIKE %s",
                    [f"C{tag}%"],
                )
                low, high = cur.fetchone()
                for first_id in range(low, high + 1, step):
                    cur.execute(
                        sql, {**params, "first_id": first_id, "last_id": first_id + step - 1}
                    )
                    done = min(high, first_id + step - 1) - low + 1
                    log(f"  events of {done:,} orders ({time.monotonic() - began:.0f} s)")
            else:
                for statement in filter(str.strip, sql.split(";")):
                    cur.execute(statement, params)
            log(f"generated {name} in {time.monotonic() - t:.1f} s")
    counts: dict[str, Any] = {}
    with connection.cursor() as cur:
        for table in (
            "orders_order",
            "orders_orderevent",
            "disputes_dispute",
            "aftersales_aftersale",
            "reputation_review",
        ):
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            counts[table] = cur.fetchone()[0]
    t = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # what autovacuum keeps a production database at
    log(f"vacuum analyze in {time.monotonic() - t:.1f} s")
    counts["generate_seconds"] = round(time.monotonic() - began, 1)
    return counts


def _batch(results: Any) -> None:
    """The batch in a fresh process, so its peak memory is the batch's own."""
    import django

    django.setup()
    from django.db import connection

    from anxin.reputation import credit

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    began = time.monotonic()
    stored = credit.refresh()
    seconds = time.monotonic() - began
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((stored, seconds, rss_mib, _private_mib(backend)))


def _private_mib(pid: int) -> float | None:
    """A process's own (not shared) peak memory: what it used beyond PostgreSQL's shared
    buffers. Read from /proc, so only for a server on this machine."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    kib = sum(int(fields[k].split()[0]) for k in ("Private_Clean", "Private_Dirty") if k in fields)
    return round(kib / 1024, 1)


def _incremental(samples: int, log: Callable[[str], None]) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from anxin.orders.models import Order, OrderEvent
    from anxin.reputation import credit
    from anxin.reputation.models import Score

    assert credit.refresh_changed() == 0  # the batch moved the cursor past every event
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.7)")
        cur.execute(
            "SELECT id, seller_id FROM orders_order WHERE status = 'paid' "
            "ORDER BY random() LIMIT %s",
            [samples],
        )
        picked = cur.fetchall()
    if len(picked) < samples:
        raise RuntimeError(f"only {len(picked)} paid orders to ship: use fewer --samples")
    took: list[float] = []
    refreshed = 0
    for order_id, seller_id in picked:
        now = timezone.now()
        with transaction.atomic():  # the event: the seller ships
            Order.objects.filter(pk=order_id).update(status="shipped", shipped_at=now)
            OrderEvent.objects.create(
                order_id=order_id,
                kind="shipped",
                from_status="paid",
                to_status="shipped",
                actor_id=seller_id,
                actor_role="seller",
                at=now,
            )
        began = time.perf_counter()
        n = credit.refresh_changed()
        took.append((time.perf_counter() - began) * 1000)
        refreshed += (
            n == 1 and Score.objects.filter(seller_id=seller_id, computed_at__gte=now).exists()
        )
        if len(took) % 250 == 0:
            log(f"  incremental {len(took)}/{samples}")
    took.sort()
    return {
        "incremental_samples": samples,
        "incremental_p50_ms": round(statistics.median(took), 2),
        "incremental_p99_ms": round(took[int(0.99 * (len(took) - 1))], 2),
        "incremental_max_ms": round(took[-1], 2),
        "incremental_rescored": refreshed,
    }


def _agree(sample: int) -> int:
    """How many of `sample` stored scores differ from a fresh explain() of the seller."""
    from anxin.reputation import credit
    from anxin.reputation.models import Score

    differ = 0
    for s in Score.objects.order_by("?")[:sample]:
        e = credit.explain(s.seller_id)
        differ += (e["score"], e["grade"]) != (s.score, s.grade)
    return differ


def run(*, sellers: int, orders: int, samples: int, log: Callable[[str], None]) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from anxin.sellers.models import Verification

    if connection.vendor != "postgresql":
        raise RuntimeError(
            "bench credit measures PostgreSQL: set DATABASE_URL "
            "(or run `make bench BENCH=credit`, which starts a throwaway server)"
        )
    call_command("migrate", verbosity=0)
    log(f"generating {sellers:,} sellers and {orders:,} orders with their events")
    figures: dict[str, Any] = {"sellers": sellers, "orders": orders}
    figures |= _generate(sellers=sellers, orders=orders, log=log)

    log("batch: every seller's score, in a fresh process")
    connection.close()
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    child = ctx.Process(target=_batch, args=(results,))
    child.start()
    stored, seconds, rss_mib, backend_mib = results.get()
    child.join()
    log(f"batch: {stored:,} scores in {seconds:.1f} s, peak {rss_mib:.0f} MiB")
    figures |= {
        "batch_scores": stored,
        "batch_seconds": round(seconds, 2),
        "batch_peak_mib": round(rss_mib, 1),
        "batch_backend_private_mib": backend_mib,
        "sellers_without_score": Verification.objects.filter(seller__credit__isnull=True).count(),
    }
    log(f"incremental: {samples} events, each then scored")
    figures |= _incremental(samples, log)
    figures["stored_differs_from_fresh"] = _agree(200)
    targets = {
        "batch_seconds_max": TARGET_BATCH_SECONDS,
        "batch_peak_mib_max": TARGET_BATCH_MEMORY_MIB,
        "incremental_p99_ms_max": TARGET_INCREMENTAL_P99_MS,
    }
    met = {
        "batch_seconds_max": figures["batch_seconds"] <= TARGET_BATCH_SECONDS,
        "batch_peak_mib_max": figures["batch_peak_mib"] <= TARGET_BATCH_MEMORY_MIB,
        "incremental_p99_ms_max": figures["incremental_p99_ms"] < TARGET_INCREMENTAL_P99_MS,
    }
    return {"bench": "credit", "figures": figures, "targets": targets, "met": met}
