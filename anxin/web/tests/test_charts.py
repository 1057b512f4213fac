"""The dashboard's charts, drawn on the server as SVG (web/charts.py): round axis steps, a bar
for each day with a figure, a line through every day, dates under the axis, an accessible
title and description, and nothing unescaped."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from anxin.core.money import format_fen
from anxin.web.charts import HEIGHT, TOP, nice_scale, svg_chart

DAYS = [dt.date(2026, 11, 6) + dt.timedelta(days=i) for i in range(30)]


def test_the_axis_steps_are_round_and_reach_the_highest_value() -> None:
    # Given highest values from nothing to thousands
    # When the axis is scaled for each
    # Then it starts at 0, steps by 1, 2 or 5 times a power of ten, and ends at or above it
    assert nice_scale(0).ticks == [0, 1]
    assert nice_scale(3).ticks == [0, 1, 2, 3]
    assert nice_scale(7).ticks == [0, 2, 4, 6, 8]
    assert nice_scale(57).ticks == [0, 20, 40, 60]
    assert nice_scale(4819, least_step=100).ticks == [0, 2000, 4000, 6000]
    assert nice_scale(12).ticks == [0, 5, 10, 15]
    for highest in range(0, 2000, 7):
        s = nice_scale(highest)
        assert s.top >= highest
        assert len(s.ticks) <= 5
        assert str(s.ticks[1])[0] in "125"
        assert set(str(s.ticks[1])[1:]) <= {"0"}


def test_bars_are_drawn_for_the_days_with_a_figure() -> None:
    # Given 30 days with orders on two of them
    values = [0] * 30
    values[3], values[29] = 2, 4
    # When they are drawn as bars
    svg = svg_chart(
        chart_id="c", title="每日订单", desc="近 30 天共 6", days=DAYS, values=values, kind="bars"
    )
    # Then there is a bar for each of the two days, the taller twice the height of the other
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 2
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)
    # And the chart is an image named by its title and described by its summary
    assert 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">每日订单</title>' in svg
    assert '<desc id="c-desc">近 30 天共 6</desc>' in svg
    # And the first, middle and last days are written under the axis
    assert re.findall(r">(\d\d-\d\d)</text>", svg) == ["11-06", "11-20", "12-05"]
    # And nothing in it is styled inline (the Content-Security-Policy refuses it)
    assert "style=" not in svg


def test_a_line_goes_through_every_day_and_money_is_written_in_yuan() -> None:
    # Given a balance of ¥10.00 that grows to ¥48.19 on the last day
    values = [1000] * 29 + [4819]
    # When it is drawn as a line with the figures in yuan
    svg = svg_chart(
        chart_id="f",
        title="保障金余额",
        desc="",
        days=DAYS,
        values=values,
        kind="line",
        label=format_fen,
        least_step=100,
    )
    # Then the line has a point for each day, the last one the highest on the drawing
    points = re.search(r'<polyline class="line" points="([^"]+)"', svg)
    assert points is not None
    ys = [float(p.split(",")[1]) for p in points.group(1).split()]
    assert len(ys) == 30
    assert min(ys) == ys[-1] >= TOP
    assert max(ys) < HEIGHT
    # And the axis reads in yuan with two decimals
    assert "¥6,000.00" in svg or "¥60.00" in svg
    assert ">¥0.00<" in svg


def test_text_is_escaped_and_a_bad_series_is_refused() -> None:
    # Given a title with markup in it
    # When it is drawn
    svg = svg_chart(chart_id="x", title="<b>&", desc="", days=DAYS, values=[0] * 30, kind="bars")
    # Then the markup is text
    assert "&lt;b&gt;&amp;" in svg
    assert "<b>" not in svg
    # And a series whose values do not match its days, or of an unknown kind, is refused
    with pytest.raises(ValueError, match="one value for each day"):
        svg_chart(chart_id="x", title="", desc="", days=DAYS, values=[1], kind="bars")
    with pytest.raises(ValueError, match="unknown chart kind"):
        svg_chart(chart_id="x", title="", desc="", days=DAYS, values=[0] * 30, kind="pie")


def test_labelled_bars_are_to_scale_named_and_escaped() -> None:
    from anxin.web.charts import svg_labelled_bars

    # Given three categories, one named with markup
    # When they are drawn as labelled bars
    svg = str(
        svg_labelled_bars(
            chart_id="c",
            title="By category",
            desc="<b>",
            labels=["货不对板", "<script>", "其他"],
            values=[10, 5, 0],
        )
    )
    # Then the longest bar is twice the next, the empty one has no bar, and every name and
    # figure is written, escaped
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]
    assert len(widths) == 2
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01)
    assert "&lt;script&gt;" in svg
    assert "<script>" not in svg
    assert "货不对板" in svg
    assert ">0</text>" in svg
    # And a chart without labels is refused
    with pytest.raises(ValueError, match="at least one label"):
        svg_labelled_bars(chart_id="c", title="t", desc="d", labels=[], values=[])


def test_a_month_chart_writes_months_under_its_axis() -> None:
    # Given three months' first days
    days = [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    # When they are drawn with a month mark
    svg = str(
        svg_chart(
            chart_id="m",
            title="t",
            desc="d",
            days=days,
            values=[1, 2, 3],
            kind="bars",
            mark=lambda d: f"{d:%Y-%m}",
        )
    )
    # Then the axis names the months, not days
    assert ">2026-10</text>" in svg
    assert ">2026-12</text>" in svg
    assert "10-01" not in svg
