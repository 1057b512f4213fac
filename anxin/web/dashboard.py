"""The dashboard of the operator and the regulator: orders and complaints a day, the
after-sales backlog and the guarantee fund's balance at the end of each day, over the last 30
(or 90) days in Beijing time. Each series is read by its app's selector in a query or three,
whatever the number of days; each chart is drawn on the server (charts.py) with its figures in
a table under it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anxin.aftersales.selectors import aftersales_open_by_day
from anxin.core.money import format_fen
from anxin.core.series import local_days
from anxin.disputes.selectors import disputes_per_day
from anxin.orders.selectors import orders_per_day
from anxin.remedies.selectors import fund_balance_by_day
from anxin.web.charts import svg_chart

WINDOWS = (30, 90)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    summary: str
    svg: SafeString
    rows: list[tuple[dt.date, str, str]]  # the day, the day in words, the figure


def _day(d: dt.date) -> str:
    """A day of the month in words: "December 5", "12月5日" (not Django's "12月05日")."""
    return date_format(d, pgettext("a day in words", "F j"))


def _peak(days: list[dt.date], values: list[int]) -> tuple[dt.date, int]:
    """The day with the highest value (the latest such day)."""
    i = max(range(len(values)), key=lambda k: (values[k], k))
    return days[i], values[i]


def _per_day_summary(days: list[dt.date], values: list[int], none: str, some: str) -> str:
    total = sum(values)
    if total == 0:
        return none % {"days": len(days)}
    day, most = _peak(days, values)
    return some % {"total": total, "days": len(days), "day": _day(day), "most": most}


def _chart(
    words: list[str],
    key: str,
    title: str,
    summary: str,
    days: list[dt.date],
    values: list[int],
    kind: str,
    label: Callable[[int], str] = str,
    least_step: int = 1,
) -> Chart:
    return Chart(
        key=key,
        title=title,
        summary=summary,
        svg=svg_chart(
            chart_id=f"chart-{key}",
            title=title,
            desc=summary,
            days=days,
            values=values,
            kind=kind,
            label=label,
            least_step=least_step,
        ),
        rows=[(d, w, label(v)) for d, w, v in zip(days, words, values, strict=True)],
    )


def dashboard(days_back: int) -> dict[str, Any]:
    """The page's context: the window and its four charts."""
    days = local_days(days_back)
    orders = orders_per_day(days)
    complaints = disputes_per_day(days)
    backlog = aftersales_open_by_day(days)
    fund = fund_balance_by_day(days)
    n = len(days)
    words = [_day(d) for d in days]  # once for the four tables: date_format is not cheap
    charts = [
        _chart(
            words,
            "orders",
            _("Orders a day"),
            _per_day_summary(
                days,
                orders,
                _("No order in the last %(days)d days."),
                _("In the last %(days)d days: %(total)d; the most on %(day)s: %(most)d."),
            ),
            days,
            orders,
            "bars",
        ),
        _chart(
            words,
            "complaints",
            _("Complaints a day"),
            _per_day_summary(
                days,
                complaints,
                _("No complaint in the last %(days)d days."),
                _("In the last %(days)d days: %(total)d; the most on %(day)s: %(most)d."),
            ),
            days,
            complaints,
            "bars",
        ),
        _chart(
            words,
            "backlog",
            _("After-sales requests open"),
            _("Open at the end of today: %(now)d; the most in the last %(days)d days: %(most)d.")
            % {"now": backlog[-1], "days": n, "most": max(backlog)},
            days,
            backlog,
            "line",
        ),
        _chart(
            words,
            "fund",
            _("Guarantee fund balance"),
            _("Balance now: %(now)s; the lowest in the last %(days)d days: %(low)s.")
            % {"now": format_fen(fund[-1]), "days": n, "low": format_fen(min(fund))},
            days,
            fund,
            "line",
            label=format_fen,
            least_step=100,
        ),
    ]
    return {
        "days_back": days_back,
        "windows": WINDOWS,
        "first": _day(days[0]),
        "last": _day(days[-1]),
        "charts": charts,
    }
