"""The law engine's entry point: facts in, decisions out (docs/spec/case-facts.md)."""

from __future__ import annotations

import datetime as dt
import operator
from typing import Any

from anxin.law import complaints, penalties, rules
from anxin.law import facts as facts_mod
from anxin.law.decision import Decision
from anxin.law.facts import CaseFacts, FactsError
from anxin.law.rules import Rule

# Claim kind -> (the date that picks the version, [(first day, rule), ...]): the rules of the
# first wave (rules.py) and those of later modules, each of which keeps its own versions.
VERSIONS = {**rules.VERSIONS, **complaints.VERSIONS, **penalties.VERSIONS}

# For each claim kind, the day that picks its rule's version, read from the facts.
_DAY = {kind: operator.attrgetter(field) for kind, (field, _) in VERSIONS.items()}


def rule_for(facts: CaseFacts) -> Rule:
    kind = facts.claim.kind
    field, versions = VERSIONS[kind]
    day: dt.date = _DAY[kind](facts)
    chosen = None
    for since, rule in versions:
        if since <= day:
            chosen = rule
    if chosen is None:
        raise FactsError(
            [
                f"{field}: {day} is before {versions[0][0]}, the first day of the earliest "
                f"version of this rule that Anxin holds"
            ]
        )
    return chosen


def decide(facts: CaseFacts) -> list[Decision]:
    return rule_for(facts)(facts)


def check(data: Any) -> dict[str, Any]:
    """A mapping of facts to the output document. Raises FactsError."""
    facts = facts_mod.parse(data)
    return {"as_of": facts.as_of.isoformat(), "decisions": [d.json() for d in decide(facts)]}
