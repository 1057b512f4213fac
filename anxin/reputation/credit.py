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

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

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
    stars_sum: float = 0.0
    level: int = 0
    tenure_days: int = 0


def factors(c: Counts) -> dict[str, float]:
    def share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    stars = (PRIOR_STARS * PRIOR_WEIGHT + c.stars_sum) / (PRIOR_WEIGHT + c.reviews)
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


def advice(f: dict[str, float]) -> list[str]:
    """What would raise the score most: the factors with the most weight left to gain."""
    gains = sorted(((w * (1 - f[n]), n) for n, w, _ in FACTORS), reverse=True)
    return [n for gain, n in gains if gain >= 1][:3]


def counts(
    seller_ids: list[int] | None = None, *, now: dt.datetime | None = None
) -> dict[int, Counts]:
    """The counts behind every factor, for these sellers (None: all verified sellers)."""
    from anxin.aftersales.models import AfterSale
    from anxin.disputes.models import Dispute, Outcome
    from anxin.orders.models import Order
    from anxin.reputation.models import Review
    from anxin.sellers.models import Verification

    now = now or timezone.now()
    d90, d365 = now - dt.timedelta(days=90), now - dt.timedelta(days=365)
    only = {"seller_id__in": seller_ids} if seller_ids is not None else {}
    out: dict[int, Counts] = {}

    def get(seller_id: int) -> Counts:
        return out.setdefault(seller_id, Counts())

    verifications = Verification.objects.filter(**only).values_list("seller_id", "verified_at")
    for sid, verified in verifications:
        get(sid).tenure_days = max(0, (now - verified).days)
    for row in (
        Order.objects.filter(paid_at__gte=d365, **only)
        .values("seller_id")
        .annotate(
            o365=Count("pk"),
            o90=Count("pk", filter=Q(paid_at__gte=d90)),
            s90=Count("pk", filter=Q(paid_at__gte=d90, shipped_at__isnull=False)),
        )
    ):
        c = get(row["seller_id"])
        c.orders_365, c.orders_90, c.shipped_90 = row["o365"], row["o90"], row["s90"]
    for sid, on_time in _shipped_on_time(d90, seller_ids):
        get(sid).shipped_on_time_90 = on_time
    lost = Q(
        outcome__in=[Outcome.DEFAULT, Outcome.DECIDED, Outcome.APPEAL_DECIDED], remedy_fen__gt=0
    )
    for row in (
        Dispute.objects.filter(created_at__gte=d365, **only)
        .values("seller_id")
        .annotate(
            c90=Count("pk", filter=Q(created_at__gte=d90)),
            lost=Count("pk", filter=lost),
            defaults=Count("pk", filter=Q(outcome=Outcome.DEFAULT)),
        )
    ):
        c = get(row["seller_id"])
        c.complaints_90, c.lost_365, c.defaults_365 = row["c90"], row["lost"], row["defaults"]
    for row in (
        AfterSale.objects.filter(requested_at__gte=d365, **_via_order(only))
        .values("order__seller_id")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=Q(responded_by="seller")),
            refunds=Count("pk", filter=Q(refunded_at__isnull=False)),
            on_time=Count(
                "pk", filter=Q(refunded_at__isnull=False, refunded_at__lte=F("refund_due_at"))
            )
            + Count("pk", filter=Q(refunded_at__isnull=False, refund_due_at__isnull=True)),
        )
    ):
        c = get(row["order__seller_id"])
        c.after_sales_365, c.answered_365 = row["n"], row["answered"]
        c.refunds_365, c.refunds_on_time_365 = row["refunds"], row["on_time"]
    for row in (
        Review.objects.filter(hidden_at__isnull=True, **only)
        .values("seller_id")
        .annotate(
            n=Count("pk"),
            stars=Sum(F("as_described") + F("shipping") + F("service")),
        )
    ):
        c = get(row["seller_id"])
        c.reviews, c.stars_sum = row["n"], (row["stars"] or 0) / 3
    for sid, level in levels(list(out), now=now).items():
        out[sid].level = level
    return out


