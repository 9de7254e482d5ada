"""gc_summary and gc_pressure on small hand-made gc_events rows: input rows → exact output rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from gclog_support import QUERIES, query_db, run_query

from parsers.gc.model import events_frame

T0 = datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC)
MIB = 1024


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def event(
    source_id: int, host: str, kind: str, start: float | None, pause_ms: float | None, **extra: Any
) -> dict[str, Any]:
    """One gc_events row: a pause (or other kind) starting ``start`` seconds after 10:00 UTC."""
    stw = kind not in ("concurrent", "cycle", "stall", "to_space_exhausted")
    row = {
        "source_id": source_id,
        "host": host,
        "line_start": 1,
        "line_end": 1,
        "ts": at(start) if start is not None else None,
        "ts_end": at(start + (pause_ms or 0) / 1000) if start is not None and pause_ms is not None else None,
        "kind": kind,
        "stw": stw,
        "nested": False,
        "complete": pause_ms is not None,
        "pause_ms": pause_ms if stw else None,
        "duration_ms": pause_ms,
    }
    return {**row, **extra}


def heap(before_mib: int, after_mib: int, capacity_mib: int = 1024) -> dict[str, int]:
    return {
        "heap_before_kb": before_mib * MIB,
        "heap_after_kb": after_mib * MIB,
        "heap_capacity_kb": capacity_mib * MIB,
    }


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    events = events_frame(rows)
    ids = pl.DataFrame({"source_id": [row["source_id"] for row in rows], "host": [row["host"] for row in rows]})
    return pl.concat([ids.with_columns(pl.col("source_id").cast(pl.Int32)), events], how="horizontal")


SOURCES = [(1, "logs/broker-1/kafkaServer-gc.log", "broker-1"), (2, "gc.log", "broker-2")]

SUMMARY_INPUT = [
    event(1, "broker-1", "young", 0.0, 20.0, **heap(800, 200)),
    event(1, "broker-1", "full", 0.005, 5.0, nested=True, **heap(300, 100)),
    event(1, "broker-1", "safepoint", 0.0, 30.0),
    event(1, "broker-1", "concurrent", 1.0, 100.0),
    event(1, "broker-1", "full", 10.0, 500.0, **heap(1000, 900)),
    event(1, "broker-1", "young", 20.0, None),
    event(2, "broker-2", "young", None, 10.0, uptime_s=1.0, uptime_end_s=1.01),
    event(2, "broker-2", "young", None, 20.0, uptime_s=3.0, uptime_end_s=3.02),
]


def test_gc_summary_gives_one_row_per_file_with_pauses_counted_once_and_safepoints_apart() -> None:
    rows = run_query(query_db(frame(SUMMARY_INPUT), SOURCES), "gc_summary")
    assert rows == [
        {
            "source": "gc.log",
            "host": "broker-2",
            "collector": None,
            "pause_count": 2,
            "pause_total_ms": 30.0,
            "pause_max_ms": 20.0,
            "incomplete_pause_count": 0,
            "full_gc_count": 0,
            "safepoint_count": 0,
            "safepoint_total_ms": 0.0,
            "first_ts": None,
            "last_ts": None,
            "span_ms": 2020.0,
            "throughput_pct": 98.515,
            "max_heap_after_pct": None,
        },
        {
            "source": "logs/broker-1/kafkaServer-gc.log",
            "host": "broker-1",
            "collector": None,
            "pause_count": 2,
            "pause_total_ms": 520.0,
            "pause_max_ms": 500.0,
            "incomplete_pause_count": 1,
            "full_gc_count": 2,
            "safepoint_count": 1,
            "safepoint_total_ms": 30.0,
            "first_ts": T0,
            "last_ts": at(20.0),
            "span_ms": 20000.0,
            "throughput_pct": 97.4,
            "max_heap_after_pct": 87.89,
        },
    ]


PRESSURE_INPUT = [
    event(1, "broker-1", "young", 0.0, 20.0, **heap(800, 200)),
    event(1, "broker-1", "full", 10.0, 500.0, **heap(1000, 900)),
    event(1, "broker-1", "full", 30.0, 400.0, **heap(950, 940)),
    event(1, "broker-1", "full", 65.0, 1500.0, **heap(1000, 990)),
    event(1, "broker-1", "full", 80.0, 2000.0, **heap(1000, 1000)),
    event(1, "broker-1", "safepoint", 90.0, 3000.0),
    event(1, "broker-1", "young", None, 50.0, uptime_s=5.0),
    event(2, "broker-2", "young", 15.0, 5.0, **heap(100, 50)),
]


def _bucket(host: str, start: float, width: float, **values: Any) -> dict[str, Any]:
    return {"host": host, "bucket_start": at(start), "bucket_end": at(start + width), **values}


def test_gc_pressure_buckets_pauses_per_host_and_flags_full_gcs_that_reclaim_nothing() -> None:
    rows = run_query(
        query_db(frame(PRESSURE_INPUT), SOURCES),
        "gc_pressure",
        {"bucket": timedelta(minutes=1), "thrash_min_full_gcs": 2, "thrash_max_reclaim_pct": 5.0},
    )
    assert rows == [
        _bucket(
            "broker-1",
            0,
            60,
            pause_count=3,
            pause_total_ms=920.0,
            gc_overhead_pct=1.533,
            pause_max_ms=500.0,
            heap_after_max_kb=962560,
            heap_after_max_pct=91.8,
            full_gc_count=2,
            full_gc_reclaim_max_pct=9.77,
            thrashing=False,
        ),
        _bucket(
            "broker-1",
            60,
            60,
            pause_count=2,
            pause_total_ms=3500.0,
            gc_overhead_pct=5.833,
            pause_max_ms=2000.0,
            heap_after_max_kb=1024000,
            heap_after_max_pct=97.66,
            full_gc_count=2,
            full_gc_reclaim_max_pct=0.98,
            thrashing=True,
        ),
        _bucket(
            "broker-2",
            0,
            60,
            pause_count=1,
            pause_total_ms=5.0,
            gc_overhead_pct=0.008,
            pause_max_ms=5.0,
            heap_after_max_kb=51200,
            heap_after_max_pct=4.88,
            full_gc_count=0,
            full_gc_reclaim_max_pct=None,
            thrashing=False,
        ),
    ]


def test_gc_pressure_bucket_width_and_thrashing_rule_are_parameters() -> None:
    params = {"bucket": "2 minutes", "thrash_min_full_gcs": 5, "thrash_max_reclaim_pct": 5.0}
    rows = run_query(query_db(frame(PRESSURE_INPUT[:5]), SOURCES), "gc_pressure", params)
    assert rows == [
        _bucket(
            "broker-1",
            0,
            120,
            pause_count=5,
            pause_total_ms=4420.0,
            gc_overhead_pct=3.683,
            pause_max_ms=2000.0,
            heap_after_max_kb=1024000,
            heap_after_max_pct=97.66,
            full_gc_count=4,
            full_gc_reclaim_max_pct=9.77,
            thrashing=False,
        )
    ]


def test_gc_overhead_is_capped_at_the_whole_bucket() -> None:
    rows = run_query(
        query_db(frame([event(1, "broker-1", "full", 1.0, 14_289.335, **heap(7943, 6013, 8192))]), SOURCES),
        "gc_pressure",
        {"bucket": "10 seconds", "thrash_min_full_gcs": 2, "thrash_max_reclaim_pct": 5.0},
    )
    assert [(row["pause_total_ms"], row["gc_overhead_pct"]) for row in rows] == [(14289.335, 100.0)]


@pytest.mark.parametrize("name", ["gc_summary", "gc_pressure"])
def test_gc_queries_load_through_the_query_registry_with_their_documented_defaults(name: str) -> None:
    from forensics.queries import _parse

    query = _parse(QUERIES / f"{name}.sql")
    assert query.title and "pause" in query.description
    defaults = {param.name: param.default for param in query.params}
    if name == "gc_pressure":
        assert defaults == {"bucket": timedelta(minutes=5), "thrash_min_full_gcs": 2, "thrash_max_reclaim_pct": 5.0}
        assert "thrashing" in query.description.lower()
    rows = run_query(query_db(frame(PRESSURE_INPUT), SOURCES), name, defaults)
    assert rows
