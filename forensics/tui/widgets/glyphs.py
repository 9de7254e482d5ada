"""Bars, level glyphs and compact numbers for the timeline's cells (pure functions)."""

from __future__ import annotations

EIGHTHS = " ▏▎▍▌▋▊▉█"
LEVELS = "▁▂▃▄▅▆▇█"
#: GC overhead (% of the bucket in pauses) at which each of LEVELS starts.
OVERHEAD_STEPS = (0.0001, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0)


def hbar(fraction: float, width: int) -> str:
    """A left-aligned horizontal bar of ``width`` cells filled to ``fraction`` (0–1), in eighths."""
    if width <= 0:
        return ""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    if fraction > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    bar = "█" * full + (EIGHTHS[part] if part else "")
    return bar.ljust(width)


def level(value: float | None, steps: tuple[float, ...] = OVERHEAD_STEPS) -> str:
    """One vertical-bar glyph for ``value`` on the ladder ``steps`` (blank below the first step)."""
    if value is None:
        return " "
    glyph = " "
    for step, char in zip(steps, LEVELS, strict=True):
        if value >= step:
            glyph = char
    return glyph


def compact(value: float | None) -> str:
    """A number in at most five characters: 950, 12.3k, 4.2M."""
    if value is None:
        return ""
    if abs(value) < 1000:
        return f"{value:.0f}" if value == int(value) or abs(value) >= 10 else f"{value:.1f}"
    for unit, size in (("k", 1e3), ("M", 1e6), ("G", 1e9)):
        scaled = value / size
        if abs(scaled) < 1000:
            return f"{scaled:.1f}{unit}" if abs(scaled) < 100 else f"{scaled:.0f}{unit}"
    return f"{value:.1e}"
