"""Test support for the GC parsers: read files into line batches, run a parser, load the query DB.

Independent of the ingest engine: files are read the way the engine will (polars read_csv with a
separator that never occurs, lossy UTF-8, CRLF stripped), cut into small batches so that state
kept across batches is exercised, and fed to ``parser.parse`` / ``parser.finish`` directly.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from parsers.base import LINES_SCHEMA, ParseContext, ParsedBatch
from parsers.gc import FORMATS
from parsers.gc.model import GC_EVENTS_SCHEMA

REPO = Path(__file__).resolve().parents[2]
#: Real GC logs copied byte-exact from the test data of GCViewer, garbagecat and gctoolkit (see its MANIFEST.md).
REAL_GC = REPO / "tests" / "real_logs" / "gc"
SCHEMA_SQL = REPO / "forensics" / "schema" / "20_gc.sql"
QUERIES = REPO / "queries"
FORMAT_BY_NAME = {fmt.name: fmt for fmt in FORMATS}
#: Small on purpose: events spanning batches must survive the cut.
BATCH_LINES = 7


def read_lines(source: Path | bytes) -> pl.DataFrame:
    """``line_no`` (Int64, 1-based) and ``line`` for every line of a file or byte string."""
    data = source.read_bytes() if isinstance(source, Path) else source
    frame = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        separator="\x01",
        quote_char=None,
        encoding="utf8-lossy",
        schema={"line": pl.String},
    )
    frame = frame.with_columns(pl.col("line").fill_null("")).with_row_index("line_no", offset=1)
    return frame.select(pl.col("line_no").cast(pl.Int64), "line")


def physical_lines(data: bytes) -> int:
    """Lines as ``wc -l`` counts them, plus a last line without newline."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


@dataclass
class Parsed:
    """Everything a parser produced for one file."""

    lines: int
    records: pl.DataFrame
    rejects: pl.DataFrame
    events: pl.DataFrame


def parse_frame(
    lines: pl.DataFrame, format_name: str, ctx: ParseContext | None = None, batch_lines: int = BATCH_LINES
) -> Parsed:
    """Run one format's parser over the lines in batches, then ``finish``."""
    ctx = ctx or ParseContext(path="<test>", host="h")
    parser = FORMAT_BY_NAME[format_name].parser(ctx)
    batches = [lines.slice(offset, batch_lines) for offset in range(0, lines.height, batch_lines)]
    results: list[ParsedBatch] = [parser.parse(batch.select(list(LINES_SCHEMA))) for batch in batches] + [
        parser.finish()
    ]
    events = [result.tables["gc_events"] for result in results if "gc_events" in result.tables]
    return Parsed(
        lines=lines.height,
        records=pl.concat([result.records for result in results]),
        rejects=pl.concat([result.rejects for result in results]),
        events=pl.concat(events) if events else pl.DataFrame(schema=GC_EVENTS_SCHEMA),
    )


def parse_text(text: str, format_name: str, ctx: ParseContext | None = None, batch_lines: int = BATCH_LINES) -> Parsed:
    return parse_frame(read_lines(text.encode()), format_name, ctx, batch_lines)


@lru_cache(maxsize=1)
def expected() -> dict[str, Any]:
    return json.loads((REAL_GC / "expected.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def real_files() -> list[dict[str, Any]]:
    """expected.json's entry for every real GC log file (its key is the path relative to real_logs/gc)."""
    return list(expected()["files"])


def format_for(entry: dict[str, Any]) -> str:
    return "jvm_gc_unified" if entry["format_family"].startswith("unified") else "jvm_gc_legacy"


@cache
def parse_real(key: str, batch_lines: int = BATCH_LINES) -> Parsed:
    """A real file parsed with the format its family calls for (cached: several tests look at it)."""
    entry = next(item for item in real_files() if item["file"] == key)
    return parse_frame(read_lines(REAL_GC / key), format_for(entry), ParseContext(path=key, host="h"), batch_lines)


def query_db(events: pl.DataFrame, sources: list[tuple[int, str, str]] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with ``sources`` and ``gc_events`` (events of source 1 unless they carry source_id)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE sources(source_id INTEGER, path VARCHAR, host VARCHAR, format VARCHAR, family VARCHAR)")
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    for source_id, path, host in sources or [(1, "gc.log", "h")]:
        con.execute("INSERT INTO sources VALUES (?, ?, ?, 'jvm_gc_unified', 'gc')", [source_id, path, host])
    frame = events  # noqa: F841 - read by DuckDB's replacement scan below
    if "source_id" in events.columns:
        con.execute("INSERT INTO gc_events SELECT * FROM frame")
    else:
        con.execute("INSERT INTO gc_events SELECT 1 AS source_id, 'h' AS host, * FROM frame")
    return con


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    cursor = con.execute(sql, params or {})
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
