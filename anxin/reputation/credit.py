"""Seller credit scores and grades, computed only from what Anxin holds.

Each factor is a value from 0 to 1 with a published weight; the score is 1,000 times the
weighted mean, and the grade follows published thresholds. Windows roll: 90 days for
complaints and shipping, 365 days for disputes, defaults, after-sales and refunds, all reviews
(smoothed). A handful of reviews cannot top the table: the review mean is pulled towards a prior
of 4 stars by 10 phantom reviews (a Bayesian average).

`factors()` is plain arithmetic on counts; `counts()` reads them from the database for one
seller or all, with the same queries, so an incremental refresh and the batch agree exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from anxin.core.errors import msg

# (factor, weight, what it measures): the weights add up to 100.
FACTORS: list[tuple[str, int, str]] = [
    ("complaints", 20, "complaints per order, last 90 days (10% or more scores 0)"),
    ("disputes_lost", 15, "disputes lost per order, last 365 days (5% or more scores 0)"),
    ("silent_defaults", 15, "complaints lost by not answering, last 365 days (4 or more score 0)"),
    ("on_time_shipping", 15, "orders shipped within the promised days, last 90 days"),
    ("after_sales_answered", 10, "after-sales requests the seller answered itself, 365 days"),
    ("refunds_on_time", 5, "after-sales refunds paid by their legal deadline, 365 days"),
    ("reviews", 15, "review stars, pulled towards 4 by 10 phantom reviews"),
    ("verification", 3, "verification level (licensed is highest)"),
    ("tenure", 2, "days since first verified, up to a year"),
]
GRADES: list[tuple[str, int]] = [("A", 850), ("B", 700), ("C", 550), ("D", 400), ("E", 0)]
PRIOR_STARS, PRIOR_WEIGHT = 4.0, 10


@dataclass
class Counts:
    orders_90: int = 0
    complaints_90: int = 0
    orders_365: int = 0
    lost_365: int = 0
    defaults_365: int = 0
    shipped_90: int = 0
    shipped_on_time_90: int = 0
    after_sales_365: int = 0
    answered_365: int = 0
    refunds_365: int = 0
    refunds_on_time_365: int = 0
    reviews: int = 0
    stars_total: int = 0  # the three ratings of every review, added up
    level: int = 0
    tenure_days: int = 0
    adjusted: int = 0  # points of adjustments by hand in force
    now: dt.datetime = dataclasses.field(default_factory=timezone.now)  # when counted


def factors(c: Counts) -> dict[str, float]:
    def share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    stars = (PRIOR_STARS * PRIOR_WEIGHT + c.stars_total / 3) / (PRIOR_WEIGHT + c.reviews)
    return {
        "complaints": max(0.0, 1 - 10 * (c.complaints_90 / c.orders_90 if c.orders_90 else 0)),
        "disputes_lost": max(0.0, 1 - 20 * (c.lost_365 / c.orders_365 if c.orders_365 else 0)),
        "silent_defaults": max(0.0, 1 - 0.25 * c.defaults_365),
        "on_time_shipping": share(c.shipped_on_time_90, c.shipped_90),
        "after_sales_answered": share(c.answered_365, c.after_sales_365),
        "refunds_on_time": share(c.refunds_on_time_365, c.refunds_365),
        "reviews": (stars - 1) / 4,
        "verification": c.level / 3,
        "tenure": min(c.tenure_days, 365) / 365,
    }


def score_of(f: dict[str, float]) -> tuple[int, str]:
    total = sum(weight * f[name] for name, weight, _ in FACTORS)
    score = round(1000 * total / 100)
    grade = next(g for g, floor in GRADES if score >= floor)
    return score, grade


def rows(f: dict[str, float]) -> list[dict[str, Any]]:
    """Every factor with its published weight, its value and what it measures, in order."""
    return [
        {"name": n, "weight": w, "value": round(f.get(n, 0.0), 3), "meaning": m}
        for n, w, m in FACTORS
    ]


def advice(f: dict[str, float]) -> list[str]:
    """What would raise the score most: the factors with the most weight left to gain."""
    gains = sorted(((w * (1 - f[n]), n) for n, w, _ in FACTORS), reverse=True)
    return [n for gain, n in gains if gain >= 1][:3]


Source = tuple[str, str, str, list[tuple[str, str]]]


def _sources(now: dt.datetime) -> tuple[list[Source], dict[str, Any]]:
    """What every factor counts, as SQL: per source, its tables, the column naming the
    seller, the rows in its window, and the (Counts field, aggregate) pairs. The batch groups
    each source by seller; one seller's refresh reads every source in one statement. Both run
    these same expressions, so they cannot disagree. Date arithmetic is the database's own
    (Django has no portable "date plus a column of days"): an interval on PostgreSQL, Julian
    days on SQLite."""
    from anxin.aftersales.models import AfterSale
    from anxin.disputes.models import Dispute, Outcome
    from anxin.orders.models import Order
    from anxin.reputation.models import Adjustment, Review

    if connection.vendor == "postgresql":
        on_time = "o.shipped_at <= o.paid_at + o.shipping_days * interval '1 day'"
    else:
        on_time = "julianday(o.shipped_at) <= julianday(o.paid_at) + o.shipping_days"
    lost = ", ".join(f"'{o}'" for o in (Outcome.DEFAULT, Outcome.DECIDED, Outcome.APPEAL_DECIDED))

    def n(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    orders = Order._meta.db_table
    params = {
        "d90": now - dt.timedelta(days=90),
        "d365": now - dt.timedelta(days=365),
        "now": now,
    }
    return [
        (
            f"{orders} o",
            "o.seller_id",
            "o.paid_at >= %(d365)s",
            [
                ("orders_365", "COUNT(*)"),
                ("orders_90", n("o.paid_at >= %(d90)s")),
                ("shipped_90", n("o.paid_at >= %(d90)s AND o.shipped_at IS NOT NULL")),
                (
                    "shipped_on_time_90",
                    n(f"o.paid_at >= %(d90)s AND o.shipped_at IS NOT NULL AND {on_time}"),
                ),
            ],
        ),
        (
            f"{Dispute._meta.db_table} d",
            "d.seller_id",
            "d.created_at >= %(d365)s",
            [
                ("complaints_90", n("d.created_at >= %(d90)s")),
                ("lost_365", n(f"d.outcome IN ({lost}) AND d.remedy_fen > 0")),
                ("defaults_365", n(f"d.outcome = '{Outcome.DEFAULT}'")),
            ],
        ),
        (
            f"{AfterSale._meta.db_table} a",
            "a.seller_id",
            "a.requested_at >= %(d365)s",
            [
                ("after_sales_365", "COUNT(*)"),
                ("answered_365", n("a.responded_by = 'seller'")),
                ("refunds_365", n("a.refunded_at IS NOT NULL")),
                (
                    "refunds_on_time_365",
                    n(
                        "a.refunded_at IS NOT NULL AND (a.refund_due_at IS NULL "
                        "OR a.refunded_at <= a.refund_due_at)"
                    ),
                ),
            ],
        ),
        (
            f"{Review._meta.db_table} r",
            "r.seller_id",
            "r.hidden_at IS NULL",
            [
                ("reviews", "COUNT(*)"),
                ("stars_total", "SUM(r.as_described + r.shipping + r.service)"),
            ],
        ),
        (
            f"{Adjustment._meta.db_table} j",
            "j.seller_id",
            "j.until > %(now)s",
            [("adjusted", "SUM(j.points)")],
        ),
    ], params


def _identity_sql(now: dt.datetime) -> tuple[str, dict[str, Any]]:
    """Each seller's verification kind, status and date, and whether it holds an active
    licence (sellers.services.level's inputs)."""
    from anxin.sellers.models import Licence, LicenceStatus, Verification

    sql = (
        "SELECT v.seller_id, v.kind, v.status, v.verified_at, EXISTS (SELECT 1 FROM "  # noqa: S608
        f"{Licence._meta.db_table} l WHERE l.seller_id = v.seller_id "
        f"AND l.status = '{LicenceStatus.ACTIVE}' AND l.valid_until >= %(today)s) AS licensed "
        f"FROM {Verification._meta.db_table} v"
    )
    return sql, {"today": timezone.localtime(now).date()}


def _identity(c: Counts, kind: str | None, status: str | None, at: Any, licensed: Any) -> None:
    from anxin.sellers.models import Kind, Level, Status

    if kind is None:  # never verified
        return
    if status != Status.VERIFIED:
        c.level = int(Level.NONE)
    elif licensed:
        c.level = int(Level.LICENSED)
    else:
        c.level = int(Level.BUSINESS if kind == Kind.BUSINESS else Level.IDENTITY)
    c.tenure_days = max(0, (c.now - _aware(at)).days)


def _aware(at: Any) -> dt.datetime:
    if isinstance(at, str):  # SQLite hands raw timestamps back as text
        at = dt.datetime.fromisoformat(at)
    return at if timezone.is_aware(at) else timezone.make_aware(at, dt.UTC)


def counts(
    seller_ids: list[int] | None = None, *, now: dt.datetime | None = None
) -> dict[int, Counts]:
    """The counts behind every factor for these sellers (None: every seller with a
    verification or anything to score): one grouped query per source, whatever the number
    of sellers. For one seller, `counts_one` reads the same in one statement."""
    now = now or timezone.now()
    out: dict[int, Counts] = {}
    if seller_ids is not None and not seller_ids:
        return out
    ids = ", ".join(str(int(i)) for i in seller_ids) if seller_ids is not None else ""

    def get(seller_id: int) -> Counts:
        return out.setdefault(seller_id, Counts(now=now))

    sources, params = _sources(now)
    sql, extra = _identity_sql(now)
    with connection.cursor() as cur:
        cur.execute(sql + (f" WHERE v.seller_id IN ({ids})" if ids else ""), extra)
        for sid, kind, status, at, licensed in cur.fetchall():
            _identity(get(sid), kind, status, at, licensed)
        for tables, seller, window, aggs in sources:
            only = f" AND {seller} IN ({ids})" if ids else ""
            cur.execute(
                f"SELECT {seller}, {', '.join(e for _, e in aggs)} FROM {tables} "  # noqa: S608
                f"WHERE {window}{only} GROUP BY {seller}",
                params,
            )
            for sid, *values in cur.fetchall():
                c = get(sid)
                for (field, _), v in zip(aggs, values, strict=True):
                    setattr(c, field, int(v or 0))
    return out


def counts_one(seller_id: int, *, now: dt.datetime | None = None) -> Counts:
    """One seller's counts in one statement: the batch's expressions, each source filtered to
    the seller (an index on the seller column serves each)."""
    now = now or timezone.now()
    sources, params = _sources(now)
    sql, extra = _identity_sql(now)
    parts, fields = [], []
    for i, (tables, seller, window, aggs) in enumerate(sources):
        select = ", ".join(f"{e} AS c{i}_{k}" for k, (_, e) in enumerate(aggs))
        parts.append(
            f"CROSS JOIN (SELECT {select} FROM {tables} "  # noqa: S608
            f"WHERE {seller} = %(seller)s AND {window}) q{i}"
        )
        fields += [f for f, _ in aggs]
    statement = (
        "SELECT i.kind, i.status, i.verified_at, i.licensed, "  # noqa: S608
        f"{', '.join(f'q{i}.*' for i in range(len(sources)))} "
        f"FROM (SELECT 1 AS one) me LEFT JOIN ({sql} WHERE v.seller_id = %(seller)s) "
        f"i ON true {' '.join(parts)}"
    )
    c = Counts(now=now)
    with connection.cursor() as cur:
        cur.execute(statement, {**params, **extra, "seller": seller_id})
        kind, status, at, licensed, *values = cur.fetchone()
    _identity(c, kind, status, at, licensed)
    for field, v in zip(fields, values, strict=True):
        setattr(c, field, int(v or 0))
    return c


NEW = "N"  # the grade of a seller with too little history to grade


def scored(computed: int, adjusted: int, orders: int) -> tuple[int, str]:
    """The score after adjustments by hand (kept within 0 to 1,000) and its grade: none (N,
    "new seller") before ANXIN_CREDIT_MIN_ORDERS orders in the last year, as a seller with
    no record would otherwise score as well as one with a spotless record (and a throwaway
    shop would show an A)."""
    from django.conf import settings

    score = min(1000, max(0, computed + adjusted))
    if orders < settings.ANXIN_CREDIT_MIN_ORDERS:
        return score, NEW
    return score, next(g for g, floor in GRADES if score >= floor)


BATCH = 5000


def _score(seller_id: int, c: Counts) -> Any:
    from anxin.reputation.models import Score

    f = factors(c)
    computed, _ = score_of(f)
    score, grade = scored(computed, c.adjusted, c.orders_365)
    return Score(
        seller_id=seller_id,
        score=score,
        grade=grade,
        computed=computed,
        adjusted=c.adjusted,
        factors={k: round(v, 4) for k, v in f.items()},
        computed_at=c.now,
    )


def _store(scores: list[Any]) -> None:
    from anxin.reputation.models import Score

    for i in range(0, len(scores), BATCH):
        Score.objects.bulk_create(
            scores[i : i + BATCH],
            update_conflicts=True,
            unique_fields=["seller"],
            update_fields=["score", "grade", "computed", "adjusted", "factors", "computed_at"],
        )


def on_seller_record_changed(*, seller_id: int) -> None:
    """The verification level and closed cases are credit factors: a change rescores the
    seller."""
    refresh([seller_id])


def refresh(seller_ids: list[int] | None = None) -> int:
    """Recompute and store the scores of these sellers (None: every seller with a
    verification or anything to score). Returns how many were stored."""
    if seller_ids is not None and len(seller_ids) == 1:
        _store([_score(seller_ids[0], counts_one(seller_ids[0]))])
        return 1
    ends = _history_ends() if seller_ids is None else None
    rows = counts(seller_ids)
    with transaction.atomic():
        _store([_score(sid, c) for sid, c in rows.items()])
        if ends is not None:  # every event before the batch began is scored
            with connection.cursor() as cur:
                _advance(cur, *ends)
    return len(rows)


def _advance(cur: Any, order_event: int | None, dispute_event: int | None) -> None:
    """Move the cursor forward (never back) to these event ids (None: leave it)."""
    from anxin.reputation.models import Cursor

    cur.execute(
        f"UPDATE {Cursor._meta.db_table} SET "  # noqa: S608
        "order_event = CASE WHEN %s > order_event THEN %s ELSE order_event END, "
        "dispute_event = CASE WHEN %s > dispute_event THEN %s ELSE dispute_event END "
        "WHERE id = 1",
        [order_event, order_event, dispute_event, dispute_event],
    )
    if cur.rowcount == 0:  # the row the migration made is gone (a flushed database)
        Cursor.objects.get_or_create(
            pk=1, defaults={"order_event": order_event or 0, "dispute_event": dispute_event or 0}
        )


def _history_ends() -> tuple[int, int]:
    from django.db.models import Max

    from anxin.disputes.models import DisputeEvent
    from anxin.orders.models import OrderEvent

    return (
        OrderEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
        DisputeEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
    )


def refresh_changed(*, limit: int = 10_000) -> int:
    """Recompute the scores of the sellers whose orders or cases have had events since the
    last pass (shipments, completions, after-sales answers and refunds, complaints and their
    outcomes), reading at most `limit` events of each history. The pass starts by locking
    the cursor row, so passes never overlap, and commits without waiting for the disk (see
    below). Returns how many sellers were refreshed.

    An event whose transaction commits after a later-numbered one was read is caught by the
    seller's next event or by the batch (`anxin credit`), which recomputes everyone."""
    from anxin.disputes.models import Dispute, DisputeEvent
    from anxin.orders.models import Order, OrderEvent
    from anxin.reputation.models import Cursor

    postgres = connection.vendor == "postgresql"
    # On PostgreSQL, for this transaction only: scores are derived data and the cursor moves
    # with them, so a commit lost in a crash loses both and the next pass reads those events
    # again; the commit need not wait for the disk.
    position = (
        f"SELECT order_event, dispute_event FROM {Cursor._meta.db_table} "  # noqa: S608
        + (
            "WHERE id = 1 AND set_config('synchronous_commit', 'off', true) = 'off' FOR UPDATE"
            if postgres
            else "WHERE id = 1"
        )
    )
    # The positions are parameters, not a subquery, so the planner sees how few events lie
    # beyond them and walks the id index (not a parallel scan of the whole history).
    read = (
        f"SELECT * FROM (SELECT 0 AS h, e.id, o.seller_id FROM {OrderEvent._meta.db_table} e "  # noqa: S608
        f"JOIN {Order._meta.db_table} o ON o.id = e.order_id "
        "WHERE e.id > %s ORDER BY e.id LIMIT %s) oe UNION ALL "
        f"SELECT * FROM (SELECT 1 AS h, e.id, d.seller_id FROM {DisputeEvent._meta.db_table} e "
        f"JOIN {Dispute._meta.db_table} d ON d.id = e.dispute_id "
        "WHERE e.id > %s ORDER BY e.id LIMIT %s) de"
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(position)
        order_event, dispute_event = cur.fetchone() or (0, 0)
        cur.execute(read, [order_event, limit, dispute_event, limit])
        rows = cur.fetchall()
        if not rows:
            return 0
        ends: list[int | None] = [None, None]
        for history, pk, _ in rows:
            ends[history] = max(pk, ends[history] or 0)
        sellers = sorted({sid for _, _, sid in rows})
        refresh(sellers)
        _advance(cur, *ends)
    return len(sellers)


def explain(seller_id: int) -> dict[str, Any]:
    """Every factor with its weight, value and meaning, the score and grade, any adjustment by
    hand with its reason, and what would raise the score: for the seller's own page and for
    buyers at checkout."""
    from anxin.reputation.models import Adjustment

    now = timezone.now()
    c = counts_one(seller_id, now=now)
    f = factors(c)
    computed, _ = score_of(f)
    in_force = list(
        Adjustment.objects.filter(seller_id=seller_id, until__gt=now).order_by("at", "pk")
    )
    score, grade = scored(computed, sum(a.points for a in in_force), c.orders_365)
    return {
        "score": score,
        "grade": grade,
        "computed": computed,
        "adjustments": [
            {"points": a.points, "reason": a.reason, "at": a.at, "until": a.until} for a in in_force
        ],
        "factors": rows(f),
        "raise": advice(f),
        "thresholds": dict(GRADES),
        "orders_365": c.orders_365,
        "reviews": c.reviews,
        "review_average": round(c.stars_total / 3 / c.reviews, 2) if c.reviews else None,
    }


@transaction.atomic
def adjust(*, actor: Any, seller_id: int, points: int, reason: str, days: int) -> Any:
    """Change a seller's score by hand: the operator only, with a reason that is recorded,
    shown on the seller's page and committed to the seller's evidence chain, for a fixed term
    of at most ANXIN_CREDIT_ADJUST_MAX_DAYS."""
    from django.conf import settings

    from anxin.accounts.models import Role, User
    from anxin.core.errors import Forbidden, NotFound, ValidationFailed
    from anxin.core.text import clean_text, is_whole
    from anxin.evidence import services as evidence
    from anxin.reputation.models import Adjustment
    from anxin.sellers.record import seller_lock

    if actor.role != Role.OPERATOR:
        raise Forbidden("only the operator adjusts a credit score")
    seller = User.objects.filter(pk=seller_id, role=Role.SELLER).first()
    if seller is None or not seller_lock(seller_id):
        raise NotFound(msg("seller {seller_id}: no such seller", seller_id=seller_id))
    if not is_whole(points) or not points:
        raise ValidationFailed("points: a whole number other than 0", field="points")
    if not -1000 <= points <= 1000:
        raise ValidationFailed("points: between -1000 and 1000", field="points")
    longest = settings.ANXIN_CREDIT_ADJUST_MAX_DAYS
    if not is_whole(days) or not 1 <= days <= longest:
        raise ValidationFailed(
            msg("days: a term of 1 to {longest} days", longest=longest), field="days"
        )
    reason = clean_text(reason, "reason", 500, multiline=True)
    if len(reason) < 6:
        raise ValidationFailed("reason: say why, in at least 6 characters", field="reason")
    now = timezone.now()
    a = Adjustment.objects.create(
        seller=seller,
        points=points,
        reason=reason,
        by=actor,
        at=now,
        until=now + dt.timedelta(days=days),
    )
    evidence.append(
        chain=f"seller:{seller_id}",
        kind="credit.adjusted",
        body={
            "seller": seller_id,
            "adjustment": a.pk,
            "points": points,
            "reason": reason,
            "by": actor.pk,
            "until": evidence.iso(a.until),
        },
    )
    refresh([seller_id])
    return a
