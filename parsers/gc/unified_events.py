"""Unified logging: from candidate rows to ``gc_events`` rows (pairing starts with ends, attaching details).

Works on a *chunk* of candidate rows in which every pause that ends also started (the parser
cuts chunks so). Pauses and ZGC cycles are paired with their ``gc,start`` line and get their
details by GC id, vectorized with as-of joins: the lines before the summary (``Other:``,
``To-space exhausted``, metaspace, ZGC capacity) attach forward to the next summary of the same
GC, the ``User= Sys= Real=`` line attaches backward to the summary before it. Concurrent phases
span many lines and batches, so their starts wait in ``UnifiedState.concurrent``. A Full GC
printed immediately before the Young GC whose id is one lower, and no longer than it, is the
promotion-failure collection inside that Young pause (Serial/Parallel): it is marked ``nested``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from parsers.base import TS
from parsers.gc.model import conform, empty_events, events_frame
from parsers.gc.names import NameInfo, describe_unified
from parsers.gc.pairing import OpenStarts, Start

#: Row types printed before the summary they belong to.
PRE_DETAILS = ["other", "tospace", "metaspace", "maxcap", "cap"]


@dataclass
class UnifiedState:
    """What the unified parser knows about the file so far."""

    collector: str | None = None
    jvm_version: str | None = None
    concurrent: OpenStarts = field(default_factory=OpenStarts)

    @property
    def is_zgc(self) -> bool:
        return self.collector in ("ZGC", "ZGC-generational")


def infer_collector(rows: pl.DataFrame, state: UnifiedState) -> None:
    """Fill ``state.collector`` from event names when no ``Using …`` line said it (earliest telling name wins)."""
    if state.collector is None:
        names = rows.filter(pl.col("name").is_not_null()).group_by("name").agg(pl.col("line_no").min()).sort("line_no")
        for name in names.get_column("name").to_list():
            hint = describe_unified(name).collector
            if hint is not None:
                state.collector = hint
                break
    if state.collector == "ZGC" and (rows.get_column("generation").is_not_null().any()):
        state.collector = "ZGC-generational"


def _name_info(names: pl.Series) -> pl.DataFrame:
    """kind/cause/flags per distinct name, as a frame to join on ``name``."""
    distinct = [name for name in names.unique().to_list() if name is not None]
    infos: list[NameInfo] = [describe_unified(name) for name in distinct]
    return pl.DataFrame(
        {
            "name": distinct,
            "kind": [info.kind for info in infos],
            "cause": [info.cause for info in infos],
            "flag_to_space": [info.to_space_exhausted for info in infos],
            "flag_evac": [info.evacuation_failure for info in infos],
            "humongous": [info.humongous for info in infos],
        },
        schema={
            "name": pl.String,
            "kind": pl.String,
            "cause": pl.String,
            "flag_to_space": pl.Boolean,
            "flag_evac": pl.Boolean,
            "humongous": pl.Boolean,
        },
    )


def _attach_pre_details(ends: pl.DataFrame, rows: pl.DataFrame, zgc: bool) -> pl.DataFrame:
    """Join the detail lines printed before a summary onto that summary."""
    details = rows.select(
        "line_no", "gc_id", "etype", "other_ms", "meta_before_kb", "meta_after_kb", "meta_capacity_kb", "capacity_kb"
    ).filter(pl.col("etype").is_in(PRE_DETAILS))
    to_cycle = pl.col("etype").is_in(["maxcap", "cap"]) | ((pl.col("etype") == "metaspace") & pl.lit(zgc))
    joined = []
    for target, selector in (("cycle", to_cycle), ("pause", ~to_cycle)):
        subset = details.filter(selector).sort("line_no")
        targets = ends.filter(pl.col("etype") == target).select(pl.col("line_no").alias("target_line"), "gc_id")
        if subset.height and targets.height:
            joined.append(
                subset.join_asof(
                    targets.sort("target_line"),
                    left_on="line_no",
                    right_on="target_line",
                    by="gc_id",
                    strategy="forward",
                    check_sortedness=False,
                )
            )
    if not joined:
        return ends
    agg = (
        pl.concat(joined)
        .filter(pl.col("target_line").is_not_null())
        .sort("line_no")
        .group_by("target_line")
        .agg(
            pl.col("other_ms").drop_nulls().last().alias("d_other_ms"),
            (pl.col("etype") == "tospace").any().alias("d_tospace"),
            pl.col("meta_before_kb").drop_nulls().last().alias("metaspace_before_kb"),
            pl.col("meta_after_kb").drop_nulls().last().alias("metaspace_after_kb"),
            pl.col("meta_capacity_kb").drop_nulls().last().alias("metaspace_capacity_kb"),
            pl.col("capacity_kb").filter(pl.col("etype") == "maxcap").last().alias("d_maxcap"),
            pl.col("capacity_kb").filter(pl.col("etype") == "cap").first().alias("d_caprow"),
        )
    )
    return ends.join(agg, left_on="line_no", right_on="target_line", how="left")


def _attach_cpu(ends: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Join each ``User= Sys= Real=`` line onto the pause summary just before it (same GC id)."""
    cpu = rows.select("line_no", "gc_id", "etype", "user_s", "sys_s", "real_s").filter(pl.col("etype") == "cpu")
    targets = ends.filter(pl.col("etype") == "pause").select(pl.col("line_no").alias("target_line"), "gc_id")
    if cpu.height == 0 or targets.height == 0:
        return ends
    matched = cpu.sort("line_no").join_asof(
        targets.sort("target_line"),
        left_on="line_no",
        right_on="target_line",
        by="gc_id",
        strategy="backward",
        check_sortedness=False,
    )
    agg = (
        matched.filter(pl.col("target_line").is_not_null())
        .group_by("target_line")
        .agg(
            pl.col("user_s").last().alias("c_user"),
            pl.col("sys_s").last().alias("c_sys"),
            pl.col("real_s").last().alias("c_real"),
        )
    )
    return ends.join(agg, left_on="line_no", right_on="target_line", how="left").with_columns(
        pl.coalesce("user_s", "c_user").alias("user_s"),
        pl.coalesce("sys_s", "c_sys").alias("sys_s"),
        pl.coalesce("real_s", "c_real").alias("real_s"),
    )


