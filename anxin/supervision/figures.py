"""Public figures: every case at Anxin's dispute desk and every complaint to a regulator,
published as a record without personal information (PublicCase), and counters over those
records (FigureCell per month, category, province and source; SellerFigure per Anxin seller;
FigureDays for the medians), kept up to date in the transaction of each event that changes a
case, so that the public pages read a few hundred rows and never count the cases per request.

How they stay current. A case's record is recomputed from the case itself whenever the case
changes (`cases_changed`, `complaints_changed`): the old record's part in every counter is
taken off and the new one's added, by an upsert of the differences. The dispute desk sits
below this app, so it calls the hook point CASES_CHANGED (core.hooks) where a case moves to a
step (filed, answered, mediated, decided, paid, closed: every move goes through its writer)
and where staff admit a sale made elsewhere; its deadline batch calls it once, at its end, for
all the cases it moved. Why a hook and not a cursor over the case events (as the credit
score's refresher does): the figures are published as records anyone may recompute, and a
record that lagged its case by a pass would disagree with the case's own page; a hook runs in
the case's own transaction, so a case and its record never disagree. `rebuild` recomputes
everything from the cases (`anxin figures rebuild`), and equals the incremental result.

What is published: the case's number, its source, the month it was filed (Beijing time), its
category, the region (the seller's shown address, else the platform's, or the region a
complainant named), its status and outcome, whether it went to mediation, days to the
seller's first answer (the regulator's decision, for a complaint), days to resolve, and what
the guarantee fund advanced. The seller only when it is a seller on Anxin and the case was
admitted (Anxin holds the order, staff admitted the sale, or the regulator accepted the
complaint): an unverified complaint names nobody and counts only in the aggregates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from anxin.law.days import BEIJING
from anxin.supervision.models import (
    CaseSource,
    FigureCell,
    FigureDays,
    PublicCase,
    PublicStatus,
    SellerFigure,
)
from anxin.supervision.models_association import Mediation

# Desk outcomes that resolve a case (an agreement or a decision, or the buyer refunded in full);
# the others close it without one (withdrawn, lapsed, not admitted).
RESOLVED = frozenset({"settled", "default", "decided", "appeal_decided", "refunded"})
COUNTERS = [
    "filed",
    "open",
    "accepted",
    "resolved",
    "unresolved",
    "mediated",
    "mediated_settled",
    "advance_n",
    "advance_fen",
    "resolve_n",
    "resolve_days",
    "response_n",
    "response_days",
]
RECORD_FIELDS = [
    "number",
    "source",
    "seller_id",
    "shop_name",
    "category",
    "region",
    "province",
    "month",
    "status",
    "outcome",
    "mediated",
    "response_days",
    "days_to_resolve",
    "advance_fen",
]
CELL_KEY = ["month", "category", "province", "source"]


@dataclass(frozen=True)
class Record:
    number: str
    source: str
    seller_id: int | None
    shop_name: str
    category: str
    region: str
    province: str
    month: str
    status: str
    outcome: str
    mediated: bool
    response_days: int | None
    days_to_resolve: int | None
    advance_fen: int


def _day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, BEIJING).date()


def _days(start: dt.datetime, end: dt.datetime | None) -> int | None:
    return None if end is None else max(0, (_day(end) - _day(start)).days)


def province_of(region: str) -> str:
    return region[:2] + "0000" if len(region) == 6 else ""


# --- the records, from the cases ----------------------------------------------------------------


def _shops(seller_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    from anxin.accounts.models import SellerProfile

    return {
        uid: (shop, region)
        for uid, shop, region in SellerProfile.objects.filter(
            user_id__in=set(seller_ids)
        ).values_list("user_id", "shop_name", "address_region")
    }


def desk_records(dispute_ids: list[int] | None = None, chunk: int = 5000) -> Iterator[Record]:
    """The desk's cases as records: these, or all of them (in chunks, by id)."""
    from anxin.disputes.models import Dispute, DisputeEvent

    fields = [
        "pk",
        "number",
        "seller_id",
        "admitted_at",
        "category",
        "created_at",
        "closed_at",
        "outcome",
        "mediator_id",
        "paid_from",
    ]
    after = 0
    while True:
        qs = Dispute.objects.order_by("pk").filter(pk__gt=after)
        if dispute_ids is not None:
            qs = qs.filter(pk__in=dispute_ids)
        rows = list(qs.values(*fields)[:chunk])
        if not rows:
            return
        after = rows[-1]["pk"]
        answered = dict(
            DisputeEvent.objects.filter(
                dispute_id__in=[r["pk"] for r in rows], kind="answered", actor_role="seller"
            )
            .values("dispute_id")
            .annotate(at=Min("at"))
            .values_list("dispute_id", "at")
        )
        shops = _shops(r["seller_id"] for r in rows)
        for r in rows:
            shop, shown = shops.get(r["seller_id"], ("", ""))
            region = shown or settings.ANXIN_PLATFORM_REGION or ""
            named = r["admitted_at"] is not None
            closed = r["closed_at"] is not None
            outcome = r["outcome"] if closed else ""
            yield Record(
                number=r["number"],
                source=CaseSource.DESK,
                seller_id=r["seller_id"] if named else None,
                shop_name=shop if named else "",
                category=r["category"],
                region=region,
                province=province_of(region),
                month=_day(r["created_at"]).strftime("%Y-%m"),
                status=(
                    PublicStatus.OPEN
                    if not closed
                    else PublicStatus.RESOLVED
                    if outcome in RESOLVED
                    else PublicStatus.UNRESOLVED
                ),
                outcome=outcome,
                mediated=r["mediator_id"] is not None,
                response_days=_days(r["created_at"], answered.get(r["pk"])),
                days_to_resolve=_days(r["created_at"], r["closed_at"]) if closed else None,
                advance_fen=int((r["paid_from"] or {}).get("fund", 0) or 0),
            )
        if dispute_ids is not None and len(rows) < chunk:
            return


