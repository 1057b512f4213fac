"""Row locks are taken here and only here, always in the same order, so two transactions that
touch the same rows can never deadlock each other.

The order is: order rows (by id), then ledger accounts (by id). Within a kind, ascending ids.
On SQLite, select_for_update is a no-op and the IMMEDIATE transaction holds the database's write
lock instead, which serialises writers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock_rows(model: type[M], ids: Iterable[int]) -> dict[int, M]:
    wanted = sorted(set(ids))
    rows = model._default_manager.select_for_update().filter(pk__in=wanted).order_by("pk")
    return {row.pk: row for row in rows}


def lock_one(model: type[M], pk: int) -> M:
    return model._default_manager.select_for_update().get(pk=pk)
