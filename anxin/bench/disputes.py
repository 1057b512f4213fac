"""`anxin bench disputes`: generated cases through every stage of the desk on PostgreSQL.

Complaints are filed on shipped orders; a quarter are settled by the seller at once, the rest
are left to the desk's defaults, so they travel every stage: a silent seller loses by default
where the law gives a figure (goods not delivered, counterfeits), otherwise (a lottery prize,
"other") the case goes to mediation, an idle mediator sends it
to adjudication, the evidence window closes, an idle adjudicator's case is decided by the law
engine's proposal, half of those decisions are appealed (a panel drawn, some votes cast, the
rest decided at the panel's deadline), and the remedies are paid. Time passes by moving
each open case's stored deadline to the past (what the clock does), and the due deadlines are
processed by worker processes, as `db_worker` or `anxin deadlines` would.

Prints cases per second (filing to paid remedy), deadline events per second, and the number
of queries the case page makes for a case with 5 and with 100 pieces of evidence. The
reference, measured in the same run on the same server, is the checkout bench's service
layer with as many clients as there are workers: a deadline event (one case's step fired
under its lock) should cost no more than a third of a checkout service transaction.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import time
import uuid
from typing import Any

TARGET_RATIO = 3.0
CATEGORIES = ("counterfeit", "not_delivered", "lottery", "other")


def _worker(jobs: Any, results: Any) -> None:
    """A worker: takes (what, case ids) per round, fires those cases' deadlines in batches
    (as the safety net does) or pays their decided remedies one by one (as the payment tasks
    do), and reports (how many, when it finished)."""
    import django

    django.setup()
    from anxin.disputes import deadlines as dispute_deadlines

    results.put(("ready", 0.0))
    while True:
        job = jobs.get()
        if job is None:
            return
        what, ids = job
        done = 0
        if what == "deadlines":
            for i in range(0, len(ids), dispute_deadlines.BATCH):
                done += dispute_deadlines.dispute_deadlines_batch(
                    ids[i : i + dispute_deadlines.BATCH]
                )
        else:
            for pk in ids:
                done += dispute_deadlines.dispute_pay(dispute_id=pk) == "paid"
        results.put((done, time.monotonic()))


class Workers:
    """Worker processes started once (as `db_worker`s are), given each round's due cases."""

    def __init__(self, n: int) -> None:
        from django.db import connection

        connection.close()
        ctx = mp.get_context("spawn")
        self.jobs = [ctx.Queue() for _ in range(n)]
        self.results = ctx.Queue()
        self.procs = [ctx.Process(target=_worker, args=(q, self.results)) for q in self.jobs]
        for p in self.procs:
            p.start()
        for _ in self.procs:
            self.results.get(timeout=120)

    def round(self, what: str, ids: list[int]) -> tuple[int, float]:
        """Deadlines or payments of these cases, shared out: (how many, seconds)."""
        began = time.monotonic()
        n = len(self.jobs)
        for i, q in enumerate(self.jobs):
            # Contiguous shares: each worker's batch locks its own cases.
            q.put((what, ids[i * len(ids) // n : (i + 1) * len(ids) // n]))
        fired, finished = 0, began
        for _ in self.jobs:
            n, at = self.results.get(timeout=600)
            fired, finished = fired + n, max(finished, at)
        return fired, finished - began

    def close(self) -> None:
        for q in self.jobs:
            q.put(None)
        for p in self.procs:
            p.join(timeout=60)


def _shipped_orders(n: int, tag: str, log) -> list[Any]:
    from django.conf import settings

    from anxin.accounts.models import Role, User
    from anxin.accounts.services import user_signup
    from anxin.bench import synthetic
    from anxin.catalog.services import ListingContent, listing_create
    from anxin.payments.providers.sandbox import SandboxProvider

    provider = SandboxProvider()
    sellers, listings, buyers = [], [], []
    for i in range(max(1, n // 50)):
        s = user_signup(
            username=f"bs{i}-{tag}", password=uuid.uuid4().hex, role=Role.SELLER, shop_name="压测店"
        )
        synthetic.verify(s)
        sellers.append(s)
        listings.append(
            listing_create(
                actor=s,
                stock=n + 1,
                content=ListingContent(
                    title="压测商品", description="", price_fen=12_800, shipping_days=1
                ),
            )
        )
    # Enough buyers that none files more complaints than a day allows (the desk's rate limit).
    for i in range(max(1, n // 10, -(-n // settings.ANXIN_DISPUTE_MAX_PER_DAY))):
        b = User(username=f"bb{i}-{tag}", role=Role.BUYER)
        b.set_unusable_password()
        b.save()
        buyers.append(b)
    out = []
    for i in range(n):
        listing, buyer = listings[i % len(listings)], buyers[i % len(buyers)]
        o = synthetic.checkout(provider, buyer, listing, f"bd-{tag}-{i}", to="shipped")
        o.refresh_from_db()
        out.append(o)
        if (i + 1) % 200 == 0:
            log(f"  set-up: {i + 1}/{n} shipped orders")
    return out


def _page_queries(order: Any, log) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anxin.disputes import selectors, services

    d = services.dispute_file(
        actor=order.buyer,
        number=order.number,
        category="quality_defect",
        claim="证据很多的案件",
        claimed_fen=order.amount_fen,
    )
    counts = []
    for total in (5, 100):
        have = d.evidence.count()
        for i in range(have, total):
            who = order.buyer if i % 2 == 0 else order.seller
            services.dispute_evidence_submit(actor=who, number=d.number, text=f"证据 {i + 1}")
        with CaptureQueriesContext(connection) as q:
            selectors.case_file(order.buyer, d.number)
        counts.append(len(q.captured_queries))
        log(f"case page with {total} pieces of evidence: {counts[-1]} queries")
    return counts[0], counts[1]


def run(*, cases: int, workers: int, log) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from anxin.accounts.models import Role, User
    from anxin.bench import checkout
    from anxin.disputes import services
    from anxin.disputes.audit import returns_audit
    from anxin.disputes.models import Dispute, Step
    from anxin.ledger.audit import ledger_audit
    from anxin.orders.audit import orders_audit

    if connection.vendor != "postgresql":
        raise RuntimeError(
            "bench disputes measures PostgreSQL: set DATABASE_URL "
            "(or run `make bench BENCH=disputes`, which starts a throwaway server)"
        )
    call_command("migrate", verbosity=0)
    settings.ANXIN_SANDBOX_DUPLICATE_RATE = 0.0
    tag = uuid.uuid4().hex[:6]
    for role, count in ((Role.MEDIATOR, 2), (Role.ADJUDICATOR, 5)):
        for i in range(count):  # staff are made by an operator, not by signing up
            staff = User(username=f"b{role[:3]}{i}-{tag}", role=role)
            staff.set_unusable_password()
            staff.save()
    log(f"set-up: {cases + 1} shipped orders")
    orders = _shipped_orders(cases + 1, tag, log)
    page_order, orders = orders[-1], orders[:-1]

    log(f"cases: filing {cases}")
    began = time.monotonic()
    numbers = []
    for i, o in enumerate(orders):
        d = services.dispute_file(
            actor=o.buyer,
            number=o.number,
            category=CATEGORIES[i % len(CATEGORIES)],
            claim="压测投诉",
            claimed_fen=o.amount_fen,
        )
        numbers.append(d.number)
        if i % 4 == 3:  # a quarter settled by the seller at once
            services.dispute_answer(
                actor=o.seller, number=d.number, offer_fen=o.amount_fen, text="同意"
            )
    filed = time.monotonic() - began
    events, event_seconds, rounds = 0, 0.0, 0
    mine = Dispute.objects.filter(number__in=numbers)
    started = time.monotonic()
    pool = Workers(workers)
    # The workers' start-up is not the desk's work: it is left out of the figures.
    began += time.monotonic() - started
    paid, pay_seconds, appealed = 0, 0.0, 0
    while True:
        open_ids = list(
            mine.filter(closed_at__isnull=True)
            .exclude(step=Step.PAYING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        paying = list(
            mine.filter(step=Step.PAYING, executed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not open_ids and not paying:
            break
        rounds += 1
        if rounds > 12:
            raise RuntimeError("cases still open after twelve rounds")
        if paying:  # the payment tasks the deadlines queued, run by the workers
            n, seconds = pool.round("pay", paying)
            paid += n
            pay_seconds += seconds
            log(f"  round {rounds}: {n} remedies paid in {seconds:.2f} s")
        # Half the decided cases are appealed by the seller, and a panel member votes on
        # every other appeal: the appeal stage, its draw and its deadline.
        to_appeal = list(
            mine.filter(step=Step.APPEAL_WINDOW, appeal__isnull=True)
            .order_by("pk")
            .values_list("number", flat=True)
        )[::2]
        for i, number in enumerate(to_appeal):
            d = Dispute.objects.select_related("seller").get(number=number)
            a = services.dispute_appeal(actor=d.seller, number=number, reason="压测复核")
            if i % 2 == 0:
                member = User.objects.get(pk=a.members[0])
                services.dispute_vote(actor=member, number=number, uphold=True, reasons="维持")
        appealed += len(to_appeal)
        if to_appeal:
            log(f"  round {rounds}: {len(to_appeal)} decisions appealed")
        if open_ids:
            # Time passes: every open case's deadline is due.
            mine.filter(pk__in=open_ids).update(due_at=timezone.now() - dt.timedelta(seconds=1))
            fired, seconds = pool.round("deadlines", open_ids)
            events += fired
            event_seconds += seconds
            log(f"  round {rounds}: {fired} deadline events in {seconds:.2f} s")
    elapsed = time.monotonic() - began
    pool.close()
    outcomes = dict(mine.values_list("outcome").annotate(n=Count("pk")))
    log(f"outcomes: {outcomes}")
    q5, q100 = _page_queries(page_order, log)
    problems = ledger_audit() + orders_audit() + returns_audit()
    events_per_s = events / event_seconds if event_seconds else 0.0
    log(f"reference: checkout through the service layer, {workers} clients")
    reference = checkout.service_rate(lifecycles=cases, clients=workers, log=log)
    service_tps = reference["service_tx_per_s"]
    ratio = events_per_s / service_tps if service_tps else 0.0
    log(
        f"{events_per_s:,.1f} deadline events/s, {service_tps:,.1f} checkout service "
        f"transactions/s: ratio {ratio:.2f}"
    )
    return {
        "bench": "disputes",
        "figures": {
            "cases": cases,
            "workers": workers,
            "filing_seconds": round(filed, 2),
            "seconds": round(elapsed, 2),
            "cases_per_s": round(cases / elapsed, 1),
            "deadline_events": events,
            "deadline_rounds": rounds,
            "deadline_events_per_s": round(events_per_s, 1),
            "checkout_service_tx_per_s": round(service_tps, 1),
            "checkout_failed_lifecycles": reference["failed"],
            "ratio": round(ratio, 2),
            "appealed": appealed,
            "remedies_paid": paid,
            "remedies_paid_per_s": round(paid / pay_seconds, 1) if pay_seconds else 0.0,
            "outcomes": outcomes,
            "case_page_queries_5": q5,
            "case_page_queries_100": q100,
            "ledger_audit_violations": len(problems),
        },
        "targets": {
            "ratio": f">= {TARGET_RATIO}",
            "case_page_queries_100": "== case_page_queries_5",
            "ledger_audit_violations": "== 0",
        },
        "met": {
            "ratio": ratio >= TARGET_RATIO,
            "case_page_queries_100": q5 == q100,
            "ledger_audit_violations": not problems,
        },
    }