def complaint_status(status: str) -> str:
    """A complaint's public status: waiting for the regulator is open; accepted is being
    handled; refused or withdrawn closed without a resolution; resolved (by the regulator's
    mediation, where recorded) resolved."""
    return {
        "received": PublicStatus.OPEN,
        "admitted": PublicStatus.ACCEPTED,
        "refused": PublicStatus.UNRESOLVED,
        "withdrawn": PublicStatus.UNRESOLVED,
    }.get(status, PublicStatus.RESOLVED)


def complaint_records(
    complaint_ids: list[int] | None = None, chunk: int = 5000
) -> Iterator[Record]:
    from anxin.supervision.models import Complaint

    fields = [
        "pk",
        "number",
        "seller_id",
        "seller_name",
        "region",
        "received_at",
        "status",
        "decided_at",
        "decided_by_id",
    ]
    after = 0
    while True:
        qs = Complaint.objects.order_by("pk").filter(pk__gt=after)
        if complaint_ids is not None:
            qs = qs.filter(pk__in=complaint_ids)
        rows = list(qs.values(*fields)[:chunk])
        if not rows:
            return
        after = rows[-1]["pk"]
        # The consumer association's last mediation of each complaint, if any: an agreement
        # resolves the complaint ("settled"), a failure leaves an accepted one unresolved.
        last: dict[int, dict[str, Any]] = {}
        for complaint_id, m_status, m_ended in (
            Mediation.objects.filter(complaint_id__in=[r["pk"] for r in rows])
            .order_by("started_at", "pk")
            .values_list("complaint_id", "status", "ended_at")
        ):
            last[complaint_id] = {"status": m_status, "ended_at": m_ended}
        for r in rows:
            status = complaint_status(r["status"])
            outcome, resolved_at = r["status"], r["decided_at"]
            m = last.get(r["pk"])
            if m is not None and m["status"] == "agreed":
                status, outcome, resolved_at = PublicStatus.RESOLVED, "settled", m["ended_at"]
            elif m is not None and m["status"] == "failed" and status == PublicStatus.ACCEPTED:
                status, resolved_at = PublicStatus.UNRESOLVED, m["ended_at"]
            # Named only once the regulator has accepted it.
            named = r["seller_id"] is not None and (
                r["status"] == "admitted" or status == PublicStatus.ACCEPTED
            )
            ended = status in (PublicStatus.RESOLVED, PublicStatus.UNRESOLVED)
            yield Record(
                number=r["number"],
                source=CaseSource.REGULATOR,
                seller_id=r["seller_id"] if named else None,
                shop_name=r["seller_name"] if named else "",
                category="",
                region=r["region"],
                province=province_of(r["region"]),
                month=_day(r["received_at"]).strftime("%Y-%m"),
                status=status,
                outcome=outcome,
                mediated=m is not None,
                response_days=(
                    _days(r["received_at"], r["decided_at"]) if r["decided_by_id"] else None
                ),
                days_to_resolve=_days(r["received_at"], resolved_at) if ended else None,
                advance_fen=0,
            )
        if complaint_ids is not None and len(rows) < chunk:
            return


