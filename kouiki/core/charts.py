"""Bar charts drawn on the server as inline SVG (templates/includes/bar_chart.html): no script and no
inline style (the CSP allows neither), a title and a description for screen readers, each bar's
figure in its tooltip; the page shows the same figures in a table beside the chart.

`bar_chart` lays out categories along the horizontal axis (days, areas, minutes), one or several
series per category, stacked (a total split by its parts) or side by side (figures to compare)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# The drawing area (SVG user units; the SVG scales to the page's width).
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 56, 28, 12
# Told apart without colour vision too (Okabe–Ito first), then darker tones for more series.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#6b4c9a",
    "#999999",
    "#117733",
    "#882255",
    "#44aa99",
    "#332288",
)


def nice_top(value: float, *, whole: bool = False) -> float:
    """The top of the value axis at or above ``value``: four steps of 1, 2, 2.5 or 5 × 10ⁿ; of whole
    numbers (1, 2 or 5 × 10ⁿ, at least 1) when the figures are counts."""
    if value <= 0:
        return 4.0 if whole else 1.0
    step = max(value / 4, 1.0) if whole else value / 4
    magnitude = 10 ** math.floor(math.log10(step))
    steps = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    return 4 * next(m * magnitude for m in steps if m * magnitude >= step)


@dataclass(frozen=True)
class Segment:
    """One rectangle: a series' figure in one category."""

    x: float
    y: float
    width: float
    height: float
    color: str
    tooltip: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    segments: list[Segment]
    ticks: list[tuple[float, str]]  # (y, label) of the value axis
    labels: list[tuple[float, str]]  # (x, label) under the axis
    legend: list[tuple[str, str]]  # (color, series name)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    base: int = HEIGHT - BOTTOM


def _figure(value: float, unit: str) -> str:
    """A figure as the pages write numbers: thousands separated, at most three decimals."""
    written = f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{written}{unit}"


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    stacked: bool = True,
    every: int = 1,
    unit: str = "",
) -> BarChart:
    """A chart of `series` (name, one figure per category) over `categories`; a category's label is
    written under the axis for every `every`-th one. `unit` follows each figure in the tooltips."""
    if stacked:
        highest = max((sum(values[i] for _n, values in series) for i in range(len(categories))), default=0.0)
    else:
        highest = max((value for _n, values in series for value in values), default=0.0)
    top = nice_top(highest, whole=all(float(value).is_integer() for _n, values in series for value in values))
    area = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(categories), 1)
    bar = slot * 0.7 if stacked else slot * 0.8 / max(len(series), 1)
    segments = []
    for index, category in enumerate(categories):
        start = LEFT + index * slot + slot * (0.15 if stacked else 0.1)
        below = 0.0
        for number, (name, values) in enumerate(series):
            value = values[index]
            if value <= 0:
                continue
            height = area * value / top
            x = start if stacked else start + number * bar
            y = HEIGHT - BOTTOM - height - (below if stacked else 0.0)
            if stacked:
                below += height
            segments.append(
                Segment(
                    x=round(x, 2),
                    y=round(y, 2),
                    width=round(bar, 2),
                    height=round(height, 2),
                    color=PALETTE[number % len(PALETTE)],
                    tooltip=f"{category} {name}: {_figure(value, unit)}",
                )
            )
    ticks = [(round(HEIGHT - BOTTOM - area * part / 4, 2), _figure(top * part / 4, "")) for part in range(5)]
    labels = [
        (round(LEFT + index * slot + slot * 0.15, 2), category)
        for index, category in enumerate(categories)
        if index % every == 0
    ]
    legend = [(PALETTE[number % len(PALETTE)], name) for number, (name, _values) in enumerate(series)]
    return BarChart(
        title=title, description=description, segments=segments, ticks=ticks, labels=labels, legend=legend
    )
