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
    versions = sorted(
        (s for (sid, _), s in catalogue().items() if sid == statute_id), key=lambda s: s.version
    )
    if not versions:
        raise KeyError(f"no statute {statute_id!r}")
    if on is None:
        return versions[-1]
    in_force = [s for s in versions if dt.date.fromisoformat(s.version) <= on]
    if not in_force:
        raise KeyError(f"{statute_id} was not in force on {on}")
    return in_force[-1]


@cache
def glosses() -> dict[tuple[str, int], str]:
    """English glosses of the articles the rules cite, by (statute id, article)."""
    raw = yaml.safe_load((TEXTS.parent / "data" / "glosses.yaml").read_text(encoding="utf-8"))
    out = {}
    for key, text in raw.items():
        sid, number = key.rsplit(" ", 1)
        out[(sid, int(number))] = " ".join(text.split())
    return out
