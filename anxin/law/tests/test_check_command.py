"""`anxin law check FILE` as docs/spec/case-facts.md defines it: JSON out and exit 0 for a
decided case, exit 2 with one field-named line per problem otherwise."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.law import engine
from anxin.law.facts import FactsError

EXAMPLE = """\
as_of: 2026-05-20
purchase:
  channel: online
  seller: {role: seller, kind: individual, annual_sales_fen: 6500000, sells_continuously: true}
  item:
    category: general
    price_fen: 12800
    quantity: 1
    non_returnable_confirmed: false
    return_promised_despite_exception: false
  paid_at: 2026-05-01
  delivered_at: 2026-05-03
claim:
  kind: no_reason_return
  requested_at: 2026-05-08
  item_condition: intact
  seller_received_return_at: 2026-05-12
  refunded_at: null
  losses_fen: 0
  injury: none
  seller_knew: false
  label_defect_only: false
"""


def run(path: Path | str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("law", "check", str(path), stdout=out, stderr=err)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_the_spec_example_is_decided_as_documented(tmp_path: Path) -> None:
    # Given the spec's example facts in a YAML file
    f = tmp_path / "case.yaml"
    f.write_text(EXAMPLE, encoding="utf-8")
    # When `anxin law check` reads it
    code, out, err = run(f)
    # Then it exits 0 with nothing on stderr
    assert code == 0
    assert err == ""
    # And the JSON grants a refund by 19 May, the buyer returning the goods at her cost
    doc = json.loads(out)
    assert doc["as_of"] == "2026-05-20"
    d = doc["decisions"][0]
    assert d["rule"] == "no-reason-return"
    assert d["outcome"] == "granted"
    assert d["remedies"][0] == {
        "kind": "refund",
        "amount_fen": 12800,
        "payer": "seller",
        "due_by": "2026-05-19",
    }
    assert {"party": "buyer", "duty": "return_goods", "cost_borne_by": "buyer"} in d["duties"]
    assert {"what": "request_window_ends", "date": "2026-05-10"} in d["deadlines"]
    assert {"statute": "NRR", "article": 10} in d["citations"]
    assert d["reasons"]["zh"]
    assert d["reasons"]["en"]


def test_json_input_is_read_too(tmp_path: Path) -> None:
    import yaml

    # Given the same example facts written as JSON
    f = tmp_path / "case.json"
    f.write_text(json.dumps(yaml.safe_load(EXAMPLE), default=str), encoding="utf-8")
    # When the command reads them
    code, out, _ = run(f)
    # Then it exits 0 and grants the return
    assert code == 0
    assert json.loads(out)["decisions"][0]["outcome"] == "granted"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("  requested_at: 2026-05-08", "claim.requested_at: not a date"),
        ("  price_fen: 12800", "purchase.item.price_fen: must be at least 0"),
        ("  channel: online", "purchase.channel: must be one of online"),
        ("  delivered_at: 2026-05-03", "purchase.delivered_at: 2026-04-03 is before"),
        ("  injury: none", "claim.shoe_size: unknown field"),
    ],
)
def test_malformed_facts_exit_2_naming_the_field(tmp_path: Path, change: str, problem: str) -> None:
    # Given the example with this row's field made malformed
    replacement = {
        "  requested_at: 2026-05-08": "  requested_at: 2026-05-32",
        "  price_fen: 12800": "  price_fen: -12800",
        "  channel: online": "  channel: wechat_moments",
        "  delivered_at: 2026-05-03": "  delivered_at: 2026-04-03",
        "  injury: none": "  injury: none\n  shoe_size: 42",
    }[change]
    f = tmp_path / "bad.yaml"
    f.write_text(EXAMPLE.replace(change, replacement, 1), encoding="utf-8")
    # When the command reads it
    code, out, err = run(f)
    # Then it exits 2, prints nothing on stdout and names the field on stderr
    assert code == 2
    assert out == ""
    assert any(line.startswith(problem) for line in err.splitlines()), err


def test_unreadable_and_unparsable_files_exit_2(tmp_path: Path) -> None:
    # When a missing file is checked
    # Then it exits 2 saying it cannot be read
    code, _, err = run(tmp_path / "missing.yaml")
    assert code == 2
    assert "cannot read" in err
    # Given a file of broken YAML
    f = tmp_path / "broken.yaml"
    f.write_text("as_of: [2026\n", encoding="utf-8")
    # When it is checked
    code, _, err = run(f)
    # Then it exits 2 saying it is not YAML or JSON
    assert code == 2
    assert "not YAML or JSON" in err
    # And a file holding a list instead of facts exits 2 too
    f.write_text("- a list\n", encoding="utf-8")
    assert run(f)[0] == 2


def test_the_installed_command_reads_standard_input() -> None:
    # Given the example with the return requested on 11 May, a day after the window closed
    # When the installed `anxin` command reads it from standard input
    done = subprocess.run(
        [sys.executable, "-m", "anxin", "law", "check", "-"],
        input=EXAMPLE.replace("2026-05-08", "2026-05-11"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then it exits 0 and refuses the return
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decisions"][0]["outcome"] == "refused"


_dates = st.dates(min_value=__import__("datetime").date(2013, 1, 1)).map(str)
_anything = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**9), _dates, st.text(max_size=5)
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(list(engine.VERSIONS)),
    price=st.integers(-5, 10**9),
    paid=_dates,
    delivered=st.one_of(st.none(), _dates),
    requested=_dates,
    received=st.one_of(st.none(), _dates),
    noise=_anything,
    category=st.sampled_from(["general", "food", "custom_made", "electronics", "apparel", "x"]),
)
def test_any_facts_give_a_decision_or_field_named_errors(
    kind: str,
    price: int,
    paid: str,
    delivered: str | None,
    requested: str,
    received: str | None,
    noise: object,
    category: str,
) -> None:
    """Nothing a user can type crashes the engine, and no remedy is ever negative."""
    # Given generated facts for any rule, with odd prices, dates and a noise value
    facts = {
        "as_of": "2030-12-31",
        "purchase": {
            "channel": "online",
            "seller": {"role": "seller", "kind": "individual", "annual_sales_fen": price},
            "item": {
                "category": category,
                "price_fen": price,
                "quantity": 1,
                "non_returnable_confirmed": noise,
                "return_promised_despite_exception": False,
            },
            "paid_at": paid,
            "delivered_at": delivered,
            "presale": {
                "total_price_fen": price,
                "deposit_fen": 100,
                "balance_paid": False,
                "defaulting_party": "seller",
            },
            "reference_price": {"shown_fen": 100, "lowest_in_previous_7_days_fen": price},
            "platform_identified_seller": False,
        },
        "claim": {
            "kind": kind,
            "requested_at": requested,
            "item_condition": "intact",
            "seller_received_return_at": received,
            "refunded_at": None,
            "injury": "death_or_serious",
            "losses_fen": 100,
        },
    }
    # When the engine checks them
    try:
        out = engine.check(facts)
    except FactsError as e:
        problems = e.problems
    else:
        problems = None
    # Then refused facts name a field in every problem
    if problems is not None:
        assert problems
        assert all(":" in p and p.split(":")[0] for p in problems), problems
        return
    # And otherwise every decision has an outcome and no remedy is negative
    for d in out["decisions"]:
        assert d["outcome"]
        assert all(r.get("amount_fen", 0) >= 0 for r in d["remedies"])
