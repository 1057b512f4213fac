"""anxin bench law: a mixed corpus of generated cases through the law engine on one core.

Two figures: the whole path `anxin law check` takes per case (validate the facts, pick the
rule version, decide, build the output document) and the rules alone on facts already
parsed; the target is their ratio, which does not depend on the machine. The corpus mixes
every claim kind, dates on both sides of every effective date and deadline, and amounts on
both sides of every floor and cap."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, get_args

from anxin.law import engine
from anxin.law.facts import ClaimKind, FactsError, parse

# The whole `anxin law check` path (facts read and validated, rule version picked, decided,
# output document built) against the rules alone on facts already parsed: reading a case
# must not cost more than deciding it.
TARGET_RATIO = 0.5
SLICE = 5000

KINDS = list(get_args(ClaimKind))
CATEGORIES = ["general", "food", "cosmetics", "custom_made", "electronics", "apparel"]
CONDITIONS = ["intact", "opened_for_inspection", "used", "seal_broken", "tags_removed"]


def case(rng: random.Random) -> dict[str, Any]:
    paid = dt.date(2014, 4, 1) + dt.timedelta(days=rng.randrange(0, 4500))
    delivered = paid + dt.timedelta(days=rng.randrange(0, 6))
    requested = delivered + dt.timedelta(days=rng.randrange(0, 12))
    received = requested + dt.timedelta(days=rng.randrange(0, 6))
    price = rng.choice([9999, 10000, 10001, 16666, 16667, rng.randrange(100, 500000)])
    kind = rng.choice(KINDS)
    doc: dict[str, Any] = {
        "as_of": (received + dt.timedelta(days=rng.randrange(0, 30))).isoformat(),
        "purchase": {
            "channel": rng.choice(["online", "live_stream", "mini_program", "in_store"]),
            "seller": {
                "role": rng.choice(["seller", "producer"]),
                "kind": rng.choice(["individual", "individual", "company"]),
                "annual_sales_fen": rng.choice([10000000, 10000001, rng.randrange(0, 3 * 10**7)]),
                "sells_continuously": rng.random() < 0.7,
            },
            "item": {
                "category": rng.choice(CATEGORIES),
                "price_fen": price,
                "quantity": 1,
                "non_returnable_confirmed": rng.random() < 0.1,
                "return_promised_despite_exception": rng.random() < 0.2,
            },
            "paid_at": paid.isoformat(),
            "delivered_at": delivered.isoformat(),
            "presale": {
                "total_price_fen": 50000,
                "deposit_fen": rng.choice([10000, 10001, 5000]),
                "balance_paid": False,
                "defaulting_party": rng.choice(["seller", "buyer", "none"]),
            },
            "reference_price": {
                "shown_fen": rng.randrange(price, price * 2 + 1),
                "lowest_in_previous_7_days_fen": rng.choice([None, price]),
                "last_transaction_fen": price,
            },
            "platform_identified_seller": rng.random() < 0.5,
        },
        "claim": {
            "kind": kind,
            "requested_at": requested.isoformat(),
            "item_condition": rng.choice(CONDITIONS),
            "seller_received_return_at": received.isoformat(),
            "refunded_at": None,
            "losses_fen": rng.randrange(0, 200000),
            "injury": rng.choice(["none", "injury", "death_or_serious"]),
            "seller_knew": rng.random() < 0.5,
            "label_defect_only": rng.random() < 0.1,
        },
    }
    if kind == "complaint_admissibility":
        # Received on the request's day, known of up to four years before: both sides of
        # the three years and of each version's first day.
        doc["complaint"] = {
            "received_at": requested.isoformat(),
            "consumer_knew_at": (requested - dt.timedelta(days=rng.randrange(0, 1500))).isoformat(),
            "handled_elsewhere": rng.random() < 0.2,
        }
    if kind == "penalty_band":
        # An act on the request's day, either article, with gains or none.
        doc["offence"] = {
            "kind": rng.choice(["crpl_56", "ecl_76"]),
            "committed_at": requested.isoformat(),
            "illegal_gains_fen": rng.choice([0, rng.randrange(1, 1000000)]),
        }
    return doc


def run(*, cases: int, seed: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Both paths over the same corpus, in alternating slices, so that a change in the
    machine's load (it is shared) weighs on both figures alike and their ratio holds."""
    rng = random.Random(seed)
    corpus = [case(rng) for _ in range(cases)]
    log(f"corpus: {cases} cases, seed {seed}")
    outcomes: Counter[str] = Counter()
    malformed = decisions = rule_decisions = 0
    full = rules_only = 0.0
    for n, lo in enumerate(range(0, cases, SLICE)):
        part = corpus[lo : lo + SLICE]
        parsed = []
        for doc in part:
            try:
                facts = parse(doc)
                engine.rule_for(facts)  # a date before every version is refused, not decided
                parsed.append(facts)
            except FactsError:
                pass
        # Whichever pass runs second finds the law's day caches warm from the first: the
        # order alternates so that this favours neither.
        for check_path in (True, False) if n % 2 else (False, True):
            t0 = time.perf_counter()
            if check_path:
                for doc in part:
                    try:
                        out = engine.check(doc)
                    except FactsError:
                        malformed += 1
                        continue
                    decisions += len(out["decisions"])
                    first = out["decisions"][0]
                    outcomes[first["rule"] + ":" + first["outcome"]] += 1
                full += time.perf_counter() - t0
            else:
                rule_decisions += sum(len(engine.decide(f)) for f in parsed)
                rules_only += time.perf_counter() - t0
    per_s = decisions / full
    rules_per_s = rule_decisions / rules_only
    ratio = per_s / rules_per_s
    result = {
        "bench": "law",
        "figures": {
            "cases": cases,
            "malformed_cases": malformed,
            "decisions": decisions,
            "decisions_per_second": round(per_s),
            "cases_per_second": round((cases - malformed) / full),
            "rules_only_decisions_per_second": round(rules_per_s),
            "ratio": round(ratio, 3),
            "outcomes": dict(sorted(outcomes.items())),
        },
        "targets": {"ratio": f">= {TARGET_RATIO}"},
        "met": {"ratio": ratio >= TARGET_RATIO},
    }
    log(
        f"{decisions} decisions in {full:.2f} s: {round(per_s):,}/s "
        f"(check path), {round(rules_per_s):,}/s (rules alone), ratio {ratio:.3f}"
    )
    return result
