"""Complete checkout lifecycles with the ledger's, then the payments' core.sql names replaced,
and how many times a lifecycle calls each core.sql function."""

from __future__ import annotations

import uuid
from typing import Any

from .fixtures import World
from .harness import Case
from .orm import ORM, orm_in


def lifecycle(w: World, n: int) -> list[Case]:
    import anxin.ledger.services as ledger
    import anxin.payments.providers.sandbox as sandbox
    import anxin.payments.services as payments
    from anxin.bench import synthetic

    tag = uuid.uuid4().hex[:6]
    seq = iter(range(10**9))

    def run(_: Any) -> None:
        i = next(seq)
        synthetic.checkout(
            w.provider,
            w.buyers[i % len(w.buyers)],
            w.listings[i % len(w.listings)],
            f"l{tag}{i}",
            to="confirmed",
        )

    return [
        Case(
            section="lifecycle",
            name="checkout lifecycle (5 service transactions)",
            use="anxin bench checkout, 1 client",
            prepare=lambda k: [None] * k,
            variants={
                "compiled": (run, None),
                "orm_ledger": (run, lambda: orm_in(ledger)),
                "orm_payments+sandbox": (run, lambda: orm_in(payments, sandbox)),
            },
            calls=n,
            chunk=n,
            rollback=False,
            per="lifecycle",
        )
    ]


def uses_per_lifecycle(w: World) -> dict[str, int]:
    """How many times one checkout lifecycle calls each core.sql function, by caller."""
    import importlib

    from anxin.bench import synthetic
    from anxin.core import sql

    counts: dict[str, int] = {}
    saved = []
    importers = [
        "anxin.orders.locks",
        "anxin.orders.events",
        "anxin.evidence.sequencer",
        "anxin.evidence.services",
        "anxin.core.tasks_backend",
        "anxin.ledger.services",
        "anxin.payments.services",
        "anxin.payments.providers.sandbox",
        "anxin.disputes.writer",
    ]
    for name in importers:
        m = importlib.import_module(name)
        for fn in ORM:
            if hasattr(m, fn) and getattr(m, fn) is getattr(sql, fn):
                real = getattr(m, fn)

                def counted(
                    *a: Any, _real: Any = real, _key: str = f"{name}.{fn}", **k: Any
                ) -> Any:
                    counts[_key] = counts.get(_key, 0) + 1
                    return _real(*a, **k)

                saved.append((m, fn, real))
                setattr(m, fn, counted)
    try:
        synthetic.checkout(w.provider, w.buyers[0], w.listings[0], uuid.uuid4().hex, to="confirmed")
    finally:
        for m, fn, real in saved:
            setattr(m, fn, real)
    return counts