def _start_of(end_ts: pl.Expr, end_uptime: pl.Expr, duration_ms: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Start time of an event logged at its end: end minus duration."""
    start_ts = end_ts - pl.duration(microseconds=(duration_ms.fill_null(0.0) * 1000.0).round(0).cast(pl.Int64))
    return start_ts, end_uptime - duration_ms.fill_null(0.0) * 0.001


def _pauses_and_cycles(rows: pl.DataFrame, state: UnifiedState) -> pl.DataFrame:
    ends = rows.filter(pl.col("etype").is_in(["pause", "cycle"])).sort("line_no")
    starts = (
        rows.select(
            pl.col("line_no").alias("start_line"),
            "gc_id",
            "norm",
            pl.col("ts").alias("start_ts"),
            pl.col("uptime_s").alias("start_up"),
            pl.col("ts_origin").alias("start_origin"),
            "etype",
        )
        .filter(pl.col("etype").is_in(["pause_start", "cycle_start"]))
        .drop("etype")
        .sort("start_line")
    )
    paired = ends.join_asof(
        starts,
        left_on="line_no",
        right_on="start_line",
        by=["gc_id", "norm"],
        strategy="backward",
        check_sortedness=False,
    )
    orphans = starts.join(paired.select("start_line").drop_nulls(), on="start_line", how="anti")
    paired = _attach_cpu(_attach_pre_details(paired, rows, state.is_zgc), rows)
    for column in (
        "d_other_ms",
        "d_tospace",
        "d_maxcap",
        "d_caprow",
        "metaspace_before_kb",
        "metaspace_after_kb",
        "metaspace_capacity_kb",
    ):
        if column not in paired.columns:
            paired = paired.with_columns(pl.lit(None).alias(column))
    paired = paired.join(_name_info(paired.get_column("name")), on="name", how="left")
    logged_start, logged_start_up = _start_of(pl.col("ts"), pl.col("uptime_s"), pl.col("dur_ms"))
    is_pause = pl.col("etype") == "pause"
    cycle_ms = pl.coalesce(
        (pl.col("ts") - pl.col("start_ts")).dt.total_microseconds() * 0.001,
        (pl.col("uptime_s") - pl.col("start_up")) * 1000.0,
    )
    events = paired.sort("line_no").with_columns(
        pl.coalesce("start_line", "line_no").alias("line_start"),
        pl.col("line_no").alias("line_end"),
        pl.col("ts").alias("ts_end"),
        pl.col("uptime_s").alias("uptime_end_s"),
        pl.coalesce("start_ts", logged_start).alias("ts"),
        pl.coalesce("start_up", logged_start_up).alias("uptime_s"),
        is_pause.alias("stw"),
        pl.when(is_pause).then(pl.col("dur_ms")).alias("pause_ms"),
        pl.coalesce("dur_ms", pl.when(~is_pause).then(cycle_ms)).alias("duration_ms"),
        pl.coalesce("heap_capacity_kb", "d_maxcap", "d_caprow").alias("heap_capacity_kb"),
        (pl.col("flag_to_space") | pl.col("d_tospace").fill_null(False)).alias("to_space_exhausted"),
        (pl.col("flag_evac") | pl.col("d_tospace").fill_null(False)).alias("evacuation_failure"),
        (pl.col("cause") == "Allocation Stall").fill_null(False).alias("allocation_stall"),
        pl.col("d_other_ms").alias("other_ms"),
        pl.lit(True).alias("complete"),
    )
    nested = (
        (pl.col("kind") == "full")
        & (pl.col("kind").shift(-1) == "young")
        & (pl.col("gc_id").shift(-1) == pl.col("gc_id") - 1)
        & (pl.col("pause_ms") <= pl.col("pause_ms").shift(-1))
    )
    pauses = events.filter(is_pause).with_columns(nested.fill_null(False).alias("nested"))
    cycles = events.filter(~is_pause).with_columns(pl.lit(False).alias("nested"))
    parts = [conform(pauses), conform(cycles)]
    if orphans.height:
        parts.append(_orphan_pauses(orphans, rows))
    return pl.concat(parts)


def _orphan_pauses(orphans: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Pause / cycle starts whose end never came: incomplete events."""
    named = orphans.join(
        rows.select(pl.col("line_no").alias("start_line"), "name", "etype"), on="start_line", how="left"
    )
    named = named.join(_name_info(named.get_column("name")), on="name", how="left")
    return conform(
        named.with_columns(
            pl.col("start_line").alias("line_start"),
            pl.col("start_line").alias("line_end"),
            pl.col("start_ts").alias("ts"),
            pl.col("start_up").alias("uptime_s"),
            pl.col("start_origin").alias("ts_origin"),
            (pl.col("etype") == "pause_start").alias("stw"),
            pl.lit(False).alias("nested"),
            pl.lit(False).alias("complete"),
        )
    )


def _concurrent(rows: pl.DataFrame, state: UnifiedState) -> pl.DataFrame:
    """Concurrent phase ends, paired with their starts (which may be batches earlier).

    Within the chunk an as-of join pairs each end with the latest start of the same GC id,
    generation and phase name (a start serves one end). Only ends whose start came in an
    earlier chunk, and starts still open at the end of the chunk, go through ``state.concurrent``.
    """
    key = [
        pl.col("gc_id").fill_null(-1).alias("k_id"),
        pl.col("generation").fill_null("").alias("k_gen"),
        pl.col("norm").alias("k_name"),
    ]
    phases = rows.filter(pl.col("etype").is_in(["conc", "conc_start"])).with_columns(key).sort("line_no")
    starts = phases.filter(pl.col("etype") == "conc_start").select(
        "k_id",
        "k_gen",
        "k_name",
        pl.col("line_no").alias("start_line"),
        pl.col("ts").alias("start_ts"),
        pl.col("uptime_s").alias("start_up"),
    )
    ends = phases.filter(pl.col("etype") == "conc")
    if starts.height and ends.height:
        ends = ends.join_asof(
            starts,
            left_on="line_no",
            right_on="start_line",
            by=["k_id", "k_gen", "k_name"],
            strategy="backward",
            check_sortedness=False,
        )
        taken = pl.col("start_line").is_not_null() & pl.col("start_line").is_first_distinct()
        ends = ends.with_columns(
            pl.when(taken).then(pl.col("start_line")).alias("start_line"),
            pl.when(taken).then(pl.col("start_ts")).alias("start_ts"),
            pl.when(taken).then(pl.col("start_up")).alias("start_up"),
            pl.col("start_line").is_not_null().alias("_had_local_start"),
        )
    else:
        ends = ends.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("start_line"),
            pl.lit(None, dtype=TS).alias("start_ts"),
            pl.lit(None, dtype=pl.Float64).alias("start_up"),
            pl.lit(False).alias("_had_local_start"),
        )
    ends = _pair_with_earlier_chunks(ends, state)
    leftovers = _keep_open_starts(phases, ends, state)
    shift = pl.duration(microseconds=(pl.col("dur_ms").fill_null(0.0) * 1000.0).round(0).cast(pl.Int64))
    paired = conform(
        ends.with_columns(
            pl.coalesce("start_line", "line_no").alias("line_start"),
            pl.col("line_no").alias("line_end"),
            pl.col("ts").alias("ts_end"),
            pl.col("uptime_s").alias("uptime_end_s"),
            pl.coalesce("start_ts", pl.col("ts") - shift).alias("ts"),
            pl.coalesce("start_up", pl.col("uptime_s") - pl.col("dur_ms").fill_null(0.0) * 0.001).alias("uptime_s"),
            pl.lit("concurrent").alias("kind"),
            pl.lit(False).alias("stw"),
            pl.lit(True).alias("complete"),
            pl.col("dur_ms").alias("duration_ms"),
        )
    )
    return pl.concat([paired, events_frame(leftovers)]) if leftovers else paired


