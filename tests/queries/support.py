"""A tiny database for query tests: the real schema, with the producers view replaced by a plain table of its
contract (issue 5) so that tests can insert producer rows directly, and a hosts table as ingest leaves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from forensics import db
from forensics.timeline import run_named

T0 = datetime(2025, 8, 28, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def tiny_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(db.schema_sql())
    con.execute("DROP VIEW IF EXISTS producers")
    con.execute("""CREATE TABLE producers (host VARCHAR, client_id VARCHAR, transactional_id VARCHAR, created_at TIMESTAMPTZ,
                   producer_id BIGINT, epoch BIGINT, closed_at TIMESTAMPTZ, lifetime_ms DOUBLE, close_timeout_ms BIGINT,
                   client_version VARCHAR, source_id INTEGER, line_start BIGINT)""")
    con.execute("CREATE TABLE IF NOT EXISTS hosts (host VARCHAR, broker_id INTEGER, families VARCHAR, files BIGINT)")
    return con


def source(con: duckdb.DuckDBPyConnection, source_id: int, path: str, host: str, family: str = "broker",
           log_kind: str = "server", first: datetime | None = None, last: datetime | None = None,
           ts_origin: str = "assumed:UTC", status: str = "ok") -> None:
    con.execute(
        """INSERT INTO sources (source_id, path, abs_path, host, family, log_kind, format, lines_read, records,
                                lines_in_records, lines_rejected, first_ts, last_ts, ts_origin, status, ingested_at)
           VALUES (?, ?, ?, ?, ?, ?, 'x', 10, 10, 10, 0, ?, ?, ?, ?, now())""",
        [source_id, path, "/" + path, host, family, log_kind, first, last, ts_origin, status],
    )


def event(con: duckdb.DuckDBPyConnection, source_id: int, host: str, line: int, ts: datetime, kind: str, **fields: Any) -> None:
    columns = ["source_id", "host", "line_start", "line_end", "ts", "kind", *fields]
    con.execute(f"INSERT INTO broker_events ({', '.join(map(repr, columns)).replace(chr(39), chr(34))}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                [source_id, host, line, line, ts, kind, *fields.values()])


def gc(con: duckdb.DuckDBPyConnection, source_id: int, host: str, line: int, ts: datetime, kind: str, pause_ms: float | None,
       before_mb: int, after_mb: int, capacity_mb: int = 1000) -> None:
    con.execute(
        """INSERT INTO gc_events (source_id, host, line_start, line_end, ts, ts_end, kind, name, stw, nested, complete, pause_ms,
                                  heap_before_kb, heap_after_kb, heap_capacity_kb)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, false, true, ?, ?, ?, ?)""",
        [source_id, host, line, line, ts, ts + timedelta(milliseconds=pause_ms or 0), kind,
         "Pause Full" if kind == "full" else "Pause Young", pause_ms, before_mb * 1024, after_mb * 1024, capacity_mb * 1024],
    )


def rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_named(con, name, **params)
