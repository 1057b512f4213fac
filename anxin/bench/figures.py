"""`anxin bench figures`: the public figures over 10,000,000 orders and about 150,000
complaints, on PostgreSQL.

The world is the credit bench's (bench/credit.py, written in the database itself with INSERT …
SELECT over generate_series): sellers, buyers, 10,000,000 orders over 400 days and complaints
on 1.5% of them (about 146,500 desk cases) with their case events. Then, also in SQL, the
complaints are spread as real ones are: the shops show addresses in 31 provinces, the cases
fall in the 13 categories, a fifth went to mediation, 2% are still open, the seller answered
70% of them within 0-3 days (an `answered` event), one in 97 was partly paid by the guarantee
fund. And complaints to market regulators through the open channel (one per 1,000 orders by
default: 10,000, so that the two sources make over 150,000 complaints): from buyers with a
verified phone, two thirds about sellers on Anxin (counted in the region the shop shows), a
third about sellers elsewhere (in the region the complainant named), in every state (waiting
for the regulator, accepted, refused by staff or by the law, withdrawn), some accepted ones
entrusted to the consumer association, which settled, failed or is still mediating.

The figure tables are built by the rebuild command (`anxin figures rebuild`, timed), then the
statistics page and each open-data download are requested through Django's test client,
after one request to warm up: median and p95 of `--requests` requests each. Target: each under
500 ms (median). The pages read only the counters and the records kept up to date by each
case's own transaction; nothing is counted per request."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

TARGET_MS = 500.0
PATHS = [
    ("statistics", "/figures/"),
    ("cases_csv", "/figures/data/cases.csv"),
    ("cases_json", "/figures/data/cases.json"),
    ("figures_csv", "/figures/data/figures.csv"),
    ("days_csv", "/figures/data/days.csv"),
    ("figures_json", "/figures/data/figures.json"),
]
# A county of each province-level division (its capital's first district), for shown addresses.
PROVINCE_COUNTIES = [
    "110101", "120101", "130102", "140105", "150102", "210102", "220102", "230102",
    "310101", "320102", "330106", "340102", "350102", "360102", "370102", "410102",
    "420102", "430102", "440106", "450102", "460105", "500101", "510104", "520102",
    "530102", "540102", "610102", "620102", "630102", "640104", "650102",
]  # fmt: skip
CATEGORIES = [
    "not_delivered", "late", "not_as_described", "quality_defect", "counterfeit",
    "false_advertising", "after_sales_refused", "presale", "lottery", "price_fraud",
    "privacy", "pay_later", "other",
]  # fmt: skip

_SPREAD = [
    (
        "shown addresses",
        """
        INSERT INTO accounts_sellerprofile (user_id, shop_name, contact_phone, wechat_id,
            return_address, address_region, created_at)
        SELECT u.id, '店铺' || u.id, '', '', '', (%(counties)s::text[])[1 + u.id %% %(nc)s],
            %(now)s
        FROM accounts_user u
        WHERE u.role = 'seller'
            AND NOT EXISTS (SELECT 1 FROM accounts_sellerprofile p WHERE p.user_id = u.id)
        """,
    ),
    (
        "categories, mediation, open cases and fund advances",
        """
        UPDATE disputes_dispute SET
            category = (%(categories)s::text[])[1 + (hashint8(id) & 1023) %% %(nk)s],
            mediator_id = CASE WHEN id %% 5 = 0 THEN %(mediator)s::bigint END,
            paid_from = CASE WHEN id %% 97 = 0 THEN '{"fund": 5000}'::jsonb ELSE paid_from END,
            stage = CASE WHEN id %% 50 = 0 THEN 'negotiation' ELSE stage END,
            step = CASE WHEN id %% 50 = 0 THEN 'seller_answer' ELSE step END,
            outcome = CASE WHEN id %% 50 = 0 THEN '' ELSE outcome END,
            closed_at = CASE WHEN id %% 50 = 0 THEN NULL ELSE closed_at END
        WHERE number LIKE 'D%%'
        """,
    ),
    (
        "the sellers' answers",
        """
        INSERT INTO disputes_disputeevent (kind, actor_role, detail, at, actor_id, dispute_id)
        SELECT 'answered', 'seller', '{}'::jsonb,
            d.created_at + ((hashint8(d.id + 5) & 3)::int) * interval '1 day', d.seller_id, d.id
        FROM disputes_dispute d
        WHERE d.number LIKE 'D%%' AND (hashint8(d.id + 3) & 1023) < 717
        """,
    ),
]


# Complaints to market regulators (supervision.Complaint), numbered TS<day><tag><g in hex>:
# g % 20 says the state (0-2 waiting for the regulator, recent; 3-11 accepted, of which 3-4
# settled in the association's mediation, 5 failed there, 6 still mediating; 12-14 refused by
# staff; 15 refused at once by the law, handled elsewhere; 16-19 withdrawn), g % 3 = 0 a
# seller not on Anxin.
_COMPLAINTS = [
    (
        "the regulators and the consumer associations",
        """
        INSERT INTO supervision_organisation (kind, name, region, created_at)
        SELECT k, CASE k WHEN 'regulator' THEN '市场监督管理局 ' ELSE '消费者协会 ' END || r,
            r, %(now)s
        FROM unnest(%(counties)s::text[]) r CROSS JOIN (VALUES ('regulator'), ('association')) v(k)
        ON CONFLICT (kind, region) DO NOTHING
        """,
    ),
    (
        "the complainants' verified phones",
        """
        UPDATE accounts_user u SET phone = '199' || lpad((u.id %% 100000000)::text, 8, '0')
        FROM (
            SELECT id FROM accounts_user WHERE role = 'buyer' AND phone IS NULL
            ORDER BY id LIMIT %(complaints)s
        ) c
        WHERE u.id = c.id
        """,
    ),
    (
        "complaints to the regulators",
        """
        INSERT INTO supervision_complaint (number, complainant_id, complainant_name,
            complainant_phone, complainant_address, seller_id, seller_name, seller_wechat,
            seller_platform, seller_link, seller_address, request, facts, paid_fen, knew_at,
            handled_elsewhere, region, region_basis, regulator_id, received_at, decide_by,
            status, law, decided_at, decided_by_id, refusal_ground, refusal_note,
            overdue_noticed_at)
        WITH b AS (
            SELECT row_number() OVER (ORDER BY id) AS n, id, phone FROM accounts_user
            WHERE role = 'buyer' AND phone IS NOT NULL
        ), s AS (
            SELECT row_number() OVER (ORDER BY u.id) AS n, u.id, p.shop_name, p.address_region
            FROM accounts_user u JOIN accounts_sellerprofile p ON p.user_id = u.id
            WHERE u.role = 'seller'
        ), k AS (
            SELECT (SELECT count(*) FROM b) AS nb, (SELECT count(*) FROM s) AS ns
        ), g AS (
            SELECT g, g %% 20 AS m, g %% 3 = 0 AS outside,
                CASE WHEN g %% 20 < 3 THEN hashint8(g + 1) & 7
                    ELSE 8 + (hashint8(g + 1) & 1023) %% 392 END AS ago,
                hashint8(g + 2) & 7 AS took
            FROM generate_series(1, %(complaints)s::bigint) g
        ), c AS (
            SELECT g.*, b.id AS complainant, b.phone,
                CASE WHEN g.outside THEN NULL ELSE s.id END AS seller,
                CASE WHEN g.outside THEN '朋友圈小店' || g.g ELSE s.shop_name END AS shop,
                CASE WHEN g.outside
                    THEN (%(counties)s::text[])[1 + (hashint8(g.g + 4) & 1023) %% %(nc)s]
                    ELSE coalesce(nullif(s.address_region, ''), %(platform)s) END AS region,
                CASE WHEN g.outside THEN 'complainant'
                    WHEN s.address_region <> '' THEN 'shown_address'
                    ELSE 'platform' END AS basis,
                %(now)s - g.ago * interval '1 day'
                    - (hashint8(g.g + 5) & 65535) * interval '1 second' AS at
            FROM g CROSS JOIN k
            JOIN b ON b.n = 1 + (g.g - 1) %% k.nb
            JOIN s ON s.n = 1 + (hashint8(g.g + 3) & 1048575) %% k.ns
        )
        SELECT 'TS' || to_char(c.at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
                || upper(%(tag)s || lpad(to_hex(c.g), 8, '0')),
            c.complainant, '消费者' || c.g, c.phone, '某市某区某路 ' || c.g || ' 号',
            c.seller, c.shop,
            CASE WHEN c.outside THEN 'wx_shop' || c.g ELSE '' END,
            CASE WHEN c.outside THEN '微信朋友圈' ELSE '' END, '', '',
            '退还货款', '收到的商品与描述不符，商家拒绝退款。',
            1000 + (hashint8(c.g + 7) & 65535),
            (c.at AT TIME ZONE 'Asia/Shanghai')::date - (hashint8(c.g + 6) & 31)::int,
            c.m = 15, c.region, c.basis,
            (SELECT o.id FROM supervision_organisation o
                WHERE o.kind = 'regulator' AND o.region = c.region),
            c.at, c.at + interval '7 days',
            CASE WHEN c.m < 3 THEN 'received' WHEN c.m < 12 THEN 'admitted'
                WHEN c.m < 16 THEN 'refused' ELSE 'withdrawn' END,
            CASE WHEN c.m = 15 THEN '{"outcome": "inadmissible"}'::jsonb
                ELSE '{"outcome": "admissible"}'::jsonb END,
            CASE WHEN c.m < 3 THEN NULL WHEN c.m = 15 THEN c.at
                ELSE c.at + c.took * interval '1 day' END,
            CASE WHEN c.m BETWEEN 3 AND 14 THEN %(regulator)s::bigint END,
            CASE WHEN c.m BETWEEN 12 AND 14 THEN 'not_consumer' ELSE '' END,
            CASE WHEN c.m BETWEEN 12 AND 14 THEN '购买用于转售' ELSE '' END,
            NULL
        FROM c
        """,
    ),
    (
        "the associations' mediations of accepted complaints",
        """
        INSERT INTO supervision_mediation (number, association_id, origin, consumer_id,
            seller_id, seller_name, region, complaint_id, case_number, request, facts,
            claimed_fen, started_at, counted_from, ends_at, paused_days, testing_since, status,
            mediator_id, ended_at, agreement, settled_fen, note, bundle, bundle_sha256)
        SELECT 'TJ' || substr(c.number, 3), a.id, 'entrusted', c.complainant_id, c.seller_id,
            c.seller_name, c.region, c.id, '', c.request, c.facts, c.paid_fen,
            c.decided_at, c.decided_at, c.decided_at + interval '60 days', 0, NULL,
            CASE c.m WHEN 3 THEN 'agreed' WHEN 4 THEN 'agreed' WHEN 5 THEN 'failed'
                ELSE 'open' END,
            %(mediator)s::bigint,
            CASE WHEN c.m <= 5 THEN c.decided_at + (3 + c.id %% 20) * interval '1 day' END,
            CASE WHEN c.m <= 4 THEN '商家退还货款' ELSE '' END,
            CASE WHEN c.m <= 4 THEN c.paid_fen ELSE 0 END,
            '', '', ''
        FROM (
            SELECT x.*, ('x' || right(x.number, 8))::bit(32)::bigint %% 20 AS m
            FROM supervision_complaint x
            WHERE x.number LIKE %(numbers)s AND x.status = 'admitted'
        ) c
        JOIN supervision_organisation a ON a.kind = 'association' AND a.region = c.region
        WHERE c.m BETWEEN 3 AND 6
        """,
    ),
]


def _spread(log: Callable[[str], None], complaints: int) -> None:
    import uuid

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from anxin.accounts.models import Role, User

    mediator = User.objects.create(username=f"bench-mediator-{time.time_ns()}", role=Role.MEDIATOR)
    regulator = User.objects.create(
        username=f"bench-regulator-{time.time_ns()}", role=Role.REGULATOR
    )
    tag = uuid.uuid4().hex[:4].upper()
    params: dict[str, Any] = {
        "counties": PROVINCE_COUNTIES,
        "nc": len(PROVINCE_COUNTIES),
        "categories": CATEGORIES,
        "nk": len(CATEGORIES),
        "mediator": mediator.pk,
        "regulator": regulator.pk,
        "complaints": complaints,
        "platform": settings.ANXIN_PLATFORM_REGION or "",
        "tag": tag,
        "numbers": f"TS________{tag}%",
        "now": timezone.now(),
    }
    with transaction.atomic(), connection.cursor() as cur:
        for name, sql in _SPREAD + (_COMPLAINTS if complaints else []):
            t = time.monotonic()
            cur.execute(sql, params)
            log(f"spread {name} in {time.monotonic() - t:.1f} s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE disputes_dispute")
        cur.execute("ANALYZE disputes_disputeevent")
        cur.execute("ANALYZE accounts_sellerprofile")
        cur.execute("ANALYZE supervision_complaint")
        cur.execute("ANALYZE supervision_mediation")


def _timed(c: Any, path: str, requests: int) -> dict[str, Any]:
    r = c.get(path)  # to warm up
    if r.status_code != 200:
        raise RuntimeError(f"{path}: {r.status_code}")
    size = len(r.content)
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        r = c.get(path)
        body = r.content  # the whole body, as a client reads it
        times.append((time.perf_counter() - t0) * 1000)
        assert len(body) > 0
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "bytes": size,
    }


def run(
    *,
    sellers: int,
    orders: int,
    requests: int,
    log: Callable[[str], None],
    generate: bool = True,
    complaints: int | None = None,
) -> dict[str, Any]:
    """`complaints`: the complaints to regulators to generate besides the desk's cases (by
    default one per 1,000 orders)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from anxin.bench.credit import _generate
    from anxin.disputes.models import Dispute
    from anxin.supervision import figures as kept
    from anxin.supervision.models import CaseSource, Complaint, FigureCell, PublicCase

    if connection.vendor != "postgresql":
        raise RuntimeError(
            "bench figures measures PostgreSQL: set DATABASE_URL "
            "(or run `make bench BENCH=figures`, which starts a throwaway server)"
        )
    call_command("migrate", verbosity=0)
    figures: dict[str, Any] = {"sellers": sellers, "orders": orders}
    if generate:
        log(f"generating {sellers:,} sellers and {orders:,} orders with their complaints")
        figures |= _generate(sellers=sellers, orders=orders, log=log)
        _spread(log, orders // 1000 if complaints is None else complaints)
    log("rebuilding the figure tables from every case (anxin figures rebuild)")
    t = time.monotonic()
    built = kept.rebuild(chunk=20_000)
    figures["rebuild_seconds"] = round(time.monotonic() - t, 1)
    figures |= {f"rebuilt_{k}": v for k, v in built.items()}
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE supervision_publiccase")
        cur.execute("VACUUM ANALYZE supervision_figurecell")
        cur.execute("VACUUM ANALYZE supervision_figuredays")
        cur.execute("VACUUM ANALYZE supervision_sellerfigure")
    log(
        f"rebuilt {built['records']:,} records, {built['cells']:,} cells, "
        f"{built['sellers']:,} sellers in {figures['rebuild_seconds']} s"
    )
    # What the pages show agrees with the cases: a record for each desk case and each
    # complaint to a regulator.
    desk, regulator = Dispute.objects.count(), Complaint.objects.count()
    figures |= {"desk_cases": desk, "open_complaints": regulator, "complaints": desk + regulator}
    log(
        f"measuring over {desk + regulator:,} complaints: {desk:,} desk cases and "
        f"{regulator:,} complaints to regulators"
    )
    published = dict(
        PublicCase.objects.values("source").annotate(n=Count("pk")).values_list("source", "n")
    )
    figures["records_differ_from_cases"] = (
        published.get(CaseSource.DESK, 0) != desk
        or published.get(CaseSource.REGULATOR, 0) != regulator
    )
    stats = kept.statistics()
    figures["filed_counted"] = stats["total"]["filed"]
    figures["cells"] = FigureCell.objects.count()
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "127.0.0.1")
    client = Client(HTTP_HOST=host.lstrip("."), headers={"accept-language": "zh-hans"})
    timings: dict[str, Any] = {}
    for name, path in PATHS:
        timings[name] = _timed(client, path, requests)
        log(
            f"{path}: median {timings[name]['median_ms']} ms, p95 {timings[name]['p95_ms']} ms, "
            f"{timings[name]['bytes']:,} bytes"
        )
    # For information (no target): the queries of the operator's dashboard over the same
    # world, its four charts' series of the last 30 days (orders and complaints a day,
    # after-sales requests open, the guarantee fund's balance).
    from anxin.aftersales.selectors import aftersales_open_by_day
    from anxin.core.series import local_days
    from anxin.disputes.selectors import disputes_per_day
    from anxin.orders.selectors import orders_per_day
    from anxin.remedies.selectors import fund_balance_by_day

    def dashboard(days_back: int) -> None:
        days = local_days(days_back)
        for series in (orders_per_day, disputes_per_day, aftersales_open_by_day):
            series(days)
        fund_balance_by_day(days)

    dashboard(30)  # to warm up
    took = []
    for _ in range(5):
        t0 = time.perf_counter()
        dashboard(30)
        took.append((time.perf_counter() - t0) * 1000)
    figures["operator_dashboard_30_days_median_ms"] = round(statistics.median(took), 1)
    log(f"operator dashboard (30 days): median {statistics.median(took):.1f} ms")
    records = json.loads(client.get("/figures/data/cases.json").content)["records"]
    figures["records_downloaded"] = len(records)
    figures["pages"] = timings
    targets = {f"{name}_median_ms_max": TARGET_MS for name, _ in PATHS}
    met = {f"{name}_median_ms_max": timings[name]["median_ms"] < TARGET_MS for name, _ in PATHS}
    targets["records_complete"] = True
    met["records_complete"] = (
        not figures["records_differ_from_cases"]
        and figures["records_downloaded"] == built["records"]
        and figures["filed_counted"] == built["records"]
        and figures["filed_counted"] == figures["complaints"]
    )
    return {"bench": "figures", "figures": figures, "targets": targets, "met": met}