# --- what a record adds to the counters -------------------------------------------------------


Part = tuple[tuple[Any, ...], tuple[Any, ...] | None, dict[str, int], list[tuple[str, str, int]]]


def part_of(r: Record) -> Part:
    """The record's cell key, its seller key (or None), what it adds to their counters, and
    its entries in the day histograms. Anyone holding the records computes the same."""
    closed = r.status in (PublicStatus.RESOLVED, PublicStatus.UNRESOLVED)
    resolved = r.status == PublicStatus.RESOLVED
    mediated = r.mediated and closed
    counts = {
        "filed": 1,
        "open": int(r.status == PublicStatus.OPEN),
        "accepted": int(r.status == PublicStatus.ACCEPTED),
        "resolved": int(resolved),
        "unresolved": int(r.status == PublicStatus.UNRESOLVED),
        "mediated": int(mediated),
        "mediated_settled": int(mediated and r.outcome == "settled"),
        "advance_n": int(r.advance_fen > 0),
        "advance_fen": r.advance_fen,
        "resolve_n": int(resolved and r.days_to_resolve is not None),
        "resolve_days": (r.days_to_resolve or 0) if resolved else 0,
        "response_n": int(r.response_days is not None),
        "response_days": r.response_days or 0,
    }
    days: list[tuple[str, str, int]] = []
    scope = f"{r.source}:{r.month}"
    if resolved and r.days_to_resolve is not None:
        days.append((scope, "resolve", r.days_to_resolve))
        if r.seller_id is not None:
            days.append((f"seller:{r.seller_id}", "resolve", r.days_to_resolve))
    if r.response_days is not None:
        days.append((scope, "response", r.response_days))
    seller = (r.seller_id, r.source) if r.seller_id is not None else None
    return (r.month, r.category, r.province, r.source), seller, counts, days


@dataclass
class Deltas:
    cells: dict[tuple[Any, ...], dict[str, int]]
    sellers: dict[tuple[Any, ...], dict[str, int]]
    days: dict[tuple[str, str, int], int]

    @classmethod
    def empty(cls) -> Deltas:
        return cls(
            defaultdict(lambda: dict.fromkeys(COUNTERS, 0)),
            defaultdict(lambda: dict.fromkeys(COUNTERS, 0)),
            defaultdict(int),
        )

    def add(self, r: Record, sign: int = 1) -> None:
        cell, seller, counts, days = part_of(r)
        for k, v in counts.items():
            self.cells[cell][k] += sign * v
            if seller is not None:
                self.sellers[seller][k] += sign * v
        for d in days:
            self.days[d] += sign


