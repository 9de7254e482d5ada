"""The embedded DuckDB file: opening it, its schema, and running SQL safely.

Sessions are pinned to UTC so that TIMESTAMPTZ values print as UTC whatever
the machine's zone. Read-only opens are used for every query path, so a stray
``DROP`` typed into ``forensics sql`` can do no harm.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import duckdb

from forensics.errors import BusyError, InputError, QueryError

SCHEMA_DIR = Path(__file__).parent / "schema"
DEFAULT_DB = "forensics.duckdb"
#: DuckDB's buffer pool during ingest; keeps peak memory bounded whatever the input size.
INGEST_MEMORY_LIMIT = "400MB"


#: Every read-only session: no files written or read outside the database, no other database attached, no
#: extension installed or loaded, no network. SQL cannot switch external access back on while the database is
#: open (DuckDB refuses), and without it nothing can be installed or attached.
READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def _raise_open_error(path: str | Path, exc: duckdb.Error) -> NoReturn:
    if "lock" in str(exc).lower():
        raise BusyError(
            f"database {path} is in use by another process (an ingest still running?)",
            hint="wait until it is done, or use another --db",
        ) from exc
    raise InputError(f"cannot open database {path}: {exc}") from exc


def default_db_path() -> str:
    return os.environ.get("FORENSICS_DB") or DEFAULT_DB


def schema_sql() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(SCHEMA_DIR.glob("*.sql")))


def _pin(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("SET TimeZone = 'UTC'")
    return con


def open_for_write(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database for ingest, with the schema applied."""
    try:
        con = duckdb.connect(str(path), config={"memory_limit": INGEST_MEMORY_LIMIT})
    except duckdb.Error as exc:
        _raise_open_error(path, exc)
    _pin(con)
    _check_schema(con, path)
    con.execute(schema_sql())
    return con


def open_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open an existing database read-only; a missing file is an input error with a hint."""
    if str(path) != ":memory:" and not Path(path).exists():
        raise InputError(
            f"no database at {path}",
            hint="ingest logs first: forensics ingest --db PATH LOGS…  (or set FORENSICS_DB)",
        )
    try:
        con = duckdb.connect(str(path), read_only=str(path) != ":memory:", config=READ_ONLY_CONFIG)
    except duckdb.Error as exc:
        _raise_open_error(path, exc)
    _check_schema(con, path)
    return _pin(con)  # (DuckDB refuses to enable external access again while the database is open)


@lru_cache(maxsize=1)
def _expected_columns() -> dict[str, tuple[str, ...]]:
    """Every table's columns as this version's schema makes them."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(schema_sql())
        return _columns(con)
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    rows = con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE NOT internal AND schema_name = 'main' GROUP BY table_name"
    ).fetchall()
    return {table: tuple(columns) for table, columns in rows}


def _check_schema(con: duckdb.DuckDBPyConnection, path: str | Path) -> None:
    """A database another version of forensics wrote: say so, instead of a catalog error or a failed insert."""
    have = _columns(con)
    if not have:
        return  # a new, empty file
    differ = sorted(t for t, columns in _expected_columns().items() if have.get(t) != columns)
    if differ:
        con.close()
        raise InputError(
            f"{path} was written by another version of forensics (tables {', '.join(differ)} differ from this one's)",
            hint="ingest the logs again into a new database: forensics ingest --db NEW.duckdb LOGS…",
        )


def run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyRelation | None:
    """Run SQL; DuckDB's errors become QueryError with DuckDB's own words."""
    try:
        return con.execute(sql, params) if params else con.execute(sql)  # type: ignore[return-value]
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from exc
