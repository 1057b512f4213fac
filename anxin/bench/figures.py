"""`anxin bench figures`: the public figures over 10,000,000 orders and about 150,000
complaints, on PostgreSQL.

The world is the credit bench's (bench/credit.py, written in the database itself with INSERT …
SELECT over generate_series): sellers, buyers, 10,000,000 orders over 400 days and complaints
on 1.5% of them (about 146,000) with their case events. Then, also in SQL, the complaints are
spread as real ones are: the shops show addresses in 31 provinces, the cases fall in the 13
categories, a fifth went to mediation, 2% are still open, the seller answered 70% of them
within 0-3 days (an `answered` event), one in 97 was partly paid by the guarantee fund.

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


def _spread(log: Callable[[str], None]) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from anxin.accounts.models import Role, User

    mediator = User.objects.create(username=f"bench-mediator-{time.time_ns()}", role=Role.MEDIATOR)
    params: dict[str, Any] = {
        "counties": PROVINCE_COUNTIES,
        "nc": len(PROVINCE_COUNTIES),
        "categories": CATEGORIES,
        "nk": len(CATEGORIES),
        "mediator": mediator.pk,
        "now": timezone.now(),
    }
    with transaction.atomic(), connection.cursor() as cur:
        for name, sql in _SPREAD:
            t = time.monotonic()
            cur.execute(sql, params)
            log(f"spread {name} in {time.monotonic() - t:.1f} s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE disputes_dispute")
        cur.execute("ANALYZE disputes_disputeevent")
        cur.execute("ANALYZE accounts_sellerprofile")


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
) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from anxin.bench.credit import _generate
    from anxin.disputes.models import Dispute
    from anxin.supervision import figures as kept
    from anxin.supervision.models import FigureCell, PublicCase

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
        _spread(log)
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
    # What the pages show agrees with the cases.
    complaints = Dispute.objects.count()
    figures["complaints"] = complaints
    figures["records_differ_from_cases"] = (
        PublicCase.objects.filter(source="desk").count() != complaints
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
    )
    return {"bench": "figures", "figures": figures, "targets": targets, "met": met}
