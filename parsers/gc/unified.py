"""The JDK 9+ unified-logging GC parser (``-Xlog:gc*``): one record per line, events per GC.

Per batch: the decorations are split in one pass (``decorations``), every decorated line
becomes a record (ts from the time decoration, else uptime + anchor; logger = tags; thread =
tid), lines that do not fit the file's decoration layout are rejected with the reason, and
the candidate rows (``unified_rows``) go to the event builder (``unified_events``).

Events need lines that can sit in the next batch (a pause's ``User=`` line follows its
summary; its ``gc,start`` line and details precede it), so candidate rows from the earliest
pause that has started but not ended are carried to the next batch. The carry is bounded:
starts more than ``MAX_CARRY_LINES`` lines old are given up (reported as incomplete events).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from parsers.base import LINES_SCHEMA, FormatRefused, ParseContext, ParsedBatch, make_rejects
from parsers.gc.anchoring import context_anchor
from parsers.gc.decorations import Layout, detect_layout, split_lines
from parsers.gc.detect import refuse_foreign
from parsers.gc.model import CollectorGate, conform, empty_events, events_frame
from parsers.gc.unified_events import PRE_DETAILS, UnifiedState, build_events, incomplete_concurrent
from parsers.gc.unified_rows import candidate_rows, empty_rows, pick_candidates

#: Candidate rows are never carried for longer than this many lines.
MAX_CARRY_LINES = 100_000

_USING = {
    "Using G1": "G1",
    "Using Parallel": "Parallel",
    "Using Serial": "Serial",
    "Using Concurrent Mark Sweep": "CMS",
    "Using Shenandoah": "Shenandoah",
    "Using The Z Garbage Collector": "ZGC",
}


class UnifiedGcParser:
    """``LineParser`` for one unified-logging GC file."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.anchor = context_anchor(ctx)
        self.layout: Layout | None = None
        self.state = UnifiedState()
        self.carry = empty_rows()
        self._checked = False
        self._gate = CollectorGate()

    def parse(self, batch: pl.DataFrame) -> ParsedBatch:
        """Records and rejects for every line of the batch; events completed so far."""
        batch = batch.select([pl.col(name).cast(dtype) for name, dtype in LINES_SCHEMA.items()])
        if not self._checked:
            self._refuse_foreign(batch)
        if self.layout is None:
            self.layout = detect_layout(batch.get_column("line").head(400).fill_null("").to_list())
        if self.layout is None:
            rejects = make_rejects(
                batch.get_column("line_no"),
                "no unified-logging decorations ([uptime][level][tags] …)",
                batch.get_column("line"),
            )
            return ParsedBatch(rejects=rejects, tables={"gc_events": empty_events()})
        split = split_lines(batch.with_columns(pl.col("line").fill_null("")), self.layout, self.anchor).collect()
        records, rejected, learned, picked = pl.collect_all(
            [
                self._records(split.lazy()),
                split.lazy().filter(~pl.col("ok")),
                self._learnable(split.lazy()),
                pick_candidates(split.lazy()),
            ]
        )
        self._learn(learned)
        rejects = make_rejects(
            rejected.get_column("line_no"), rejected.get_column("reason"), rejected.get_column("line")
        )
        events = self._gate.release(self._events(candidate_rows(picked), final=False), self.state.collector)
        return ParsedBatch(records=records, rejects=rejects, tables={"gc_events": events})

    def finish(self) -> ParsedBatch:
        """Events still held back: carried rows, unended pauses and concurrent phases."""
        events = self._events(empty_rows(), final=True)
        leftovers = events_frame([incomplete_concurrent(start) for start in self.state.concurrent.drain()])
        collector = pl.lit(self.state.collector, dtype=pl.String)
        leftovers = leftovers.with_columns(
            collector.alias("collector"), pl.lit(self.state.jvm_version, dtype=pl.String).alias("jvm_version")
        )
        events = pl.concat([events, conform(leftovers)]).sort("line_end", "line_start")
        return ParsedBatch(tables={"gc_events": self._gate.release(events, self.state.collector, final=True)})

    def _refuse_foreign(self, batch: pl.DataFrame) -> None:
        self._checked = True
        try:
            refuse_foreign(batch.get_column("line").head(50).fill_null("").to_list())
        except FormatRefused as refused:
            raise FormatRefused(f"{self.ctx.path}: {refused}") from refused

    def _learnable(self, split: pl.LazyFrame) -> pl.LazyFrame:
        """The lines that tell the collector (``Using G1``) or JVM version (``Version: 17.0.1+12``), while unknown."""
        message = pl.col("message")
        wanted = pl.lit(False)
        if self.state.collector is None:
            wanted = wanted | message.str.starts_with("Using ")
        if self.state.jvm_version is None:
            wanted = wanted | message.str.starts_with("Version: ")
        return split.filter(pl.col("ok") & wanted).select("message").head(100)

    def _learn(self, learned: pl.DataFrame) -> None:
        for text in learned.get_column("message").to_list():
            text = text.strip()
            if self.state.collector is None and text in _USING:
                self.state.collector = _USING[text]
            if self.state.jvm_version is None and text.startswith("Version: ") and len(text.split()) > 1:
                self.state.jvm_version = text.split()[1]

    @staticmethod
    def _records(split: pl.LazyFrame) -> pl.LazyFrame:
        return split.filter(pl.col("ok")).select(
            pl.col("line_no").alias("line_start"),
            pl.col("line_no").alias("line_end"),
            "ts",
            "ts_origin",
            "level",
            pl.col("tags").alias("logger"),
            "thread",
            "message",
        )

    def _events(self, rows: pl.DataFrame, final: bool) -> pl.DataFrame:
        chunk = pl.concat([self.carry, rows]) if self.carry.height else rows
        if final or chunk.height == 0:
            self.carry = empty_rows()
            return build_events(chunk, self.state)
        cut = _cut_line(chunk)
        self.carry = chunk.filter(pl.col("line_no") >= cut)
        return build_events(chunk.filter(pl.col("line_no") < cut), self.state)


