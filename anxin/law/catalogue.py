"""The statute catalogue: the official texts (anxin/law/texts, copied as data) split into
articles. Plain Python, no Django.

Each text file has a header block ending in a `---` line, then the text: chapter and section
headings as `##` / `###` lines and every article starting on its own line with 第X条 (the
texts' README). Citation ids are those of the case-facts format (docs/spec/case-facts.md).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

TEXTS = Path(__file__).with_name("texts")
_ARTICLE = re.compile(r"^第([〇零一二三四五六七八九十百千]+)条\s*")
_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(text: str) -> int:
    """A Chinese numeral as article numbers write it: 七 7, 十五 15, 二十五 25, 一百零八 108,
    一千二百五十九 1259."""
    if not text:
        raise ValueError("empty numeral")
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


@dataclass(frozen=True)
class Article:
    number: int
    text: str  # the article's paragraphs, separated by blank lines, without 第X条
    chapter: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p]


@dataclass(frozen=True)
class Statute:
    id: str
    version: str  # the version's first day in force, ISO; one id may have several versions
    file: str
    title: str
    articles: dict[int, Article] = field(repr=False)

    def article(self, number: int) -> Article:
        try:
            return self.articles[number]
        except KeyError:
            raise KeyError(f"{self.id} has no article {number}") from None


# Citation id, the first day in force of the version, and its file.
FILES: list[tuple[str, str, str]] = [
    ("CRPL", "2014-03-15", "crpl.md"),
    ("CRPL-IR", "2024-07-01", "crpl-implementing-regulation.md"),
    ("NRR", "2017-03-15", "no-reason-return-measures.md"),
    ("ECL", "2019-01-01", "e-commerce-law.md"),
    ("OTSM", "2021-05-01", "online-trading-supervision-measures.md"),
    ("PRICE", "2022-07-01", "price-marking-and-price-fraud-rules.md"),
    ("AUCL", "2019-04-23", "anti-unfair-competition-law-2019.md"),
    ("AUCL", "2025-10-15", "anti-unfair-competition-law-2025.md"),
    ("FSL", "2015-10-01", "food-safety-law.md"),
    ("PYRAMID", "2005-11-01", "pyramid-selling-prohibition.md"),
    ("PIPL", "2021-11-01", "pipl.md"),
    ("CC", "2021-01-01", "civil-code-excerpts.md"),
    ("SPC-ONLINE", "2022-03-15", "spc-online-consumption-disputes-2022.md"),
    ("PROMO", "2020-12-01", "promotion-conduct-rules.md"),
    # The 2023 amendment; the text does not state its start (2024-01-01, from secondary sources).
    ("CPL", "2024-01-01", "civil-procedure-law-2023.md"),
    ("LFM", "2007-04-01", "litigation-fees-measures.md"),
    # Added with the second wave of claim kinds (docs/spec/case-facts.md).
    ("PRICE-LAW", "1998-05-01", "price-law.md"),
    # The text says only 自公布之日起施行; the version date is the source file's.
    ("PRICE-PENALTY", "2010-12-04", "price-violation-penalty-rules.md"),
    ("ADL", "2015-09-01", "advertising-law.md"),
    ("DSR", "2005-12-01", "direct-selling-regulation.md"),
    ("CC-GI", "2023-12-05", "contract-general-interpretation-2023.md"),
    # The interim measures (in force from 2020-01-01, text as amended 2022-03-24), replaced on
    # 2026-04-15 by the measures, which number their articles differently.
    ("CRM", "2020-01-01", "complaint-handling-measures-2022.md"),
    ("CRM", "2026-04-15", "complaint-handling-measures-2026.md"),
    ("PDR", "2021-09-01", "penalty-disclosure-rules-2021.md"),
    ("CPL-I", "2022-04-10", "civil-procedure-interpretation-excerpts.md"),
    ("PML", "2011-01-01", "people-mediation-law.md"),
]


# English names, for the law pages and citations in English.
NAMES_EN = {
    "CRPL": "Consumer Rights Protection Law",
    "CRPL-IR": "Implementing Regulation of the Consumer Rights Protection Law",
    "NRR": "Interim Measures on Seven-Day No-Reason Returns of Goods Bought Online",
    "ECL": "E-Commerce Law",
    "OTSM": "Measures for the Supervision of Online Trading",
    "PRICE": "Rules on Price Marking and the Prohibition of Price Fraud",
    "AUCL": "Anti-Unfair Competition Law",
    "FSL": "Food Safety Law",
    "PYRAMID": "Regulation Prohibiting Pyramid Selling",
    "PIPL": "Personal Information Protection Law",
    "CC": "Civil Code (excerpts)",
    "SPC-ONLINE": "Supreme People's Court Provisions on Online Consumption Disputes (I)",
    "PROMO": "Interim Provisions on Regulating Promotional Conduct",
    "CPL": "Civil Procedure Law",
    "LFM": "Measures on the Payment of Litigation Costs",
    "PRICE-LAW": "Price Law",
    "PRICE-PENALTY": "Provisions on Administrative Penalties for Price Violations",
    "ADL": "Advertising Law",
    "DSR": "Regulation on the Administration of Direct Selling",
    "CC-GI": "Supreme People's Court Interpretation on the General Part of the Civil Code's "
    "Contract Book",
    "CRM": "Measures for Handling Complaints and Reports to Market Regulators",
    "PDR": "Provisions on Publishing Market Regulators' Administrative Penalty Information",
    "CPL-I": "Supreme People's Court Interpretation of the Civil Procedure Law (excerpts)",
    "PML": "People's Mediation Law",
}


def parse(statute_id: str, version: str, name: str, text: str) -> Statute:
    lines = text.split("\n")
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"{name}: no title line")
    title = lines[0][2:].strip()
    try:
        body_start = lines.index("---") + 1
    except ValueError:
        raise ValueError(f"{name}: no --- line after the header") from None
    articles: dict[int, Article] = {}
    chapter = ""
    current: int | None = None
    buf: list[str] = []

    def close() -> None:
        if current is not None:
            if current in articles:
                raise ValueError(f"{name}: article {current} appears twice")
            articles[current] = Article(current, "\n\n".join(p for p in buf if p), chapter_of)

    chapter_of = ""
    for line in lines[body_start:]:
        if line.startswith("#"):
            close()
            current, buf = None, []
            if line.startswith("## "):
                chapter = line[3:].strip()
            continue
        m = _ARTICLE.match(line)
        if m:
            close()
            current, chapter_of = cn_number(m.group(1)), chapter
            buf = [line[m.end() :].strip()]
        elif current is not None:
            if line.strip():
                buf.append(line.strip())
    close()
    return Statute(statute_id, version, name, title, articles)


@cache
def catalogue() -> dict[tuple[str, str], Statute]:
    """Every statute version, by (id, version)."""
    return {
        (sid, version): parse(sid, version, name, (TEXTS / name).read_text(encoding="utf-8"))
        for sid, version, name in FILES
    }


def statute(statute_id: str, on: dt.date | None = None) -> Statute:
    """The version of a statute in force on a date (the latest when no date is given)."""
    held = versions(statute_id)
    if not held:
        raise KeyError(f"no statute {statute_id!r}")
    if on is None:
        return held[-1]
    in_force = [s for s in held if dt.date.fromisoformat(s.version) <= on]
    if not in_force:
        raise KeyError(f"{statute_id} was not in force on {on}")
    return in_force[-1]


def versions(statute_id: str) -> list[Statute]:
    """Every version of a statute Anxin holds, oldest first (none for an unknown id)."""
    return sorted(
        (s for (sid, _), s in catalogue().items() if sid == statute_id), key=lambda s: s.version
    )


def cited_version(statute_id: str, on: dt.date) -> Statute:
    """The version a citation made for a case of day `on` names: the one in force that day.
    Before the first version Anxin holds, the first: a rule citing it for an earlier case says
    the article did not exist yet (rules._not_yet, complaints.before_the_measures)."""
    held = versions(statute_id)
    if held and on < dt.date.fromisoformat(held[0].version):
        return held[0]
    return statute(statute_id, on)


def in_force_until(s: Statute) -> dt.date | None:
    """The last day a version was in force: the day before the next version's first, or None
    for the latest."""
    later = [v for v in versions(s.id) if v.version > s.version]
    return dt.date.fromisoformat(later[0].version) - dt.timedelta(days=1) if later else None


# The year a version of a several-version statute is known by, where it is not the year of its
# first day in force: the interim complaint-handling measures are in force from 2020-01-01, in
# their text as amended 2022-03-24 (the "2022" measures).
_EDITION_YEARS = {("CRM", "2020-01-01"): "2022"}


def edition(s: Statute) -> str:
    """The year a version is known by, to tell it from the statute's other versions in a
    citation: CRM (2022), AUCL (2019)."""
    return _EDITION_YEARS.get((s.id, s.version), s.version[:4])


@cache
def glosses() -> dict[tuple[str, int], str]:
    """English glosses of the articles the rules cite, by (statute id, article). A statute
    whose versions number their articles differently (CRM) is glossed per version, keyed
    "CRM@2026-04-15 15": its id here is then `CRM@2026-04-15`."""
    raw = yaml.safe_load((TEXTS.parent / "data" / "glosses.yaml").read_text(encoding="utf-8"))
    out = {}
    for key, text in raw.items():
        sid, number = key.rsplit(" ", 1)
        out[(sid, int(number))] = " ".join(text.split())
    return out


def gloss(statute_id: str, version: str, number: int) -> str | None:
    """The English gloss of an article of one version of a statute: the gloss written for
    that version, else the statute's own (for a statute whose numbering never changed)."""
    found = glosses()
    return found.get((f"{statute_id}@{version}", number)) or found.get((statute_id, number))
