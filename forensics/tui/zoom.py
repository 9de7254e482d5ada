"""Bucket widths the timeline zooms through, and how times are shown at each.

Times are always UTC. A bucket of width ``w`` starts at a multiple of ``w`` counted from
DuckDB's ``time_bucket`` origin (Monday 2000-01-03 00:00 UTC), so the buckets the UI lays out
are exactly the ones the queries return.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: The zoom ladder, finest first. Every width divides a day, so buckets align on midnight UTC.
WIDTHS: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s)
    for s in (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
)
#: DuckDB's origin for ``time_bucket`` with widths under a month.
ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)


def floor(ts: datetime, width: timedelta) -> datetime:
    """The start of the bucket of width ``width`` that holds ``ts``."""
    return ORIGIN + ((ts - ORIGIN) // width) * width


def label(width: timedelta) -> str:
    """``10s``, ``5m``, ``1h``, ``1d``: also what ``forensics.queries.parse_interval`` reads."""
    seconds = int(width.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def finer(width: timedelta) -> timedelta:
    smaller = [w for w in WIDTHS if w < width]
    return smaller[-1] if smaller else WIDTHS[0]


def coarser(width: timedelta) -> timedelta:
    larger = [w for w in WIDTHS if w > width]
    return larger[0] if larger else WIDTHS[-1]


def fitting(start: datetime, end: datetime, rows: int) -> timedelta:
    """The finest width that shows [start, end] in at most ``rows`` buckets."""
    for width in WIDTHS:
        if (floor(end, width) - floor(start, width)) // width + 1 <= max(rows, 1):
            return width
    return WIDTHS[-1]


def axis_format(width: timedelta, multi_day: bool) -> str:
    """The strftime format of the time axis: seconds only below a minute, the day only when needed."""
    clock = "%H:%M:%S" if width < timedelta(minutes=1) else "%H:%M"
    return f"%d {clock}" if multi_day else clock
