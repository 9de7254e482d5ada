"""The named queries the TUI added, on a few hand-written rows each: input rows → expected rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest

from forensics import db
from forensics.tui.data import run_named


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")[:2]
    seconds = int(hhmm.split(":")[2]) if hhmm.count(":") == 2 else 0
    return datetime(2025, 8, 28, int(hours), int(minutes), seconds, tzinfo=UTC)


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = db.open_for_write(":memory:")
    connection.execute("CREATE TABLE hosts (host VARCHAR, broker_id INTEGER, families VARCHAR, files BIGINT)")
    yield connection
    connection.close()


def add_source(con: duckdb.DuckDBPyConnection, source_id: int, host: str, family: str, first: str, last: str,
               path: str | None = None) -> None:
    con.execute(
        """INSERT INTO sources (source_id, path, abs_path, host, family, first_ts, last_ts, status, ingested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'ok', ?)""",
        [source_id, path or f"{host}/{family}.log", f"/nowhere/{host}/{family}.log", host, family, at(first), at(last),
         at("00:00")],
    )


def add(con: duckdb.DuckDBPyConnection, table: str, **values: Any) -> None:
    columns = ", ".join(f'"{c}"' for c in values)
    con.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in values)})", list(values.values()))


def broker_event(con: duckdb.DuckDBPyConnection, source_id: int, host: str, line: int, ts: str, kind: str,
                 broker_id: int | None, **extra: Any) -> None:
    add(con, "broker_events", source_id=source_id, host=host, line_start=line, line_end=line, ts=at(ts), kind=kind,
        broker_id=broker_id, **extra)


def full_gc(con: duckdb.DuckDBPyConnection, source_id: int, host: str, line: int, ts: str, reclaim_kb: int) -> None:
    add(con, "gc_events", source_id=source_id, host=host, line_start=line, line_end=line, ts=at(ts), kind="full",
        stw=True, nested=False, pause_ms=900.0, heap_before_kb=6_000_000, heap_after_kb=6_000_000 - reclaim_kb,
        heap_capacity_kb=6_291_456, name="Pause Full (G1 Compaction Pause)")


@pytest.fixture
def cluster(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Three brokers 00:00–01:00: kafka-3 OOMs and fails, is killed and restarts; kafka-1 thrashes, then
    is replaced as controller; kafka-2 is fine."""
    for source_id, (host, broker_id) in enumerate((("kafka-1", 1), ("kafka-2", 2), ("kafka-3", 3)), start=1):
        add_source(con, source_id, host, "broker", "00:00", "01:00")
        add(con, "hosts", host=host, broker_id=broker_id, families="broker", files=1)
    broker_event(con, 3, "kafka-3", 10, "00:12", "oom", 3)
    broker_event(con, 1, "kafka-1", 20, "00:13", "broker_failed", 3, node_id=1)
    broker_event(con, 3, "kafka-3", 11, "00:15", "oom", 3)
    broker_event(con, 3, "kafka-3", 30, "00:31", "process_signal", 3, detail="SIGTERM")
    broker_event(con, 3, "kafka-3", 40, "00:41", "broker_starting", 3)
    broker_event(con, 3, "kafka-3", 47, "00:47", "broker_started", 3)
    broker_event(con, 2, "kafka-2", 55, "00:55", "controller_change", 2, epoch=8)
    full_gc(con, 1, "kafka-1", 5, "00:05:10", 30_000)
    full_gc(con, 1, "kafka-1", 6, "00:06:00", 20_000)
    return con


def states(con: duckdb.DuckDBPyConnection, host: str, bucket: str = "10m") -> list[tuple[Any, ...]]:
    rows = run_named(con, "broker_states", {"bucket": bucket}).dicts()
    return [(r["bucket_start"].strftime("%H:%M"), r["state"], r["changed"], r["event"], r["line_start"])
            for r in rows if r["host"] == host]


def test_a_broker_that_runs_out_of_memory_is_failed_until_it_is_stopped_and_restarted(cluster) -> None:
    assert states(cluster, "kafka-3") == [
        ("00:00", "up", False, None, None),
        ("00:10", "failed", True, "broker_failed", 20),  # OOM at 00:12, the controller saw it fail at 00:13
        ("00:20", "failed", False, "broker_failed", 20),  # carried: a zombie stays failed
        ("00:30", "down", True, "process_signal", 30),
        ("00:40", "restarted", True, "broker_starting", 40),
        ("00:50", "up", True, None, None),
        ("01:00", "up", False, None, None),
    ]


