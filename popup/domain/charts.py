"""Geometry of small bar and line charts drawn as inline SVG (no JavaScript, no CDN).

Pure: labels and values in, coordinates and text out; the template
(templates/dashboard/_charts.html) writes the SVG elements. Values are never
negative here (counts, rates, days). Every bar and point carries its value as
text, so the chart reads without colour; the page also shows the data as a table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

Format = Callable[[float], str]

WIDTH: Final = 640
HEIGHT: Final = 280
MARGIN_LEFT: Final = 56
MARGIN_RIGHT: Final = 16
MARGIN_TOP: Final = 24
MARGIN_BOTTOM: Final = 48
MAX_X_LABELS: Final = 7  # more month names than this overlap at 12 px on 640 px


CHAR_WIDTH: Final = 7  # about the width of a character at 12 px, for cutting labels


def wrap(text: str, width: int) -> list[str]:
    """Cut a label into lines of at most ``width`` characters at spaces (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _plain(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Plot:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_label: str
    show_label: bool = True  # with many bars, one label in every few is written
    label_lines: tuple[str, ...] = ()  # the label cut to fit under the bar

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value_label: str
    show_label: bool  # the x-axis label is written (one in every few when there are many)
    show_value: bool


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    width: int
    height: int
    plot: Plot
    ticks: list[Tick]
    bars: list[Bar] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)  # SVG "points" of each unbroken run of the line

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ value (1 for 0 or less)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-12:
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover  (the loop always returns)


def tick_count(top_value: float) -> int:
    """4 intervals for a top of 2 × 10^k, else 5: every tick then falls on a round value."""
    leading = top_value / 10 ** math.floor(math.log10(top_value)) if top_value > 0 else 1
    return 4 if math.isclose(leading, 2) else 5


def _ticks(plot: Plot, top_value: float, fmt: Format) -> list[Tick]:
    count = tick_count(top_value)
    return [Tick(round(plot.bottom - plot.height * i / count, 2), fmt(top_value * i / count)) for i in range(count + 1)]


def _y(plot: Plot, value: float, top_value: float) -> float:
    return round(plot.bottom - plot.height * min(value, top_value) / top_value, 2)


def _plot(width: int, height: int) -> Plot:
    return Plot(MARGIN_LEFT, MARGIN_TOP, width - MARGIN_RIGHT, height - MARGIN_BOTTOM)


def _label_step(n: int) -> int:
    return max(1, math.ceil(n / MAX_X_LABELS))


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    value_format: Format = _plain,
    axis_format: Format | None = None,
    top_value: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """Vertical bars, one per (label, value), in the order given."""
    if any(v < 0 for _label, v in items):
        raise ValueError("bar charts here draw non-negative values only")
    plot = _plot(width, height)
    top = top_value or nice_ceiling(max((v for _label, v in items), default=0))
    slot = plot.width / max(len(items), 1)
    bar_width = round(slot * 0.6, 2)
    step = _label_step(len(items))
    bars = []
    for i, (label, value) in enumerate(items):
        y = _y(plot, value, top)
        x = round(plot.left + slot * i + (slot - bar_width) / 2, 2)
        shown = i % step == 0
        lines = tuple(wrap(label, max(4, int(slot * step / CHAR_WIDTH))))
        bars.append(Bar(x, y, bar_width, round(plot.bottom - y, 2), label, value_format(value), shown, lines))
    return Chart("bar", width, height, plot, _ticks(plot, top, axis_format or value_format), bars=bars)


def line_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    value_format: Format = _plain,
    axis_format: Format | None = None,
    top_value: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """A line through (label, value) points; a None value breaks the line (nothing known there)."""
    if any(v is not None and v < 0 for _label, v in items):
        raise ValueError("line charts here draw non-negative values only")
    plot = _plot(width, height)
    known = [v for _label, v in items if v is not None]
    top = top_value or nice_ceiling(max(known, default=0))
    n = len(items)
    step = _label_step(n)
    gap = plot.width / (n - 1) if n > 1 else 0
    points: list[Point] = []
    segments: list[str] = []
    run: list[str] = []
    for i, (label, value) in enumerate(items):
        x = round(plot.left + gap * i if n > 1 else plot.left + plot.width / 2, 2)
        shown = i % step == 0
        if value is None:
            if run:
                segments.append(" ".join(run))
            run = []
            points.append(Point(x, plot.bottom, label, "", shown, False))
            continue
        y = _y(plot, value, top)
        run.append(f"{x},{y}")
        points.append(Point(x, y, label, value_format(value), shown, shown))
    if run:
        segments.append(" ".join(run))
    return Chart(
        "line", width, height, plot, _ticks(plot, top, axis_format or value_format), points=points, segments=segments
    )
