"""Charts drawn on the server as inline SVG (no JavaScript, no CDN): the dashboard's MRR trend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def trend_svg(*, points: list[tuple[date, Decimal]], title: str, width: int = 640, height: int = 200) -> SafeString:
    """A bar chart of `points` (one bar per month), each bar with a <title> giving its exact value."""
    pad_left, pad_bottom, pad_top = 8, 22, 12
    top = max((value for _day, value in points), default=Decimal("0")) or Decimal("1")
    slot = (width - pad_left * 2) / max(len(points), 1)
    bar = slot * 0.7
    plot = height - pad_bottom - pad_top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, (day, value) in enumerate(points):
        h = float(value / top) * plot
        x = pad_left + index * slot + (slot - bar) / 2
        y = pad_top + plot - h
        label = escape(date_format(day, "M y"))
        amount = escape(number_format(value, 2, force_grouping=True))
        parts.append(f'<g><title>{label}: {amount} EUR</title><rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                     f'height="{max(h, 0.5):.1f}" rx="2" class="bar" data-value="{value}"></rect>'
                     f'<text x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                     f'class="axis">{label}</text></g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