def test_thrashing_is_the_gc_pressure_rule_and_a_replaced_controller_has_failed(cluster) -> None:
    assert states(cluster, "kafka-1") == [
        ("00:00", "thrashing", True, None, None),  # two Full GCs reclaiming < 5 % in the bucket
        ("00:10", "up", True, None, None),
        ("00:20", "up", False, None, None),
        ("00:30", "up", False, None, None),
        ("00:40", "up", False, None, None),
        ("00:50", "failed", True, "controller_replaced", 55),  # kafka-1 was the controller (it logged the callback)
        ("01:00", "failed", False, "controller_replaced", 55),
    ]
    pressure = run_named(cluster, "gc_pressure", {"bucket": "10m"}).dicts()
    assert [(r["host"], r["thrashing"]) for r in pressure] == [("kafka-1", True)]


def test_the_worst_state_of_a_bucket_wins_and_a_restart_shows_when_the_broker_came_back(cluster) -> None:
    assert states(cluster, "kafka-3", "1h") == [("00:00", "restarted", True, "broker_starting", 40),
                                               ("01:00", "up", True, None, None)]
    assert states(cluster, "kafka-2", "1h") == [("00:00", "up", False, None, None), ("01:00", "up", False, None, None)]


def test_rollout_levels_carry_the_percentage_forward_and_mark_steps(con) -> None:
    add_source(con, 1, "rollouts", "events", "00:00", "01:00")
    rows = [("00:00", "audit", 0.0, None), ("00:25", "audit", 10.0, 0.0), ("00:27", "audit", 50.0, 10.0),
            ("00:35", "jitter", 100.0, 0.0)]
    for line, (ts, feature, pct, prev) in enumerate(rows, start=1):
        add(con, "rollouts", source_id=1, host="rollouts", line_start=line, line_end=line, ts=at(ts), feature=feature,
            percentage=pct, previous_percentage=prev)
    got = [(r["feature"], r["flag_rank"], r["bucket_start"].strftime("%H:%M"), r["percentage"], r["changes"], r["step"],
            r["changed_from"], r["changed_to"], r["line_start"])
           for r in run_named(con, "rollout_levels", {"bucket": "30m"}).dicts()]
    assert got == [
        ("audit", 1, "00:00", 50.0, 3, True, 10.0, 50.0, 3),  # created at 0 % (not a step), then 10 %, then 50 %
        ("audit", 1, "00:30", 50.0, 0, False, None, None, None),
        ("audit", 1, "01:00", 50.0, 0, False, None, None, None),
        ("jitter", 2, "00:30", 100.0, 1, True, 0.0, 100.0, 4),
        ("jitter", 2, "01:00", 100.0, 0, False, None, None, None),
    ]


def test_client_errors_count_warnings_and_worse_per_bucket_in_total_and_per_host(con) -> None:
    events = [("api-a", "00:01", "produce_error", "WARN"), ("api-a", "00:02", "records_expired", "ERROR"),
              ("api-b", "00:03", "produce_error", "WARN"), ("api-b", "00:04", "producer_created", "INFO"),
              ("api-b", "00:12", "connection_failed", "WARN")]
    for line, (host, ts, kind, level) in enumerate(events, start=1):
        add(con, "client_events", source_id=1, host=host, line_start=line, line_end=line, ts=at(ts), kind=kind, level=level)
    got = [(r["bucket_start"].strftime("%H:%M"), r["host"], r["errors"], r["kinds"])
           for r in run_named(con, "client_errors", {"bucket": "10m"}).dicts()]
    assert got == [
        ("00:00", None, 3, "produce_error,records_expired"),
        ("00:00", "api-a", 2, "produce_error,records_expired"),
        ("00:00", "api-b", 1, "produce_error"),
        ("00:10", None, 1, "connection_failed"),
        ("00:10", "api-b", 1, "connection_failed"),
    ]


