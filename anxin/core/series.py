"""Figures by local day, for the dashboards: the days of a window in the deployment's time zone
(Asia/Shanghai), how many rows fall on each day in one GROUP BY query, and a running total
from a starting figure and each day's change. The apps' selectors build their series on these,
so every series cuts its days at the same local midnight."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone


def local_days(days: int, today: dt.date | None = None) -> list[dt.date]:
    """The last `days` local dates, oldest first, ending today."""
    end = today or timezone.localdate()
    return [end - dt.timedelta(days=days - 1 - i) for i in range(days)]


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def window(days: list[dt.date]) -> tuple[dt.datetime, dt.datetime]:
    """The window's bounds: the first day's local midnight, the midnight after the last."""
    return day_start(days[0]), day_start(days[-1] + dt.timedelta(days=1))


def per_day(
    rows: QuerySet[Any], field: str, days: list[dt.date], value: Any = None
) -> dict[dt.date, int]:
    """How many of `rows` have `field` (a datetime) on each local day of the window, or the
    aggregate `value` of each day's rows: one query, grouped by the local date the database
    computes."""
    start, end = window(days)
    by_day = (
        rows.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(n=Count("pk") if value is None else value)
        .values_list("day", "n")
    )
    return {_as_date(d): n or 0 for d, n in by_day}


def as_series(values: Mapping[dt.date, int], days: Iterable[dt.date]) -> list[int]:
    """Each day's figure, 0 for a day with none."""
    return [values.get(d, 0) for d in days]


def running(start: int, changes: Mapping[dt.date, int], days: Iterable[dt.date]) -> list[int]:
    """The figure at the end of each day: `start` (before the first day) plus every change
    up to and including that day."""
    out, total = [], start
    for d in days:
        total += changes.get(d, 0)
        out.append(total)
    return out


def _as_date(value: Any) -> dt.date:
    # SQLite hands back the date as text when the ORM cannot tell the column's type.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