def _pair_with_earlier_chunks(ends: pl.DataFrame, state: UnifiedState) -> pl.DataFrame:
    """Ends with no start in this chunk take theirs from the starts carried over (Python, few rows)."""
    lonely = ends.filter(~pl.col("_had_local_start"))
    if lonely.height == 0 or len(state.concurrent) == 0:
        return ends
    found: dict[str, list[Any]] = {"line_no": [], "c_line": [], "c_ts": [], "c_up": []}
    for line_no, k_id, k_gen, k_name in lonely.select("line_no", "k_id", "k_gen", "k_name").iter_rows():
        start = state.concurrent.close((k_id, k_gen, k_name))
        if start is not None:
            found["line_no"].append(line_no)
            found["c_line"].append(start.line_no)
            found["c_ts"].append(start.ts)
            found["c_up"].append(start.uptime_s)
    if not found["line_no"]:
        return ends
    carried = pl.DataFrame(found, schema={"line_no": pl.Int64, "c_line": pl.Int64, "c_ts": TS, "c_up": pl.Float64})
    return ends.join(carried, on="line_no", how="left").with_columns(
        pl.coalesce("start_line", "c_line").alias("start_line"),
        pl.coalesce("start_ts", "c_ts").alias("start_ts"),
        pl.coalesce("start_up", "c_up").alias("start_up"),
    )