def _upsert(table: str, key: list[str], cols: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Add `rows` (key values, then the columns' increments) to the table's rows of those keys,
    creating them: one statement (PostgreSQL and SQLite say it the same way)."""
    if not rows:
        return
    names = key + cols
    each = "(" + ", ".join(["%s"] * len(names)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES "  # noqa: S608
        + ", ".join([each] * len(rows))
        + f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in cols)
    )
    with connection.cursor() as cur:
        cur.execute(sql, [v for row in rows for v in row])


def _apply(deltas: Deltas) -> None:
    def changed(d: dict[str, int]) -> bool:
        return any(d.values())

    for model, key, found in (
        (FigureCell, CELL_KEY, deltas.cells),
        (SellerFigure, ["seller_id", "source"], deltas.sellers),
    ):
        rows = [(*k, *(v[c] for c in COUNTERS)) for k, v in sorted(found.items()) if changed(v)]
        for i in range(0, len(rows), 500):
            _upsert(model._meta.db_table, key, COUNTERS, rows[i : i + 500])
    days = [(*k, n) for k, n in sorted(deltas.days.items()) if n]
    for i in range(0, len(days), 500):
        _upsert(FigureDays._meta.db_table, ["scope", "kind", "days"], ["n"], days[i : i + 500])


def _record_of(row: dict[str, Any]) -> Record:
    return Record(**{f: row[f] for f in RECORD_FIELDS})


def publish(records: list[Record]) -> None:
    """These records replace the published ones of the same cases, and every counter moves by
    the difference. Runs in the caller's transaction (the case's own)."""
    if not records:
        return
    numbers = [r.number for r in records]
    old = {
        row["number"]: _record_of(row)
        for row in PublicCase.objects.filter(number__in=numbers).values(*RECORD_FIELDS)
    }
    deltas = Deltas.empty()
    fresh: list[Record] = []
    for r in records:
        before = old.get(r.number)
        if before == r:
            continue
        if before is not None:
            deltas.add(before, -1)
        deltas.add(r)
        fresh.append(r)
    if not fresh:
        return
    with transaction.atomic():
        for r in fresh:
            if r.number in old:
                PublicCase.objects.filter(number=r.number).update(**asdict(r))
        PublicCase.objects.bulk_create(
            [PublicCase(**asdict(r)) for r in fresh if r.number not in old]
        )
        _apply(deltas)


def cases_changed(*, dispute_ids: list[int]) -> None:
    """Hook CASES_CHANGED: these desk cases changed, in this transaction."""
    publish(list(desk_records(sorted(set(dispute_ids)))))


def complaints_changed(complaint_ids: list[int]) -> None:
    publish(list(complaint_records(sorted(set(complaint_ids)))))


def seller_shown_changed(*, seller_id: int, chunk: int = 2000) -> None:
    """A seller's shown address region or shop name changed (hook SELLER_SHOWN_CHANGED, in the
    transaction of the change): its cases' records are republished, so that they count under
    its new region and name at once, as a rebuild would. Its desk cases take both from the
    seller's profile. A complaint about it is republished too unless its region is one the
    complainant named, though its record reads the region it was routed to when filed (the
    regulator there handles it) and the shop name then, both stored on the complaint, so
    that it keeps them: what a rebuild says too."""
    from anxin.disputes.models import Dispute
    from anxin.supervision.models import Complaint, RegionBasis

    ids = list(
        Dispute.objects.filter(seller_id=seller_id).order_by("pk").values_list("pk", flat=True)
    )
    for i in range(0, len(ids), chunk):
        cases_changed(dispute_ids=ids[i : i + chunk])
    ids = list(
        Complaint.objects.filter(seller_id=seller_id)
        .exclude(region_basis=RegionBasis.COMPLAINANT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for i in range(0, len(ids), chunk):
        complaints_changed(ids[i : i + chunk])


# --- everything again, from the cases ---------------------------------------------------------


def rebuild(*, chunk: int = 5000) -> dict[str, int]:
    """Every record and counter recomputed from the cases, in one transaction: what the
    incremental updates keep, and what `anxin figures rebuild` restores after a change of the
    rules or a repair. Returns how many records, cells and sellers."""
    deltas = Deltas.empty()
    n = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Cases go on changing meanwhile: each case's publish writes its record before its
            # counters, so holding the records' table makes it wait for the rebuild (and the
            # rebuild for it), while the pages go on reading the tables as they were.
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {PublicCase._meta.db_table} IN EXCLUSIVE MODE")
        for model in (PublicCase, FigureCell, SellerFigure, FigureDays):
            model.objects.all().delete()
        batch: list[PublicCase] = []
        for source in (desk_records(chunk=chunk), complaint_records(chunk=chunk)):
            for r in source:
                deltas.add(r)
                batch.append(PublicCase(**asdict(r)))
                n += 1
                if len(batch) >= chunk:
                    PublicCase.objects.bulk_create(batch)
                    batch = []
        PublicCase.objects.bulk_create(batch)
        FigureCell.objects.bulk_create(
            [
                FigureCell(**dict(zip(CELL_KEY, k, strict=True)), **v)
                for k, v in deltas.cells.items()
            ],
            batch_size=chunk,
        )
        SellerFigure.objects.bulk_create(
            [SellerFigure(seller_id=k[0], source=k[1], **v) for k, v in deltas.sellers.items()],
            batch_size=chunk,
        )
        FigureDays.objects.bulk_create(
            [FigureDays(scope=s, kind=k, days=d, n=v) for (s, k, d), v in deltas.days.items()],
            batch_size=chunk,
        )
    return {"records": n, "cells": len(deltas.cells), "sellers": len(deltas.sellers)}


def snapshot() -> dict[str, Any]:
    """Every counter that is not zero, and every record: what a test compares after an
    incremental history and after a rebuild."""
    return {
        "cells": {
            tuple(r[k] for k in CELL_KEY): tuple(r[c] for c in COUNTERS)
            for r in FigureCell.objects.values(*CELL_KEY, *COUNTERS)
            if any(r[c] for c in COUNTERS)
        },
        "sellers": {
            (r["seller_id"], r["source"]): tuple(r[c] for c in COUNTERS)
            for r in SellerFigure.objects.values("seller_id", "source", *COUNTERS)
            if any(r[c] for c in COUNTERS)
        },
        "days": {
            (r["scope"], r["kind"], r["days"]): r["n"]
            for r in FigureDays.objects.values()
            if r["n"]
        },
        "records": {r["number"]: _record_of(r) for r in PublicCase.objects.values(*RECORD_FIELDS)},
    }


# --- reading them -----------------------------------------------------------------------------


def median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}, None when there are none."""
    total = sum(histogram.values())
    if total == 0:
        return None
    seen = 0
    ordered = sorted((d, n) for d, n in histogram.items() if n)
    lower = upper = None
    for d, n in ordered:
        seen += n
        if lower is None and seen >= (total + 1) // 2:
            lower = d
        if seen >= total // 2 + 1:
            upper = d
            break
    assert lower is not None
    assert upper is not None
    return lower if total % 2 else (lower + upper) / 2


