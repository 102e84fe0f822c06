"""Inline SVG for the self-service pages: progress over time per competency (SPEC J3).

Drawn on the server like the report's radar (``scoring.report.radar_svg``): no script, no
external asset, readable on a phone, printable. Each point carries a ``<title>`` (its date and
score) so a screen reader and a hover both name it; the table beside the chart holds the same
numbers and the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from hireflow.selfservice.development import Series

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 150, 16, 30
COLOURS = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#be185d", "#4b5563")


def progress_svg(series: list[Series], day: Callable[[datetime], str], title: str) -> str:
    """A line per competency, scores 0–10 against time; ``day`` formats a point's time."""
    lines = [s for s in series if s.points]
    if not lines:
        return ""
    times = sorted({p.at for s in lines for p in s.points})
    first, last = times[0], times[-1]
    span = (last - first).total_seconds() or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        if len(times) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (at - first).total_seconds() / span

    def y(score: float) -> float:
        return TOP + plot_h * (1 - max(0.0, min(10.0, score)) / 10.0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="progress-chart" aria-label="{escape(title)}">'
    ]
    for tick in (0, 5, 10):
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e5e7eb"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#6b7280">{tick}</text>'
        )
    for at in (first, last) if len(times) > 1 else (first,):
        parts.append(
            f'<text x="{x(at):.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle" '
            f'fill="#6b7280">{escape(day(at))}</text>'
        )
    for index, line in enumerate(lines):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x(p.at):.1f},{y(p.score):.1f}" for p in line.points)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
            f'data-dimension="{escape(line.dimension)}"/>'
        )
        for p in line.points:
            parts.append(
                f'<circle cx="{x(p.at):.1f}" cy="{y(p.score):.1f}" r="4" fill="{colour}">'
                f"<title>{escape(line.name)} {p.score:.1f} · {escape(day(p.at))}</title></circle>"
            )
        end = line.points[-1]
        parts.append(
            f'<text x="{LEFT + plot_w + 8}" y="{y(end.score) + 4:.1f}" font-size="11" '
            f'fill="{colour}">{escape(line.name)} {end.score:.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
