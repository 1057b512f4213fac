"""Dated legal parameters (data/parameters.yaml): each value with the day it took effect and
the article it comes from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from anxin.law.decision import Citation

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Value:
    since: dt.date
    value: Any
    cite: Citation


@cache
def table() -> dict[str, tuple[Value, ...]]:
    raw = yaml.safe_load((DATA / "parameters.yaml").read_text(encoding="utf-8"))
    out: dict[str, tuple[Value, ...]] = {}
    for name, entries in raw.items():
        values = []
        for e in entries:
            if set(e) != {"since", "value", "cite"}:
                raise ValueError(f"parameters.yaml: {name}: each entry has since, value, cite")
            values.append(Value(e["since"], e["value"], Citation(*e["cite"])))
        values.sort(key=lambda v: v.since)
        out[name] = tuple(values)
    return out


class NotInForce(LookupError):
    """No value of the parameter was in force on the day asked about."""

    def __init__(self, name: str, on: dt.date, since: dt.date) -> None:
        super().__init__(f"{name}: no value before {since.isoformat()} (asked for {on})")
        self.name, self.on, self.since = name, on, since


def get(name: str, on: dt.date) -> Value:
    """The value of `name` in force on `on`."""
    values = table()[name]
    found = None
    for v in values:
        if v.since <= on:
            found = v
        else:
            break
    if found is None:
        raise NotInForce(name, on, values[0].since)
    return found


def value(name: str, on: dt.date) -> Any:
    return get(name, on).value
