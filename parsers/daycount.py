"""Dates for layouts that write only the time of day (logback's and log4j2's defaults).

Owned here: where a file's first date comes from, and the day bump when the time of day goes back
by more than 12 hours. Used by the layout engine for specs whose clock is ``time-of-day``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from parsers.base import ParseContext
from parsers.timestamps import resolve_zone

#: A time of day this much earlier than the one before it starts the next day.
DAY_WRAP_NS = 12 * 3600 * 10**9
#: A date in a file name (logback's ``app.2025-08-28.log``, ``app-2025-08-28.0.log.gz``).
_NAME_DATE = re.compile(r"(?:^|[^0-9])(\d{4})-(\d{2})-(\d{2})(?:[^0-9]|$)")
#: A record that carries an absolute time: the Kafka client's AppInfo line, logged at every client's start.
EPOCH_RECORD = r"^Kafka startTimeMs: (\d{12,13})\b"


class DayCounter:
    """Dates for layouts that write the time of day only (logback's and log4j2's defaults).

    The first record's date comes from, in this order: a ``yyyy-MM-dd`` in the file name, the JVM
    start given with ``--jvm-start`` (the first record at or after its time of day), or a record in
    the file that carries an absolute time (``Kafka startTimeMs: …``, which every Kafka client logs
    when it starts). From there, each time that goes back by more than 12 hours starts the next day.
    Until a date is known (none of the three in the first batch), records keep a NULL time.
    """

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.base: date | None = None
        self.source: str | None = None
        self.days = 0
        self.last_tod: int | None = None

    def origin(self, zone_origin: str) -> str:
        return f"{zone_origin} date:{self.source}" if self.base else "time-only"

    def local_times(self, heads: pl.DataFrame) -> pl.Series:
        """Naive local date-times of heads (untimed heads take the previous time)."""
        tod, day = self._days(heads["_time"])
        if self.base is None:
            self._find_base(heads["message"], day, tod)
        if day.len():
            self.days = int(day[-1])
        last = tod.drop_nulls()
        if last.len():
            self.last_tod = int(last[-1])
        if self.base is None:
            return pl.Series("_local", [None] * heads.height, pl.Datetime("us"))
        start = datetime.combine(self.base, datetime.min.time())
        frame = pl.DataFrame({"_day": day, "_ns": tod})
        return frame.select(
            (pl.lit(start) + pl.duration(days=pl.col("_day")) + pl.duration(nanoseconds=pl.col("_ns")))
            .cast(pl.Datetime("us"))
            .alias("_local")
        ).to_series()

    def prime(self, heads: pl.DataFrame) -> None:
        """Look for the date in a whole batch's heads (its last record too, text after the head in ``rest``)
        before its records are built."""
        tod, day = self._days(heads["_time"])
        self._find_base(heads["rest"], day, tod)

    def _days(self, times: pl.Series) -> tuple[pl.Series, pl.Series]:
        """(time of day in ns, forward-filled; day index since the file's first record) of heads."""
        tod = times.cast(pl.Int64).forward_fill()
        if self.last_tod is not None:
            tod = tod.fill_null(self.last_tod)
        prev = tod.shift(1, fill_value=self.last_tod) if self.last_tod is not None else tod.shift(1)
        day = ((tod < prev - DAY_WRAP_NS).fill_null(False).cast(pl.Int32).cum_sum() + self.days).alias("_day")
        return tod, day

    def _find_base(self, text: pl.Series, day: pl.Series, tod: pl.Series) -> None:
        found = _NAME_DATE.search(Path(self.ctx.path).name)
        if found:
            try:
                self.base, self.source = date(*map(int, found.groups())), "file-name"
                return
            except ValueError:
                pass
        first = tod.drop_nulls()
        if self.ctx.anchor is not None and first.len():
            anchor = self.ctx.anchor if self.ctx.anchor.tzinfo else self.ctx.anchor.replace(tzinfo=UTC)
            local = anchor.astimezone(resolve_zone(self.ctx.tz)).replace(tzinfo=None)
            since_midnight = (local - datetime.combine(local.date(), datetime.min.time())) / timedelta(microseconds=1)
            late = int(first[0]) // 1000 < since_midnight
            self.base, self.source = local.date() + timedelta(days=int(late)), "jvm-start"
            return
        epochs = pl.DataFrame({"_text": text, "_day": day, "_ns": tod}).select(
            pl.col("_text").str.extract(EPOCH_RECORD).cast(pl.Int64).alias("_ms"), "_day", "_ns"
        ).filter(pl.col("_ms").is_not_null() & pl.col("_ns").is_not_null())
        if epochs.height:
            ms, index, ns = epochs.row(0)
            instant = datetime.fromtimestamp(ms / 1000, resolve_zone(self.ctx.tz)).replace(tzinfo=None)
            record_day = (instant - timedelta(microseconds=ns // 1000) + timedelta(hours=12)).date()
            self.base, self.source = record_day - timedelta(days=index), "startTimeMs"