def _cut_line(chunk: pl.DataFrame) -> int:
    """First line whose event may still be incomplete: everything from it on waits for the next batch."""
    last_line = int(chunk.get_column("line_no").max())  # type: ignore[arg-type]
    horizon = last_line - MAX_CARRY_LINES
    etype = pl.col("etype")
    chunk = chunk.select("line_no", "etype", "gc_id", "norm")  # filters copy every column: only what is read here
    starts = chunk.filter(etype.is_in(["pause_start", "cycle_start"])).select("line_no", "gc_id", "norm")
    ends = chunk.filter(etype.is_in(["pause", "cycle"])).select(pl.col("line_no").alias("end_line"), "gc_id", "norm")
    candidates: list[int] = []
    if starts.height:
        matched = starts.sort("line_no").join_asof(
            ends.sort("end_line"),
            left_on="line_no",
            right_on="end_line",
            by=["gc_id", "norm"],
            strategy="forward",
            check_sortedness=False,
        )
        candidates += matched.filter(pl.col("end_line").is_null()).get_column("line_no").to_list()
    if ends.height:
        candidates += _last_event_start(chunk, starts, ends.sort("end_line"))
    candidates = [line for line in candidates if line > horizon]
    cut = min(candidates) if candidates else last_line + 1
    return _not_inside_a_pause(cut, starts, ends)


def _not_inside_a_pause(cut: int, starts: pl.DataFrame, ends: pl.DataFrame) -> int:
    """Move the cut back to the start of any pause whose start is before it and whose summary is not."""
    if starts.height == 0 or ends.height == 0:
        return cut
    spans = ends.sort("end_line").join_asof(
        starts.sort("line_no"),
        left_on="end_line",
        right_on="line_no",
        by=["gc_id", "norm"],
        strategy="backward",
        check_sortedness=False,
    )
    while True:
        inside = spans.filter((pl.col("line_no") < cut) & (pl.col("end_line") >= cut))
        if inside.height == 0:
            return cut
        cut = int(inside.get_column("line_no").min())  # type: ignore[arg-type]


def _last_event_start(chunk: pl.DataFrame, starts: pl.DataFrame, ends: pl.DataFrame) -> list[int]:
    """Cut points that keep the last summary's lines together while its ``User=`` line may still come.

    Details printed after the last summary (the next GC's ``Other:``, ``To-space exhausted`` …)
    wait too, and so does a Full GC printed just before the last summary (it may be nested in it).
    When the summary is followed by a line of its own GC, nothing of it is pending.
    """
    last = ends.row(ends.height - 1, named=True)
    after = chunk.filter(pl.col("line_no") > last["end_line"])
    cuts = after.filter(pl.col("etype").is_in(PRE_DETAILS)).get_column("line_no").head(1).to_list()
    if ends.height > 1 and ends.item(ends.height - 2, "norm").startswith("Pause Full"):
        full = ends.row(ends.height - 2, named=True)  # may be nested in the last pause: judge them together
        cuts.append(_start_line(starts, full) or full["end_line"])
    if after.filter(pl.col("gc_id") == last["gc_id"]).height:
        return cuts
    own_start = _start_line(starts, last)
    if own_start is not None:
        return [*cuts, own_start]
    previous_end = int(ends.get_column("end_line").head(ends.height - 1).max() or 0)  # type: ignore[arg-type]
    own_details = chunk.filter(
        (pl.col("gc_id") == last["gc_id"])
        & pl.col("line_no").is_between(previous_end + 1, last["end_line"])
        & pl.col("etype").is_in(PRE_DETAILS)
    )
    return [*cuts, int(own_details.get_column("line_no").min() or last["end_line"])]  # type: ignore[arg-type]


def _start_line(starts: pl.DataFrame, end: dict[str, Any]) -> int | None:
    """The line of the ``gc,start`` marker of an event's summary, if it is in the chunk."""
    own = starts.filter(
        (pl.col("gc_id") == end["gc_id"]) & (pl.col("norm") == end["norm"]) & (pl.col("line_no") < end["end_line"])
    )
    return int(own.get_column("line_no").max()) if own.height else None  # type: ignore[arg-type]
