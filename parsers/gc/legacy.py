"""The JDK 8 and older GC parser (``-XX:+PrintGCDetails`` with or without date/time stamps).

One record per physical line: records never overlap, even where a concurrent record is
spliced into a pause record that spans lines. A record's time is its own leading stamp
(date stamp → ``in-line``; uptime → anchored, see ``anchoring``); a line without a stamp
(G1 detail lines, tenuring distribution, heap dumps) takes the time of the stamped line
before it (``previous-line``). Lines with NUL or undecodable bytes, and lines whose date
stamp is torn, are rejected with the reason. Events come from ``LegacyEventBuilder``; the
collector and JVM version come from the ``CommandLine flags:`` and VM header lines when the
file has them (files written with ``-Xloggc`` do), else from the events themselves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from parsers.base import LINES_SCHEMA, TS, FormatRefused, ParseContext, ParsedBatch, make_rejects
from parsers.gc import anchoring
from parsers.gc.anchoring import Anchor, anchored_ts, context_anchor
from parsers.gc.detect import refuse_foreign
from parsers.gc.legacy_events import LegacyEventBuilder
from parsers.gc.legacy_record import DATESTAMP, UPTIME
from parsers.gc.model import GC_EVENTS_SCHEMA, CollectorGate, conform, empty_events, number_expr

_HEADER_TIME = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) GC log file created "
_JRE = re.compile(r"\bJRE \(([^)]+)\)")
_FLAGS = (
    ("-XX:+UseG1GC", "G1"),
    ("-XX:+UseConcMarkSweepGC", "CMS"),
    ("-XX:+UseShenandoahGC", "Shenandoah"),
    ("-XX:+UseParallelOldGC", "Parallel"),
    ("-XX:+UseParallelGC", "Parallel"),
    ("-XX:+UseSerialGC", "Serial"),
)
_DATESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S%.3f%z"
_PRIVATE = ("_s_ds", "_s_up", "_e_ds", "_e_up")
_STOPPED = "Total time for which application threads were stopped"


def _datestamp_ts(text: pl.Expr) -> pl.Expr:
    return (
        text.str.replace(",", ".", literal=True)
        .str.strptime(pl.Datetime("us"), _DATESTAMP_FORMAT, strict=False)
        .dt.convert_time_zone("UTC")
    )


def _parse_datestamp(text: str) -> datetime:
    return datetime.strptime(text.replace(",", "."), "%Y-%m-%dT%H:%M:%S.%f%z")


def _uptime(text: str) -> float:
    return float(text.replace(",", "."))


class LegacyGcParser:
    """``LineParser`` for one JDK 8 (or older) GC log file."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.anchor: Anchor | None = context_anchor(ctx)
        self.builder = LegacyEventBuilder()
        self.collector: str | None = None
        self.jvm_version: str | None = None
        self._pending_header: datetime | None = None
        self._previous: tuple[datetime | None, str] = (None, anchoring.MISSING)
        self._checked = False
        self._gate = CollectorGate()

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        """One record per line (or a reject), and the events completed by these lines."""
        batch = batch.select([pl.col(name).cast(dtype) for name, dtype in LINES_SCHEMA.items()]).with_columns(
            pl.col("line").fill_null("")
        )
        if not self._checked:
            self._refuse_foreign(batch)
        lines = _split_stamps(batch)
        kept = lines.filter(pl.col("reason").is_null())
        self._learn_header(kept)
        self._learn_anchor(kept)
        for line_no, line in kept.filter(_MATTERS).select("line_no", "line").iter_rows():
            self.builder.feed(line_no, line)
        bad = lines.filter(pl.col("reason").is_not_null())
        events = pl.concat([self._events(self.builder.take()), self._safepoints(kept)]).sort("line_end", "line_start")
        return ParsedBatch(
            records=self._records(kept),
            rejects=make_rejects(bad.get_column("line_no"), bad.get_column("reason"), bad.get_column("line")),
            tables={"gc_events": self._gate.release(events, self.collector)},
        )

    def finish(self) -> ParsedBatch:
        """Events still held: the last record, records cut off by the end of the file, open phases."""
        self.builder.finish()
        return ParsedBatch(
            tables={"gc_events": self._gate.release(self._events(self.builder.take()), self.collector, final=True)}
        )

    def _refuse_foreign(self, batch: pl.DataFrame) -> None:
        self._checked = True
        try:
            refuse_foreign(batch.get_column("line").head(50).to_list())
        except FormatRefused as refused:
            raise FormatRefused(f"{self.ctx.path}: {refused}") from refused

    def _learn_header(self, kept: pl.DataFrame) -> None:
        """Collector and JVM version from the ``-Xloggc`` header lines, when the file has them."""
        if self.collector is not None and self.jvm_version is not None:
            return
        line = pl.col("line")
        header = kept.filter(line.str.starts_with("CommandLine flags: ") | line.str.contains(" VM (", literal=True))
        for text in header.get_column("line").to_list():
            if text.startswith("CommandLine flags: ") and self.collector is None:
                self.collector = next((name for flag, name in _FLAGS if flag in text), None)
            elif self.jvm_version is None and (jre := _JRE.search(text)):
                self.jvm_version = jre.group(1)

    def _learn_anchor(self, kept: pl.DataFrame) -> None:
        """Anchor uptimes: a line with date stamp and uptime wins, then the rotation header, then ctx.anchor."""
        if self.anchor is not None and self.anchor.origin == anchoring.ANCHORED_DATESTAMP:
            return
        stamped = kept.filter(pl.col("ds").is_not_null() | pl.col("up").is_not_null() | pl.col("header").is_not_null())
        for ds, up, header in stamped.select("ds", "up", "header").iter_rows():
            if ds and up:
                self.anchor = Anchor(
                    _parse_datestamp(ds) - timedelta(seconds=_uptime(up)), anchoring.ANCHORED_DATESTAMP
                )
                return
            if header and (self.anchor is None or self.anchor.origin == anchoring.ANCHORED_JVM_START):
                local = datetime.strptime(header, "%Y-%m-%d %H:%M:%S")
                self._pending_header = anchoring.zoneless_to_utc(local, self.ctx)
            elif up and self._pending_header is not None:
                self.anchor = Anchor(
                    self._pending_header - timedelta(seconds=_uptime(up)), anchoring.ANCHORED_FILE_HEADER
                )
                self._pending_header = None

    def _records(self, frame: pl.DataFrame) -> pl.DataFrame:
        """One record per kept line: its own stamp's time, else the time of the stamped line before it."""
        header_ts = (
            pl.col("header")
            .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
            .dt.replace_time_zone(self.ctx.tz)
            .dt.convert_time_zone("UTC")
        )
        stamped = pl.col("ds").is_not_null() | pl.col("up").is_not_null() | pl.col("header").is_not_null()
        own_ts = pl.coalesce(
            _datestamp_ts(pl.col("ds")), anchored_ts(number_expr(pl.col("up")), self.anchor), header_ts
        )
        own_origin = (
            pl.when(pl.col("ds").is_not_null())
            .then(pl.lit(anchoring.IN_LINE))
            .when(pl.col("up").is_not_null())
            .then(pl.lit(anchoring.uptime_origin(self.anchor)))
            .when(pl.col("header").is_not_null())
            .then(pl.lit(anchoring.zoneless_origin(self.ctx)))
        )
        frame = frame.with_columns(
            stamped.cum_sum().alias("_group"), pl.when(stamped).then(own_ts).alias("_own"), own_origin.alias("_origin")
        )
        previous_ts, _ = self._previous
        inherited = pl.col("_own").first().over("_group")
        frame = frame.with_columns(
            pl.when(pl.col("_group") == 0).then(pl.lit(previous_ts, dtype=TS)).otherwise(inherited).alias("ts"),
            pl.coalesce("_origin", pl.lit(anchoring.PREVIOUS_LINE)).alias("ts_origin"),
        )
        if frame.height:
            last = frame.row(frame.height - 1, named=True)
            self._previous = (last["ts"], last["ts_origin"])
        return frame.select(
            pl.col("line_no").alias("line_start"),
            pl.col("line_no").alias("line_end"),
            "ts",
            "ts_origin",
            pl.lit(None, dtype=pl.String).alias("level"),
            pl.lit(None, dtype=pl.String).alias("logger"),
            pl.lit(None, dtype=pl.String).alias("thread"),
            "message",
        )

    def _events(self, rows: list[dict[str, Any]]) -> pl.DataFrame:
        if not rows:
            return empty_events()
        self.collector = self.collector or self.builder.collector_hint
        columns = {**GC_EVENTS_SCHEMA, **{name: pl.String() for name in _PRIVATE}}
        return self._finish_rows(pl.from_dicts(rows, schema=columns))

    def _finish_rows(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Event rows with their stamps turned into times, and the file's collector and JVM version."""
        return conform(
            frame.with_columns(self._times()).with_columns(
                pl.lit(self.collector, dtype=pl.String).alias("collector"),
                pl.lit(self.jvm_version, dtype=pl.String).alias("jvm_version"),
            )
        )

    def _safepoints(self, kept: pl.DataFrame) -> pl.DataFrame:
        """``Total time for which application threads were stopped: X seconds[, Stopping threads took: Y seconds]``."""
        lines = kept.filter(pl.col("message").str.starts_with(_STOPPED))
        if lines.height == 0:
            return empty_events()
        values = pl.col("message").str.extract_groups(
            "^" + _STOPPED + r": ([\d.,]+) seconds(?:, Stopping threads took: ([\d.,]+) seconds)?"
        )
        lines = lines.with_columns(values.alias("_v")).with_columns(
            (number_expr(pl.col("_v").struct.field("1")) * 1000.0).alias("pause_ms"),
            (number_expr(pl.col("_v").struct.field("2")) * 1000.0).alias("safepoint_reach_ms"),
        )
        frame = lines.filter(pl.col("pause_ms").is_not_null()).select(
            pl.col("line_no").alias("line_start"),
            pl.col("line_no").alias("line_end"),
            pl.lit("safepoint").alias("kind"),
            pl.lit(_STOPPED).alias("name"),
            pl.lit(True).alias("stw"),
            pl.lit(False).alias("nested"),
            pl.lit(True).alias("complete"),
            "pause_ms",
            pl.col("pause_ms").alias("duration_ms"),
            "safepoint_reach_ms",
            pl.col("ds").alias("_e_ds"),
            pl.col("up").alias("_e_up"),
            pl.lit(None, dtype=pl.String).alias("_s_ds"),
            pl.lit(None, dtype=pl.String).alias("_s_up"),
        )
        return self._finish_rows(frame)

    def _times(self) -> list[pl.Expr]:
        """ts/ts_end/uptime from the stamps at the start and/or end of each event, and its duration."""
        duration = pl.col("duration_ms").fill_null(0.0)
        shift = pl.duration(microseconds=(duration * 1000.0).round(0).cast(pl.Int64))
        start_up, end_up = number_expr(pl.col("_s_up")), number_expr(pl.col("_e_up"))
        start_ts = pl.coalesce(_datestamp_ts(pl.col("_s_ds")), anchored_ts(start_up, self.anchor))
        end_ts = pl.coalesce(_datestamp_ts(pl.col("_e_ds")), anchored_ts(end_up, self.anchor))
        has_date = pl.col("_s_ds").is_not_null() | pl.col("_e_ds").is_not_null()
        has_up = start_up.is_not_null() | end_up.is_not_null()
        return [
            pl.coalesce(start_ts, end_ts - shift).alias("ts"),
            pl.coalesce(end_ts, start_ts + shift).alias("ts_end"),
            pl.coalesce(start_up, end_up - duration * 0.001).alias("uptime_s"),
            pl.coalesce(end_up, start_up + duration * 0.001).alias("uptime_end_s"),
            pl.when(has_date)
            .then(pl.lit(anchoring.IN_LINE))
            .when(has_up)
            .then(pl.lit(anchoring.uptime_origin(self.anchor)))
            .otherwise(pl.lit(anchoring.MISSING))
            .alias("ts_origin"),
        ]


def _split_stamps(batch: pl.DataFrame) -> pl.DataFrame:
    """Per line: its leading date stamp and uptime, a rotation-header time, the message, and why it is rejected."""
    line = pl.col("line")
    lead = line.str.extract(r"^(" + DATESTAMP + r"): ", 1)
    frame = batch.with_columns(
        lead.alias("ds"),
        line.str.extract(r"^(?:" + DATESTAMP + r": )?(" + UPTIME + r"): ", 1).alias("up"),
        line.str.extract(_HEADER_TIME, 1).alias("header"),
    )
    reason = (
        pl.when(line.str.contains("[\x00\ufffd]"))
        .then(pl.lit("binary content or invalid UTF-8 in a JDK 8 GC log line"))
        .when(pl.col("ds").is_null() & line.str.contains(r"^\d{4}-\d\d-\d\dT"))
        .then(pl.lit("torn date stamp (line cut or overwritten mid-stamp)"))
    )
    message = (
        pl.when(pl.col("header").is_not_null())
        .then(line.str.slice(20))
        .otherwise(line.str.replace(r"^(?:" + DATESTAMP + r": )?(?:" + UPTIME + r": )?(?:#\d+: )?", ""))
    )
    return frame.with_columns(reason.alias("reason"), message.alias("message"))


#: Lines the event state machine must see: brackets (records, details, concurrent phases) or safepoint
#: lines; G1's deeply indented worker-timing lines carry nothing it uses.
_MATTERS = (
    pl.col("line").str.contains(r"[\[\]]")
    | pl.col("line").str.contains("Total time for which", literal=True)
    | pl.col("line").str.contains("Application time:", literal=True)
) & ~pl.col("line").str.starts_with("      ")