def _sum(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(COUNTERS, 0)
    for r in rows:
        for c in COUNTERS:
            total[c] += r[c]
    return total


def rates(t: dict[str, int]) -> dict[str, Any]:
    """The shares the pages show, from counters: resolved of the closed cases, settled of the
    cases closed after mediation (None where nothing to divide)."""
    closed = t["resolved"] + t["unresolved"]
    return {
        **t,
        "closed": closed,
        "resolution_rate": round(100 * t["resolved"] / closed) if closed else None,
        "mediation_rate": (
            round(100 * t["mediated_settled"] / t["mediated"]) if t["mediated"] else None
        ),
    }


def histogram(scopes: Iterable[str], kind: str) -> dict[int, int]:
    """The day histogram of these scopes, added up."""
    out: dict[int, int] = defaultdict(int)
    for days, n in FigureDays.objects.filter(
        scope__in=list(scopes), kind=kind, n__gt=0
    ).values_list("days", "n"):
        out[days] += n
    return dict(out)


def site_scopes() -> list[str]:
    """The histograms' scopes of the site's figures ("desk:2026-05"...): each source's months
    that have a record, read from the cells, so that the histograms are read by their key
    (never by scanning past every seller's)."""
    pairs = FigureCell.objects.filter(filed__gt=0).values_list("source", "month").distinct()
    return sorted({f"{source}:{month}" for source, month in pairs})


def statistics() -> dict[str, Any]:
    """Everything the statistics page shows, from the counters only: totals by source, and by
    category, province and month, with the medians from the day histograms."""
    cells = list(FigureCell.objects.filter(filed__gt=0).values(*CELL_KEY, *COUNTERS))
    by: dict[str, dict[str, list[dict[str, Any]]]] = {
        k: defaultdict(list) for k in ("source", "category", "province", "month")
    }
    for c in cells:
        for k in by:
            by[k][c[k]].append(c)
    scopes = sorted({f"{c['source']}:{c['month']}" for c in cells})
    hist: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for scope, kind, days, n in FigureDays.objects.filter(scope__in=scopes, n__gt=0).values_list(
        "scope", "kind", "days", "n"
    ):
        hist[(scope.split(":", 1)[0], kind)][days] += n
    sources = {}
    for source in CaseSource.values:
        t = rates(_sum(by["source"].get(source, [])))
        t["median_resolve"] = median(hist[(source, "resolve")])
        t["median_response"] = median(hist[(source, "response")])
        t["response_histogram"] = dict(hist[(source, "response")])
        sources[source] = t
    return {
        "sources": sources,
        "total": rates(_sum(cells)),
        "category": {k: rates(_sum(v)) for k, v in by["category"].items()},
        "province": {k: rates(_sum(v)) for k, v in by["province"].items()},
        "month": {k: rates(_sum(v)) for k, v in sorted(by["month"].items())},
    }


def seller_figures(seller_id: int) -> dict[str, Any]:
    """One Anxin seller's figures: by source, with the median days to resolve its cases."""
    rows = {
        r["source"]: r
        for r in SellerFigure.objects.filter(seller_id=seller_id).values("source", *COUNTERS)
    }
    out: dict[str, Any] = {
        source: rates(_sum([rows[source]] if source in rows else []))
        for source in CaseSource.values
    }
    out["median_resolve"] = median(histogram([f"seller:{seller_id}"], "resolve"))
    return out


def reply_digest(text: str) -> str:
    """The SHA-256 of a reply's text (UTF-8), hex: what its evidence record holds."""
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def reply_set(*, actor: Any, text: str) -> None:
    """The seller's public reply beside its figures: replaced, or taken down when empty. Each
    reply and each taking down is recorded on the seller's evidence chain with the text's
    SHA-256, so the reply's history can be proved (who said what, when, and when it stopped
    being shown) without the log holding its words."""
    from anxin.accounts.models import Role
    from anxin.core.errors import Forbidden
    from anxin.core.text import clean_text
    from anxin.evidence import services as evidence
    from anxin.sellers.record import seller_lock
    from anxin.supervision.models import SellerReply

    if actor.role != Role.SELLER:
        raise Forbidden("only a seller replies to its own figures", code="not_a_seller")
    text = clean_text(text, "text", 500, required=False, multiline=True)
    seller_lock(actor.pk)  # orders the seller's evidence chain
    if not text:
        gone = SellerReply.objects.filter(seller=actor).first()
        if gone is None:
            return
        gone.delete()
        evidence.append(
            chain=f"seller:{actor.pk}",
            kind="figures.reply_removed",
            body={"seller": actor.pk, "sha256": reply_digest(gone.text)},
        )
        return
    now = timezone.now()
    SellerReply.objects.update_or_create(seller=actor, defaults={"text": text, "updated_at": now})
    evidence.append(
        chain=f"seller:{actor.pk}",
        kind="figures.reply_set",
        body={"seller": actor.pk, "sha256": reply_digest(text)},
        at=now,
    )