def _keep_open_starts(phases: pl.DataFrame, ends: pl.DataFrame, state: UnifiedState) -> list[dict[str, Any]]:
    """Register the starts no end of this chunk took; returns the starts this evicted (incomplete events)."""
    used = ends.get_column("start_line").drop_nulls()
    open_starts = phases.filter((pl.col("etype") == "conc_start") & ~pl.col("line_no").is_in(used.implode()))
    evicted: list[dict[str, Any]] = []
    columns = (
        "line_no",
        "ts",
        "uptime_s",
        "tags",
        "name",
        "gc_id",
        "generation",
        "ts_origin",
        "k_id",
        "k_gen",
        "k_name",
    )
    for line_no, ts, uptime, tags, name, gc_id, generation, origin, k_id, k_gen, k_name in open_starts.select(
        columns
    ).iter_rows():
        start = Start(
            line_no, ts, uptime, tags, {"name": name, "gc_id": gc_id, "ts_origin": origin, "generation": generation}
        )
        evicted.extend(incomplete_concurrent(old) for old in state.concurrent.open((k_id, k_gen, k_name), start))
    return evicted


def incomplete_concurrent(start: Start, generation: str | None = None) -> dict[str, Any]:
    """A concurrent phase whose end line never came."""
    return {
        "line_start": start.line_no,
        "line_end": start.line_no,
        "ts": start.ts,
        "uptime_s": start.uptime_s,
        "gc_id": start.payload.get("gc_id"),
        "ts_origin": start.payload.get("ts_origin"),
        "generation": start.payload.get("generation", generation),
        "kind": "concurrent",
        "name": start.payload.get("name"),
        "stw": False,
        "nested": False,
        "complete": False,
    }


