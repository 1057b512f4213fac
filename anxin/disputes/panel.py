"""The appeal panel's draw and tally: pure functions, no Django, so that anyone holding a
case's published seed and pool can check the draw, and the tally is tested without a
database."""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
from collections.abc import Sequence
from typing import Any, Protocol


class Ballot(Protocol):
    """A panel member's vote: uphold the decision, or the remedy it should be instead."""

    uphold: bool
    remedy_fen: int


class Drawn(Protocol):
    """An appeal as published: the seed, where it came from, the pool and who was drawn."""

    seed: str
    seed_source: dict[str, Any]
    pool: list[int]
    members: list[int]


def draw(seed: str, pool: list[int], k: int) -> list[int]:
    """`k` members from `pool`, reproducibly from `seed`: a Fisher-Yates shuffle of the pool
    (ascending ids) driven by HMAC-SHA256(seed, counter), each index taken without modulo
    bias. Anyone with the seed and the pool gets the same members."""
    if k > len(pool):
        raise ValueError("pool smaller than the panel")
    items = sorted(pool)
    key = bytes.fromhex(seed)
    counter = 0

    def below(n: int) -> int:
        nonlocal counter
        limit = (2**64 // n) * n
        while True:
            block = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha256).digest()
            counter += 1
            value = int.from_bytes(block[:8], "big")
            if value < limit:
                return value % n

    for i in range(len(items) - 1, 0, -1):
        j = below(i + 1)
        items[i], items[j] = items[j], items[i]
    return items[len(items) - k :][::-1]


def seed_of(source: dict[str, Any]) -> str:
    canonical = json.dumps(source, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_draw(a: Drawn) -> bool:
    return seed_of(a.seed_source) == a.seed and draw(a.seed, a.pool, len(a.members)) == a.members


def tally(votes: Sequence[Ballot], size: int, *, final: bool) -> tuple[bool, int] | None:
    """(upheld, remedy) once a majority of the panel agrees, or at the deadline (`final`)
    by the votes cast: a majority to uphold, or to change it (the median of the changed
    remedies). Too few votes, or a tie, at the deadline: the decision stands."""
    need = size // 2 + 1
    upholds = [v for v in votes if v.uphold]
    changes = [v for v in votes if not v.uphold]
    if len(upholds) >= need:
        return True, -1
    if len(changes) >= need:
        return False, int(statistics.median_low(v.remedy_fen for v in changes))
    if not final:
        return None
    if len(changes) > len(upholds):
        return False, int(statistics.median_low(v.remedy_fen for v in changes))
    return True, -1
