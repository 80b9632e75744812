"""Charts drawn on the server as SVG (issue 13 item 1): no JavaScript, no library, nothing from a CDN. This module
computes the geometry; the template `courses/_line_chart.svg.html` draws it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 24, 12, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    day: date


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: list[Point]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    series: list[Series]
    maximum: int
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines
    labels: list[tuple[float, date]]  # (x, day) under the axis, every other point
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    right_x: int = WIDTH - RIGHT


def line_chart(*, days: list[date], series: list[tuple[str, str, list[int]]]) -> LineChart:
    """A line chart of one value per day in `days` for each (key, label, values) of `series`, on one scale from 0
    to the largest value (at least 1, rounded up to an even number for a whole middle tick)."""
    top = max([1, *(v for _, _, values in series for v in values)])
    top += top % 2
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(days) - 1)

    def y_of(value: int) -> float:
        return TOP + plot_h - value * plot_h / top

    drawn = [Series(key=key, label=label, points=[Point(x=LEFT + i * step, y=y_of(v), value=v, day=days[i])
                                                  for i, v in enumerate(values)])
             for key, label, values in series]
    return LineChart(series=drawn, maximum=top, ticks=[(y_of(v), v) for v in (0, top // 2, top)],
                     labels=[(LEFT + i * step, day) for i, day in enumerate(days) if (len(days) - 1 - i) % 2 == 0])
