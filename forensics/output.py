"""Query results to stdout: an aligned text table, CSV, JSON, or Parquet.

Times print as ISO 8601 in UTC. Text from logs is printed as text: control
characters are escaped in the table format so that a log line cannot move the
cursor or recolour the terminal.
"""

from __future__ import annotations

import csv
import json
import sys
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

import duckdb
import polars as pl

from forensics.terminal import visible

FORMATS = ("table", "csv", "json", "parquet")
#: Widest a table cell gets before it is cut with an ellipsis.
CELL_MAX = 80


def plain(value: Any) -> Any:
    """A JSON-able value: times as ISO 8601, intervals as seconds, decimals as floats."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(plain(value)) if not isinstance(value, float) else f"{value:.6g}"
    text = visible(text, keep_lines=False)
    return text if len(text) <= CELL_MAX else text[: CELL_MAX - 1] + "…"


def write_table(columns: list[str], rows: list[tuple[Any, ...]], out: IO[str]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in rows) for i in range(len(columns))]

    def fmt(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)).rstrip()

    out.write(fmt(columns) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(fmt(row) + "\n")


def write_result(result: duckdb.DuckDBPyConnection, fmt: str, out: IO[str] | None = None, path: str | None = None) -> int:
    """Write a DuckDB result in ``fmt``; returns the number of rows written."""
    out = out or sys.stdout
    columns = [d[0] for d in result.description or []]
    if fmt == "parquet":
        if not path:
            raise ValueError("parquet output needs -o FILE")
        with warnings.catch_warnings():  # DuckDB 2 warns of the copy a DB-API result costs; a result is small
            warnings.simplefilter("ignore", UserWarning)
            frame = pl.from_arrow(result.to_arrow_reader().read_all())
        assert isinstance(frame, pl.DataFrame)
        frame.write_parquet(path)
        return frame.height
    rows = result.fetchall()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[plain(v) for v in row] for row in rows])
    elif fmt == "json":
        json.dump([{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in rows], out, indent=1)
        out.write("\n")
    else:
        write_table(columns, rows, out)
    return len(rows)
