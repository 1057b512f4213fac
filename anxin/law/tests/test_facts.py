"""The shortcuts the check path takes give what the plain way gives: a date is what
`date.fromisoformat` reads, the quick date-order test says what the full one says, and a
decision's output document is its parts' output documents."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.bench import law as law_bench
from anxin.law import engine, facts
from anxin.law.decision import Decision


def _read_date(value: object) -> tuple[dt.date | None, list[str]]:
    """The value read as a case's as_of by `facts.parse` (the path a document takes, the
    compiled one for 2026-05-01 and the field-by-field one for every other form): the date
    read and the problems reported (without their field name)."""
    doc = {
        "as_of": value,
        "purchase": {"seller": {"kind": "company", "annual_sales_fen": 0}},
        "claim": {"kind": "seller_registration"},
    }
    try:
        return facts.parse(doc).as_of, []
    except facts.FactsError as e:
        return None, [p.removeprefix("as_of: ") for p in e.problems]


_texts = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.dates().map(lambda d: "{}-W{:02d}-{}".format(*d.isocalendar())),
    st.datetimes().map(dt.datetime.isoformat),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,3}", fullmatch=True),
    st.text(alphabet="0123456789-WT: \n", max_size=12),
    st.text(max_size=12),
)


@settings(max_examples=2000, deadline=None)
@given(text=_texts)
def test_a_date_in_text_is_what_fromisoformat_reads(text: str) -> None:
    # Given any text, and what date.fromisoformat reads from it
    try:
        expected: dt.date | None = dt.date.fromisoformat(text)
    except ValueError:
        expected = None
    # When it is read as a facts date
    got, messages = _read_date(text)
    # Then it is that date, or "not a date" where fromisoformat fails
    assert got == expected
    assert messages == ([] if expected else ["not a date"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 5, 1), dt.date(2026, 5, 1)),
        (dt.datetime(2026, 5, 1), None),  # noqa: DTZ001 - a naive datetime is what is refused
        (20260501, None),
        (b"2026-05-01", None),
        (None, None),
    ],
)
def test_a_date_object_is_a_date_and_nothing_else_is(value: object, expected: object) -> None:
    # Given a value that is not text
    # When it is read as a facts date
    got, _ = _read_date(value)
    # Then only a date (not a datetime) is one
    assert got == expected


_maybe_date = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 12)))


@settings(max_examples=3000, deadline=None)
@given(
    as_of=st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 12)),
    paid=_maybe_date,
    delivered=_maybe_date,
    requested=_maybe_date,
    received=_maybe_date,
    refunded=_maybe_date,
    presale=st.one_of(st.none(), st.tuples(st.integers(0, 3), st.integers(0, 3))),
)
def test_the_quick_date_order_test_says_what_the_full_one_says(
    as_of: dt.date,
    paid: dt.date | None,
    delivered: dt.date | None,
    requested: dt.date | None,
    received: dt.date | None,
    refunded: dt.date | None,
    presale: tuple[int, int] | None,
) -> None:
    # Given dates (some unknown, some out of order) and a presale's amounts
    case = facts.CaseFacts(
        as_of=as_of,
        purchase=facts.Purchase(
            paid_at=paid,
            delivered_at=delivered,
            presale=facts.Presale(
                total_price_fen=presale[0],
                deposit_fen=presale[1],
                balance_paid=False,
                defaulting_party="none",
            )
            if presale
            else None,
        ),
        claim=facts.Claim(
            kind="quality_defect",
            requested_at=requested,
            seller_received_return_at=received,
            refunded_at=refunded,
        ),
    )
    # When the case is checked
    # Then the quick check gives what the test-by-test rules give
    assert facts.check(case) == facts._problems(case)


def _by_parts(d: Decision) -> dict[str, Any]:
    """A decision's output document built from the per-part methods (`penalties` only when
    the decision gives a fine band)."""
    out = {
        "rule": d.rule,
        "outcome": d.outcome,
        "remedies": [r.json() for r in d.remedies],
        "duties": [x.json() for x in d.duties],
        "deadlines": [x.json() for x in d.deadlines],
        "citations": [c.json() for c in d.citations],
        "reasons": {"zh": "".join(d.zh), "en": " ".join(d.en)},
    }
    if d.penalties:
        out["penalties"] = [p.json() for p in d.penalties]
    return out


def test_a_decisions_output_is_its_parts_outputs_for_the_bench_corpus() -> None:
    # Given the law bench's generated cases (every rule, both sides of every boundary)
    rng = random.Random(2026)
    compared = 0
    for _ in range(3000):
        doc = law_bench.case(rng)
        try:
            case = facts.parse(doc)
            # When each is decided
            decisions = engine.decide(case)
        except facts.FactsError:
            continue
        # Then each decision's output document is, key for key and in the same order, the
        # one its parts' own methods give
        for d in decisions:
            assert json.dumps(d.json(), ensure_ascii=False) == json.dumps(
                _by_parts(d), ensure_ascii=False
            )
            compared += 1
    assert compared > 2500