@pytest.fixture
def events(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """One event of every source, each with its record."""
    add_source(con, 1, "kafka-3", "broker", "00:00", "01:00")
    add_source(con, 2, "kafka-3", "gc", "00:00", "01:00")
    add_source(con, 3, "api-a", "client", "00:00", "01:00")
    add_source(con, 4, "rollouts", "events", "00:00", "01:00")
    records = [(1, 10, 12, "00:10", "ERROR", "Unexpected error\njava.lang.OutOfMemoryError: Java heap space\n\tat x"),
               (1, 20, 20, "00:20", "INFO", "[Controller id=1] Broker failure callback for 3"),
               (2, 5, 7, "00:05", None, "GC(7) Pause Full (G1 Compaction Pause)"),
               (3, 1, 1, "00:15", "WARN", "Got error produce response: NOT_LEADER_OR_FOLLOWER"),
               (4, 1, 1, "00:30", None, '{"key": "audit"}')]
    for source_id, start, end, ts, level, message in records:
        add(con, "records", source_id=source_id, host="h", line_start=start, line_end=end, ts=at(ts), level=level,
            message=message)
    broker_event(con, 1, "kafka-3", 10, "00:10", "oom", 3, detail="Java heap space")
    add(con, "broker_events", source_id=1, host="kafka-3", line_start=20, line_end=20, ts=at("00:20"),
        kind="broker_failed", broker_id=3)
    full_gc(con, 2, "kafka-3", 5, "00:05", 10_000)
    add(con, "client_events", source_id=3, host="api-a", line_start=1, line_end=1, ts=at("00:15"), kind="produce_error",
        level="WARN", error="NOT_LEADER_OR_FOLLOWER")
    add(con, "rollouts", source_id=4, host="rollouts", line_start=1, line_end=1, ts=at("00:30"), feature="audit",
        percentage=75.0, previous_percentage=25.0, note="rolled out")
    return con


def event_log(con: duckdb.DuckDBPyConnection, **given: Any) -> list[tuple[Any, ...]]:
    return [(r["ts"].strftime("%H:%M"), r["source"], r["kind"], r["level"], r["message"])
            for r in run_named(con, "event_log", given).dicts()]


def test_event_log_merges_every_source_in_time_order_with_level_and_first_line(events) -> None:
    assert event_log(events) == [
        ("00:05", "gc", "full", "INFO", "Pause Full (G1 Compaction Pause) 5859M->5849M(6144M) 900.000ms"),
        ("00:10", "broker", "oom", "ERROR", "Unexpected error"),
        ("00:15", "client", "produce_error", "WARN", "Got error produce response: NOT_LEADER_OR_FOLLOWER"),
        ("00:20", "broker", "broker_failed", "INFO", "[Controller id=1] Broker failure callback for 3"),
        ("00:30", "rollout", "flag_change", None, "audit 25% → 75% rolled out"),
    ]


def test_event_log_filters_by_host_source_kind_level_text_and_time(events) -> None:
    assert [e[2] for e in event_log(events, host="api-a")] == ["produce_error"]
    assert [e[2] for e in event_log(events, source="broker")] == ["oom", "broker_failed"]
    assert [e[2] for e in event_log(events, kind="full")] == ["full"]
    assert [e[2] for e in event_log(events, level="warn")] == ["oom", "produce_error", "flag_change"]
    assert [e[2] for e in event_log(events, level="ERROR")] == ["oom", "flag_change"]
    assert [e[2] for e in event_log(events, text="outofmemoryerror")] == ["oom"]  # anywhere in the record
    assert [e[2] for e in event_log(events, start=at("00:10"), stop=at("00:20"))] == ["oom", "produce_error"]


def test_event_log_keeps_the_events_nearest_the_time_asked(events) -> None:
    assert [e[0] for e in event_log(events, around=at("00:19"), max_rows=2)] == ["00:15", "00:20"]
    assert [e[0] for e in event_log(events, max_rows=2)] == ["00:05", "00:10"]


def test_source_excerpt_gives_the_records_and_rejected_lines_around_a_range(events) -> None:
    add(events, "rejects", source_id=1, line_no=14, reason="no record head", raw="garbage [bold]")
    rows = run_named(events, "source_excerpt", {"source_id": 1, "line_start": 10, "line_end": 12, "context": 2}).dicts()
    assert [(r["line_start"], r["line_end"], r["kind"], r["text"].split("\n")[0]) for r in rows] == [
        (10, 12, "record", "Unexpected error"),
        (14, 14, "rejected: no record head", "garbage [bold]"),
    ]
    assert {r["path"] for r in rows} == {"kafka-3/broker.log"}
    nothing = run_named(events, "source_excerpt", {"source_id": 1, "line_start": 500, "line_end": 500}).dicts()
    assert [(r["path"], r["text"]) for r in nothing] == [("kafka-3/broker.log", None)]


def test_bucket_widths_of_the_zoom_ladder_are_accepted_by_every_bucket_query(cluster) -> None:
    from forensics.tui import zoom

    for width in (zoom.WIDTHS[0], timedelta(hours=1), zoom.WIDTHS[-1]):
        for name in ("broker_states", "rollout_levels", "client_errors", "gc_pressure"):
            run_named(cluster, name, {"bucket": width})
