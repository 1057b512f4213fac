"""What a rule returns: a Decision, in the shape of docs/spec/case-facts.md's output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = frozenset(
    {
        "granted",
        "refused",
        "partly_granted",
        "violation",
        "no_violation",
        "registration_required",
        "registration_exempt",
        # A complaint to a market regulator (complaint_admissibility).
        "admissible",
        "inadmissible",
    }
)
REMEDIES = frozenset(
    {
        "refund",
        "punitive_damages",
        "compensation",
        "deposit_return",
        "price_difference",
        "return_shipping",
        "repair",
        "replacement",
    }
)


@dataclass(frozen=True, order=True)
class Citation:
    statute: str
    article: int
    paragraph: int | None = None

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"statute": self.statute, "article": self.article}
        if self.paragraph is not None:
            out["paragraph"] = self.paragraph
        return out

    def __str__(self) -> str:
        para = f"({self.paragraph})" if self.paragraph is not None else ""
        return f"{self.statute} {self.article}{para}"


@dataclass(frozen=True)
class Remedy:
    kind: str
    payer: str
    amount_fen: int | None = None
    due_by: dt.date | None = None
    up_to: bool = False

    def __post_init__(self) -> None:
        if self.kind not in REMEDIES:
            raise ValueError(f"unknown remedy {self.kind}")
        if self.amount_fen is not None and self.amount_fen < 0:
            raise ValueError(f"remedy {self.kind}: negative amount")

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.amount_fen is not None:
            out["amount_fen"] = self.amount_fen
        out["payer"] = self.payer
        out["due_by"] = self.due_by.isoformat() if self.due_by else None
        if self.up_to:
            out["up_to"] = True
        return out


@dataclass(frozen=True)
class Duty:
    party: str
    duty: str
    cost_borne_by: str | None = None

    def json(self) -> dict[str, Any]:
        out = {"party": self.party, "duty": self.duty}
        if self.cost_borne_by:
            out["cost_borne_by"] = self.cost_borne_by
        return out


@dataclass(frozen=True)
class Deadline:
    what: str
    date: dt.date

    def json(self) -> dict[str, Any]:
        return {"what": self.what, "date": self.date.isoformat()}


@dataclass(frozen=True)
class Penalty:
    """A fine the law lets an authority impose (docs/spec/case-facts.md: `penalties`)."""

    authority: str
    min_fen: int
    max_fen: int
    statute: str
    article: int
    multiple_of_gains: tuple[int, int] | None = None

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "authority": self.authority,
            "min_fen": self.min_fen,
            "max_fen": self.max_fen,
            "statute": self.statute,
            "article": self.article,
        }
        if self.multiple_of_gains is not None:
            out["multiple_of_gains"] = list(self.multiple_of_gains)
        return out


@dataclass
class Decision:
    rule: str
    outcome: str = ""
    remedies: list[Remedy] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    zh: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    def cite(self, *citations: Citation) -> None:
        for c in citations:
            if c not in self.citations:
                self.citations.append(c)

    def say(self, zh: str, en: str, *citations: Citation) -> None:
        """One reason, in both languages, with the articles it rests on."""
        self.zh.append(zh)
        self.en.append(en)
        self.cite(*citations)

    def deadline(self, what: str, date: dt.date) -> dt.date:
        self.deadlines.append(Deadline(what, date))
        return date

    def done(self, outcome: str) -> Decision:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome}")
        self.outcome = outcome
        return self

    def amount(self, kind: str) -> int:
        return sum(r.amount_fen or 0 for r in self.remedies if r.kind == kind)

    def json(self) -> dict[str, Any]:
        """The output document's decision, written out by hand: it is part of every `law
        check`, and the generic per-part methods (kept for the parts on their own) cost a
        fifth of the check path. The same keys, in the same order, as those methods give.
        Plain loops rather than comprehensions: most lists here are empty or short, and a
        comprehension is a function call even when there is nothing to loop over."""
        remedies = []
        for r in self.remedies:
            out: dict[str, Any] = {"kind": r.kind}
            if r.amount_fen is not None:
                out["amount_fen"] = r.amount_fen
            out["payer"] = r.payer
            out["due_by"] = r.due_by.isoformat() if r.due_by else None
            if r.up_to:
                out["up_to"] = True
            remedies.append(out)
        duties = []
        for d in self.duties:
            duties.append(
                {"party": d.party, "duty": d.duty, "cost_borne_by": d.cost_borne_by}
                if d.cost_borne_by
                else {"party": d.party, "duty": d.duty}
            )
        deadlines = []
        for dl in self.deadlines:
            deadlines.append({"what": dl.what, "date": dl.date.isoformat()})
        citations = []
        for c in self.citations:
            citations.append(
                {"statute": c.statute, "article": c.article}
                if c.paragraph is None
                else {"statute": c.statute, "article": c.article, "paragraph": c.paragraph}
            )
        out_doc: dict[str, Any] = {
            "rule": self.rule,
            "outcome": self.outcome,
            "remedies": remedies,
            "duties": duties,
            "deadlines": deadlines,
            "citations": citations,
            "reasons": {"zh": "".join(self.zh), "en": " ".join(self.en)},
        }
        if self.penalties:
            # Only a decision on a penalty carries them: every other output stays as it was.
            out_doc["penalties"] = [p.json() for p in self.penalties]
        return out_doc