def levels(seller_ids: list[int], *, now: dt.datetime) -> dict[int, int]:
    """The verification level of many sellers in two queries (sellers.services.level's rule:
    none unless verified and current; licensed with an active licence; else business or
    real name)."""
    from anxin.sellers.models import Kind, Level, Licence, LicenceStatus, Status, Verification

    if not seller_ids:
        return {}
    licensed = set(
        Licence.objects.filter(
            seller_id__in=seller_ids,
            status=LicenceStatus.ACTIVE,
            valid_until__gte=timezone.localtime(now).date(),
        ).values_list("seller_id", flat=True)
    )
    out = dict.fromkeys(seller_ids, int(Level.NONE))
    for sid, kind, status in Verification.objects.filter(seller_id__in=seller_ids).values_list(
        "seller_id", "kind", "status"
    ):
        if status != Status.VERIFIED:
            continue
        if sid in licensed:
            out[sid] = int(Level.LICENSED)
        else:
            out[sid] = int(Level.BUSINESS if kind == Kind.BUSINESS else Level.IDENTITY)
    return out


def _shipped_on_time(since: dt.datetime, seller_ids: list[int] | None) -> list[tuple[int, int]]:
    """Orders paid since `since` and shipped within the days the listing promised, by seller.
    Date arithmetic is the database's own (Django has no portable "date plus a column of
    days"): an interval on PostgreSQL, Julian days on SQLite."""
    from anxin.catalog.models import ListingSnapshot
    from anxin.orders.models import Order

    if connection.vendor == "postgresql":
        on_time = "o.shipped_at <= o.paid_at + s.shipping_days * interval '1 day'"
    else:
        on_time = "julianday(o.shipped_at) <= julianday(o.paid_at) + s.shipping_days"
    sql = (
        f"SELECT o.seller_id, SUM(CASE WHEN {on_time} THEN 1 ELSE 0 END) "  # noqa: S608
        f"FROM {Order._meta.db_table} o JOIN {ListingSnapshot._meta.db_table} s "
        "ON s.id = o.snapshot_id WHERE o.paid_at >= %s AND o.shipped_at IS NOT NULL"
    )
    params: list[Any] = [since]
    if seller_ids is not None:
        if not seller_ids:
            return []
        sql += f" AND o.seller_id IN ({', '.join(['%s'] * len(seller_ids))})"
        params += seller_ids
    with connection.cursor() as cur:
        cur.execute(sql + " GROUP BY o.seller_id", params)
        return [(sid, int(n or 0)) for sid, n in cur.fetchall()]


def _via_order(only: dict[str, Any]) -> dict[str, Any]:
    return {"order__seller_id__in": only["seller_id__in"]} if only else {}


def refresh(seller_ids: list[int] | None = None) -> int:
    """Recompute and store the scores of these sellers (None: every seller with anything
    to score). Returns how many were stored."""
    from anxin.reputation.models import Score

    now = timezone.now()
    rows = counts(seller_ids, now=now)
    with transaction.atomic():
        for sid, c in rows.items():
            f = factors(c)
            score, grade = score_of(f)
            Score.objects.update_or_create(
                seller_id=sid,
                defaults={
                    "score": score,
                    "grade": grade,
                    "factors": {k: round(v, 4) for k, v in f.items()},
                    "computed_at": now,
                },
            )
    return len(rows)


def explain(seller_id: int) -> dict[str, Any]:
    """Every factor with its weight, value and meaning, the score and grade, and what would
    raise it: for the seller's own page and for buyers at checkout."""
    c = counts([seller_id]).get(seller_id, Counts())
    f = factors(c)
    score, grade = score_of(f)
    return {
        "score": score,
        "grade": grade,
        "factors": [
            {"name": n, "weight": w, "value": round(f[n], 3), "meaning": m} for n, w, m in FACTORS
        ],
        "raise": advice(f),
        "thresholds": dict(GRADES),
        "reviews": c.reviews,
        "review_average": round(c.stars_sum / c.reviews, 2) if c.reviews else None,
    }
