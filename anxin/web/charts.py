"""Charts drawn on the server, as SVG in the page: bars for figures of a day, a line for a
figure at the end of each day; axes with dates and figures; an accessible title and
description. The page adds a table of every day under each chart.

Why drawn here rather than by a chart library vendored as a static file: the pages run under
a strict Content-Security-Policy (no inline script or style) on offline intranets, and a
dashboard of four small series needs no interaction. An SVG drawn here is a few kilobytes of
markup, needs no script at all (it shows with JavaScript off, prints, and is read by a screen
reader through its title and description), has no third-party code to pin, audit and keep up
to date, and is tested in Python like the rest of the product. Colours and type come from
anxin.css through class names, so nothing inline is needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The drawing's own units (its viewBox): about as wide as a phone's card, so that its text
# (FONT units high) reads at its own size at 390 px and scales up a little on a wider screen.
WIDTH, HEIGHT = 340, 180
FONT = 12
CHAR_W = 7.0  # an average digit's width at FONT, to leave room for the figures on the left
TOP, BOTTOM, RIGHT = 10, 24, 10


@dataclass(frozen=True)
class Scale:
    """The vertical axis: its ticks from 0 up to the top, which is at least the highest value."""

    ticks: list[int]

    @property
    def top(self) -> int:
        return self.ticks[-1]


def nice_scale(highest: int, *, least_step: int = 1, count: int = 4) -> Scale:
    """Ticks at 0 and round steps (1, 2 or 5 times a power of ten, never less than
    `least_step`) up to the first one at or above `highest`, about `count` of them."""
    step = least_step
    while highest > step * count:
        for factor in (2, 2.5, 2):  # 1 -> 2 -> 5 -> 10, times the power of ten
            step = int(step * factor)
            if highest <= step * count:
                break
    top = max(step, -(-highest // step) * step)
    return Scale(list(range(0, top + 1, step)))


def svg_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    days: Sequence[dt.date],
    values: Sequence[int],
    kind: str,
    label: Callable[[int], str] = str,
    least_step: int = 1,
    mark: Callable[[dt.date], str] = lambda d: f"{d:%m-%d}",
) -> SafeString:
    """The chart as an <svg> element: `kind` "bars" (a bar for each day) or "line" (a line
    through each day's value). `label` writes a figure on the axis (fen as yuan, say), `mark`
    a day under it (a month's first day as its month, say)."""
    if len(days) != len(values) or not days:
        raise ValueError("a chart needs one value for each day, and at least one day")
    if kind not in ("bars", "line"):
        raise ValueError(f"unknown chart kind {kind!r}")
    scale = nice_scale(max(0, *values), least_step=least_step)
    tick_labels = [label(t) for t in scale.ticks]
    left = round(max(len(t) for t in tick_labels) * CHAR_W) + 8
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / len(days)

    def y(v: int) -> float:
        return base - plot_h * max(0, v) / scale.top

    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" data-kind="{kind}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        '<g class="grid">',
    ]
    for t, text in zip(scale.ticks, tick_labels, strict=True):
        parts.append(f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y(t) + FONT / 3:.1f}" text-anchor="end">'
            f"{escape(text)}</text>"
        )
    parts.append("</g>")
    if kind == "bars":
        gap = min(2.0, slot * 0.25)
        parts.append('<g class="bars">')
        for i, v in enumerate(values):
            if v > 0:
                parts.append(
                    f'<rect x="{left + i * slot + gap / 2:.1f}" y="{y(v):.1f}" '
                    f'width="{slot - gap:.1f}" height="{base - y(v):.1f}"/>'
                )
        parts.append("</g>")
    else:
        points = " ".join(f"{left + (i + 0.5) * slot:.1f},{y(v):.1f}" for i, v in enumerate(values))
        first, last = left + 0.5 * slot, left + (len(values) - 0.5) * slot
        parts.append(
            f'<polygon class="area" points="{first:.1f},{base} {points} {last:.1f},{base}"/>'
        )
        parts.append(f'<polyline class="line" points="{points}"/>')
    # The dates: the first, the middle and the last day, under the axis.
    parts.append(
        f'<g class="axis"><line x1="{left}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>'
    )
    marks = sorted({0, (len(days) - 1) // 2, len(days) - 1})
    for i in marks:
        anchor = "start" if i == 0 else "end" if i == len(days) - 1 else "middle"
        x = left if i == 0 else WIDTH - RIGHT if anchor == "end" else left + (i + 0.5) * slot
        text = escape(mark(days[i]))
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{text}</text>')
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text in it is escaped above)


ROW = 30  # a labelled bar's height: its label above it, then the bar


def svg_labelled_bars(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[int],
    label: Callable[[int], str] = str,
) -> SafeString:
    """A bar for each named thing (a category, a province), its name above it and its figure
    at its end, longest to scale: for figures that are not a series of days."""
    if len(labels) != len(values) or not labels:
        raise ValueError("a chart needs one value for each label, and at least one label")
    most = max(1, *values)
    texts = [label(v) for v in values]
    room = round(max(len(t) for t in texts) * CHAR_W) + 8
    width = WIDTH - RIGHT - room
    height = TOP + ROW * len(labels)
    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" data-kind="labelled">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        '<g class="bars">',
    ]
    for i, v in enumerate(values):
        y = TOP + i * ROW
        w = width * max(0, v) / most
        if v > 0:
            parts.append(f'<rect x="0" y="{y + 14}" width="{max(w, 1.0):.1f}" height="10"/>')
    parts.append('</g><g class="axis">')
    for i, (name, text) in enumerate(zip(labels, texts, strict=True)):
        y = TOP + i * ROW
        w = width * max(0, values[i]) / most
        parts.append(f'<text x="0" y="{y + 10}">{escape(name)}</text>')
        parts.append(f'<text x="{w + 4:.1f}" y="{y + 23}">{escape(text)}</text>')
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text in it is escaped above)
