"""Runs the jurist-readable cases in anxin/law/cases/*.yaml (see the README there)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from anxin.law import engine
from anxin.law.catalogue import catalogue, gloss, glosses
from anxin.law.facts import FactsError
from anxin.law.params import table

CASES = Path(__file__).resolve().parents[1] / "cases"
ABSENT = "(absent)"


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value == ABSENT:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def _cases() -> list[Any]:
    params = []
    for path in _files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            params.append(pytest.param(doc, case, id=f"{path.stem}: {case['name']}"[:120]))
    return params


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


_CITE = re.compile(r"^([A-Z-]+) (\d+)(?:\((\d+)\))?$")


def _cite(text: str) -> dict[str, Any]:
    m = _CITE.match(text)
    assert m, f"bad citation in a case file: {text}"
    out: dict[str, Any] = {"statute": m.group(1), "article": int(m.group(2))}
    if m.group(3):
        out["paragraph"] = int(m.group(3))
    return out


@pytest.mark.parametrize(("doc", "case"), _cases())
def test_case(doc: dict[str, Any], case: dict[str, Any]) -> None:
    # Given this rule's base facts with the case's changes applied
    facts = merge(doc["base"], case.get("facts", {}))
    assert facts["claim"]["kind"] == doc["rule"], "a case file holds the cases of one rule"
    # When the case expects malformed facts, checking them is refused
    if "errors" in case:
        with pytest.raises(FactsError) as e:
            engine.check(facts)
        # Then with exactly the problems the case lists
        assert e.value.problems == case["errors"]
        return
    # When the engine checks the facts
    out = engine.check(facts)
    first = out["decisions"][0]
    # Then the first decision has the case's outcome, remedies, deadlines, citations and reasons
    if "outcome" in case:
        assert first["outcome"] == case["outcome"], first["reasons"]["en"]
    if "remedies" in case:
        got = first["remedies"]
        assert len(got) == len(case["remedies"]), got
        for want, have in zip(case["remedies"], got, strict=True):
            for key, value in want.items():
                assert have.get(key) == _plain(value), (key, have)
    if "penalties" in case:
        got = first.get("penalties", [])
        assert len(got) == len(case["penalties"]), got
        for want, have in zip(case["penalties"], got, strict=True):
            for key, value in want.items():
                assert have.get(key) == value, (key, have)
    deadlines = {d["what"]: d["date"] for d in first["deadlines"]}
    for what, date in case.get("deadlines", {}).items():
        assert deadlines.get(what) == _plain(date), deadlines
    for text in case.get("cites", []):
        assert _cite(text) in first["citations"], (text, first["citations"])
    by_rule = {d["rule"]: d["outcome"] for d in out["decisions"]}
    for rule, outcome in case.get("also", {}).items():
        assert by_rule.get(rule) == outcome, by_rule
    for text in case.get("says", []):
        assert text in first["reasons"]["zh"], (text, first["reasons"]["zh"])
        assert text in first["reasons"]["en"], (text, first["reasons"]["en"])
    # And the reasons are given in Chinese and English, and the case states an expectation
    assert first["reasons"]["zh"]
    assert first["reasons"]["en"]
    assert any(
        k in case for k in ("outcome", "remedies", "penalties", "deadlines", "cites", "also")
    )


def test_every_rule_has_at_least_three_cases() -> None:
    # Given the case files of every rule
    # When the cases that end in a decision are counted per rule
    counts: dict[str, int] = {}
    for path in _files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        counts[doc["rule"]] = len([c for c in doc["cases"] if "errors" not in c])
    # Then every rule has at least three
    for kind in engine.VERSIONS:
        assert counts.get(kind, 0) >= 3, f"{kind}: fewer than three decided cases"


def _all_citations() -> set[tuple[str, int]]:
    cited = {(v.cite.statute, v.cite.article) for values in table().values() for v in values}
    for doc, case in (p.values for p in _cases()):
        if "errors" in case:
            continue
        for d in engine.check(merge(doc["base"], case.get("facts", {})))["decisions"]:
            cited |= {(c["statute"], c["article"]) for c in d["citations"]}
    return cited


def test_every_cited_article_exists_and_has_an_english_gloss() -> None:
    # Given the parameter table and every decided case
    # When the articles they cite are collected
    cited = _all_citations()
    # Then the consumer-protection and Civil Code articles are among them
    assert ("CRPL", 25) in cited
    assert ("CC", 586) in cited
    # And each cited article exists in a version of its statute the catalogue holds, with an
    # English gloss of that version (a citation does not name the version: the facts' date
    # picks it, and anxin/law/tests/test_complaints.py checks the renumbered CRM article by
    # article)
    for sid, article in sorted(cited):
        versions = [s for (i, _), s in catalogue().items() if i == sid]
        assert versions, f"{sid}: no such statute"
        glossed = [s.version for s in versions if gloss(sid, s.version, article)]
        assert any(article in s.articles for s in versions), f"{sid} {article}: no such article"
        assert glossed, f"{sid} {article}: no English gloss"
        for version in glossed:
            assert article in catalogue()[(sid, version)].articles, (sid, version, article)


def test_glosses_name_real_articles() -> None:
    # Given the English glosses
    # When each glossed article is looked up in the catalogue (in the version named, for a
    # gloss keyed "CRM@2026-04-15 15")
    # Then every lookup succeeds (a missing article raises KeyError)
    held: dict[str, list[str]] = {}
    for sid, version in catalogue():
        held.setdefault(sid, []).append(version)
    for key, article in glosses():
        sid, _, version = key.partition("@")
        for v in [version] if version else held[sid]:
            catalogue()[(sid, v)].article(article)
        # And a statute held in several versions is glossed per version (they renumber)
        assert version or len(held[sid]) == 1, f"{key} {article}: gloss names no version"
