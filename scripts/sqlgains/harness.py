"""Measuring: a Case and its variants, the alternating timed rounds, the round-trip count, the
report, and the reference round trip."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """One measure: `run(x)` for each input `prepare(k)` made (inside the transaction, untimed),
    for each variant. `wrap` is a context manager a variant runs under (its ORM names)."""

    section: str
    name: str
    use: str
    prepare: Callable[[int], list[Any]]
    variants: dict[str, tuple[Callable[[Any], Any], Callable[[], Any] | None]]
    calls: int
    chunk: int
    rollback: bool = True
    per: str = "call"
    results: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    trips: dict[str, float] = field(default_factory=dict)


class _Count:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _pass(case: Case, variant: str, calls: int, count: bool = False) -> tuple[float, float, int]:
    """Seconds of CPU and wall spent in `calls` calls of the variant, and statements sent."""
    from django.db import connection, transaction

    run, wrap = case.variants[variant]
    cpu = wall = 0.0
    counter = _Count()
    done = 0
    with wrap() if wrap is not None else _nothing():
        while done < calls:
            k = min(case.chunk, calls - done)
            with transaction.atomic() if case.rollback else _nothing():
                inputs = case.prepare(k)
                with connection.execute_wrapper(counter) if count else _nothing():
                    c0, w0 = time.process_time(), time.perf_counter()
                    for x in inputs:
                        run(x)
                    w1, c1 = time.perf_counter(), time.process_time()
                cpu += c1 - c0
                wall += w1 - w0
                if case.rollback:
                    transaction.set_rollback(True)
            done += k
    return cpu, wall, counter.n


def measure(case: Case, rounds: int, log: Callable[[str], None]) -> None:
    names = list(case.variants)
    for v in names:  # warm-up (caches, prepared statements) and the round trips
        n = min(case.chunk, case.calls)
        _, _, stmts = _pass(case, v, n, count=True)
        case.trips[v] = stmts / n
        case.results[v] = {"cpu": [], "wall": []}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for v in order:
            gc.collect()
            cpu, wall, _ = _pass(case, v, case.calls)
            case.results[v]["cpu"].append(cpu / case.calls * 1e6)
            case.results[v]["wall"].append(wall / case.calls * 1e6)
    log(
        f"  {case.name} [{case.use}]: "
        + ", ".join(f"{v} cpu {statistics.median(case.results[v]['cpu']):.1f}" for v in names)
        + f" us/{case.per}"
    )


def _gain(case: Case, variant: str, what: str) -> float:
    base = case.results[next(iter(case.variants))][what]
    other = case.results[variant][what]
    return statistics.median(o - b for o, b in zip(other, base, strict=True))


def report(cases: list[Case], header: str) -> list[dict[str, Any]]:
    rows = []
    print(header)
    print(
        f"    {'variant':<24} {'cpu us':>10} {'gain':>10} {'%':>7} {'wall us':>10} "
        f"{'gain':>10} {'trips':>6}"
    )
    section = None
    for case in cases:
        if case.section != section:
            section = case.section
            print(f"== {section}")
        print(f"{case.name}  ({case.use}; us per {case.per})")
        base = next(iter(case.variants))
        bcpu = statistics.median(case.results[base]["cpu"])
        for v in case.variants:
            cpu = statistics.median(case.results[v]["cpu"])
            wall = statistics.median(case.results[v]["wall"])
            g = None if v == base else _gain(case, v, "cpu")
            gw = None if v == base else _gain(case, v, "wall")
            if g is None or gw is None:
                gains = f"{'':>10} {'':>7} {wall:>10.1f} {'':>10}"
            else:
                gains = f"{g:>+10.1f} {100 * g / bcpu:>+6.1f}% {wall:>10.1f} {gw:>+10.1f}"
            print(f"    {v:<24} {cpu:>10.1f} {gains} {case.trips[v]:>6.2f}")
            rows.append(
                {
                    "section": case.section,
                    "measure": case.name,
                    "use": case.use,
                    "variant": v,
                    "per": case.per,
                    "cpu_us": round(cpu, 1),
                    "wall_us": round(wall, 1),
                    "cpu_gain_us": None if g is None else round(g, 1),
                    "wall_gain_us": None if gw is None else round(gw, 1),
                    "round_trips": round(case.trips[v], 2),
                    "rounds_cpu_us": [round(x, 1) for x in case.results[v]["cpu"]],
                    "rounds_wall_us": [round(x, 1) for x in case.results[v]["wall"]],
                }
            )
    return rows


def reference(calls: int, chunk: int) -> Case:
    """What one round trip costs on this machine at this moment, to compare runs by: a
    compiled SELECT 1 through Django's cursor."""
    from django.db import connection

    def select_one(_: Any) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()

    return Case(
        section="reference",
        name="SELECT 1 through a cursor",
        use="one round trip",
        prepare=lambda k: [None] * k,
        variants={"cursor": (select_one, None)},
        calls=calls,
        chunk=chunk,
    )
