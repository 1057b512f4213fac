"""China's administrative divisions (data/divisions.json): a six-digit code names a province
(`330000`), a city (`330100`) or a county or district (`330106`). Organisations sit at one of
these, and a complaint goes to the organisation of its county, else of its city, else of its
province (`division_chain`)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from anxin.core.errors import ValidationFailed, msg

DATA = Path(__file__).with_name("data") / "divisions.json"


@cache
def _names() -> dict[str, str]:
    return dict(json.loads(DATA.read_text(encoding="utf-8")))


def division_name(code: str) -> str:
    return _names().get(code, "")


def division_chain(code: str) -> list[str]:
    """The code and the divisions above it, nearest first: county, city, province."""
    chain = [code]
    if code[4:] != "00":
        chain.append(code[:4] + "00")
    if code[2:] != "0000":
        chain.append(code[:2] + "0000")
    return [c for c in dict.fromkeys(chain) if c in _names()]


def division_label(code: str) -> str:
    """The full name, province first: 浙江省 杭州市 西湖区 (a city's 市辖区 is left out)."""
    parts = [division_name(c) for c in reversed(division_chain(code))]
    return " ".join(p for p in parts if p and p != "市辖区")


def division_clean(raw: object, field: str) -> str:
    """A known division code from user input, or ValidationFailed naming the field."""
    code = str(raw or "").strip()
    if not (len(code) == 6 and code.isdigit() and code in _names()):
        raise ValidationFailed(
            msg("{field}: not a known six-digit administrative division code", field=field),
            field=field,
        )
    return code


def divisions_under(code: str) -> list[tuple[str, str]]:
    """The divisions directly under `code` (a province's cities, a city's counties), by
    code: for the pickers on the pages."""
    names = _names()
    if code == "":
        return [(c, n) for c, n in sorted(names.items()) if c.endswith("0000")]
    if code.endswith("0000"):
        prefix = code[:2]
        return [
            (c, n)
            for c, n in sorted(names.items())
            if c.startswith(prefix) and c.endswith("00") and not c.endswith("0000")
        ]
    prefix = code[:4]
    return [(c, n) for c, n in sorted(names.items()) if c.startswith(prefix) and c[4:] != "00"]
