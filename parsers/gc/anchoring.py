"""Wall-clock time for GC log lines: in-line stamps, or uptime anchored to a JVM start time.

The policy, in order of precedence, recorded per row in ``ts_origin``:

* ``in-line`` – the line carries an absolute time with an offset (unified ``time``/``utctime``/
  ``timemillis``/``timenanos`` decoration, JDK 8 ``-XX:+PrintGCDateStamps``);
* ``anchored:datestamp`` – uptime only, plus an offset learnt from a line of the same file that
  carries both a date stamp and an uptime (JVM start = date stamp - uptime);
* ``anchored:file-header`` – uptime only, anchored on the JDK 8 rotation header
  ``2016-04-14 22:37:22 GC log file created …`` (zone-less: read in the context's zone), taken as
  the time of the first uptime stamp after it (rotation happens while that event is written);
* ``anchored:jvm-start`` – uptime only, anchored on ``ParseContext.anchor`` (the JVM start time
  that ingest found in the host's other logs or was given by the user);
* ``uptime-only`` – uptime but no anchor: ``ts`` is null, ``uptime_s`` is kept;
* ``previous-line`` – a JDK 8 line without any stamp (detail and continuation lines) takes the
  time of the last stamped line before it;
* ``missing`` – no time information at all on the line (unified logging without time decorations);
* ``assumed:<zone>`` / ``tz:<zone>`` – a zone-less wall-clock time (the rotation header) read in
  UTC by assumption or in the zone the user gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from parsers.base import TS, ParseContext

IN_LINE = "in-line"
ANCHORED_DATESTAMP = "anchored:datestamp"
ANCHORED_FILE_HEADER = "anchored:file-header"
ANCHORED_JVM_START = "anchored:jvm-start"
UPTIME_ONLY = "uptime-only"
PREVIOUS_LINE = "previous-line"
MISSING = "missing"


@dataclass(frozen=True)
class Anchor:
    """The wall-clock time (UTC) at uptime 0 of one JVM run, and how it was obtained."""

    jvm_start: datetime
    origin: str

    def at(self, uptime_s: float) -> datetime:
        """The wall-clock time at ``uptime_s`` seconds after JVM start."""
        return self.jvm_start + timedelta(seconds=uptime_s)


def context_anchor(ctx: ParseContext) -> Anchor | None:
    """The anchor ingest provides (``ctx.anchor``), normalised to UTC."""
    if ctx.anchor is None:
        return None
    start = ctx.anchor if ctx.anchor.tzinfo is not None else ctx.anchor.replace(tzinfo=UTC)
    return Anchor(start.astimezone(UTC), f"anchored:{ctx.anchor_origin}")


def zoneless_origin(ctx: ParseContext) -> str:
    """``ts_origin`` of a zone-less wall-clock time read in the context's zone."""
    return f"tz:{ctx.tz}" if ctx.tz_given else f"assumed:{ctx.tz}"


def zoneless_to_utc(local: datetime, ctx: ParseContext) -> datetime:
    """A naive wall-clock time read in the context's zone, as UTC."""
    return local.replace(tzinfo=ZoneInfo(ctx.tz)).astimezone(UTC)


def anchored_ts(uptime: pl.Expr, anchor: Anchor | None) -> pl.Expr:
    """Vectorized: ``anchor.jvm_start + uptime`` (seconds) as a UTC timestamp, null without anchor."""
    if anchor is None:
        return pl.lit(None, dtype=TS)
    start_us = int((anchor.jvm_start - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
    return (
        (pl.lit(start_us) + (uptime * 1_000_000).round(0).cast(pl.Int64))
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )


def uptime_origin(anchor: Anchor | None) -> str:
    """``ts_origin`` of a line that only has an uptime."""
    return anchor.origin if anchor is not None else UPTIME_ONLY