def _point_events(rows: pl.DataFrame) -> pl.DataFrame:
    """Safepoints, stalls and to-space markers: one line each, logged at their end."""
    points = rows.filter(pl.col("etype").is_in(["safepoint", "stall", "tospace"]))
    if points.height == 0:
        return empty_events()
    start_ts, start_up = _start_of(pl.col("ts"), pl.col("uptime_s"), pl.col("dur_ms"))
    etype = pl.col("etype")
    return conform(
        points.with_columns(
            pl.col("line_no").alias("line_start"),
            pl.col("line_no").alias("line_end"),
            pl.col("ts").alias("ts_end"),
            pl.col("uptime_s").alias("uptime_end_s"),
            start_ts.alias("ts"),
            start_up.alias("uptime_s"),
            pl.when(etype == "safepoint")
            .then(pl.lit("safepoint"))
            .when(etype == "stall")
            .then(pl.lit("stall"))
            .otherwise(pl.lit("to_space_exhausted"))
            .alias("kind"),
            (etype == "safepoint").alias("stw"),
            pl.when(etype == "safepoint").then(pl.col("dur_ms")).alias("pause_ms"),
            pl.col("dur_ms").alias("duration_ms"),
            (etype == "tospace").alias("to_space_exhausted"),
            (etype == "tospace").alias("evacuation_failure"),
            (pl.col("name").str.starts_with("Allocation Stall")).fill_null(False).alias("allocation_stall"),
            pl.lit(False).alias("nested"),
            pl.lit(True).alias("complete"),
        )
    )


def build_events(rows: pl.DataFrame, state: UnifiedState) -> pl.DataFrame:
    """``gc_events`` rows for a chunk of candidate rows, in line order."""
    if rows.height == 0:
        return empty_events()
    infer_collector(rows, state)
    frames = [_pauses_and_cycles(rows, state), _concurrent(rows, state), _point_events(rows)]
    events = pl.concat([frame for frame in frames if frame.height] or [empty_events()])
    return events.with_columns(
        pl.lit(state.collector, dtype=pl.String).alias("collector"),
        pl.lit(state.jvm_version, dtype=pl.String).alias("jvm_version"),
    ).sort("line_end", "line_start")
