"""Inline SVG charts on one time axis, rollout steps marked: no script, no network, text escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape

Point = tuple[datetime, float]
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 920, 190, 64, 130, 22, 26
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def chart(title: str, unit: str, lines: dict[str, list[Point]], span: tuple[datetime, datetime],
          marks: list[tuple[datetime, str]], key: str) -> str:
    """One panel: a polyline per series, a y axis from 0, vertical dashed lines at ``marks``."""
    t0, t1 = span[0].timestamp(), span[1].timestamp()
    top = max((v for pts in lines.values() for _, v in pts), default=0.0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(ts: datetime) -> float:
        return LEFT + plot_w * (ts.timestamp() - t0) / ((t1 - t0) or 1)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [f'<svg class="chart" data-chart="{escape(key)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="{LEFT}" y="14" class="ct">{escape(title)} ({escape(unit)})</text>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" class="axis"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>']
    for frac in (0, 0.5, 1):
        parts.append(f'<text x="{LEFT - 4}" y="{y(top * frac) + 4:.1f}" class="yl">{_short(top * frac)}</text>')
    for hour in _hours(span):
        parts.append(f'<text x="{x(hour):.1f}" y="{HEIGHT - 8}" class="xl">{hour:%H:%M}</text>')
    for ts, label in marks:
        if span[0] <= ts <= span[1]:
            parts.append(f'<line x1="{x(ts):.1f}" y1="{TOP}" x2="{x(ts):.1f}" y2="{TOP + plot_h}" class="mark">'
                         f'<title>{escape(label)}</title></line>')
            parts.append(f'<text x="{x(ts) + 2:.1f}" y="{TOP + 9}" class="ml">{escape(label.split(" ")[-1])}</text>')
    for n, (name, points) in enumerate(sorted(lines.items())):
        colour = COLOURS[n % len(COLOURS)]
        path = " ".join(f"{x(ts):.1f},{y(v):.1f}" for ts, v in points if span[0] <= ts <= span[1])
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6" data-series="{escape(name)}"/>')
        parts.append(f'<text x="{WIDTH - RIGHT + 8}" y="{TOP + 12 + 14 * n}" fill="{colour}" class="lg">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _hours(span: tuple[datetime, datetime]) -> list[datetime]:
    first = span[0].replace(minute=0, second=0, microsecond=0)
    step = max(1, int((span[1] - span[0]).total_seconds() // 3600 // 8) or 1)
    out, ts, n = [], first, 0
    while ts <= span[1]:
        if ts >= span[0] and n % step == 0:
            out.append(ts)
        ts = ts.fromtimestamp(ts.timestamp() + 3600, ts.tzinfo)
        n += 1
    return out


def _short(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.3g}k"
    return f"{value:.3g}"
