"""Every database access of the TUI: named queries, bound and run on read-only connections.

The functions here run in worker threads. Each worker takes its own read-only connection from
:class:`Database` for the length of one job.
Starting a job in a group first interrupts the query of the group's running job (zooming again
before the last zoom's queries finished, typing a new filter): the screens call
:meth:`Database.interrupt`, and workers check their cancellation before posting anything.
Nothing here imports Textual; values come back as plain :class:`Table` rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from forensics import db
from forensics.errors import QueryError
from forensics.queries import get_query, used_params
from forensics.tui import zoom


@dataclass(frozen=True)
class Table:
    """A query result: column names and rows, as DuckDB returned them."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Database:
    """The database file, and the read-only connection each running job holds, by group."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._running: dict[str, duckdb.DuckDBPyConnection] = {}
        self._lock = threading.Lock()

    @contextmanager
    def connection(self, group: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh read-only connection for one job of ``group``, closed at the end of the job."""
        con = self.open(group)
        try:
            yield con
        finally:
            self.release(group, con)
            con.close()

    def open(self, group: str) -> duckdb.DuckDBPyConnection:
        """A read-only connection registered as ``group``'s running job."""
        con = db.open_read_only(self.path)
        con.execute("SET enable_progress_bar = false")  # DuckDB would draw it over the screen
        with self._lock:
            self._running[group] = con
        return con

    def interrupt(self, group: str) -> None:
        """Stop the query of ``group``'s running job (called before starting the job that replaces it)."""
        with self._lock:
            con = self._running.get(group)
        if con is not None:
            con.interrupt()

    def release(self, group: str, con: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            if self._running.get(group) is con:
                del self._running[group]

    def interrupt_all(self) -> None:
        with self._lock:
            running = list(self._running.values())
        for con in running:
            con.interrupt()


def _as_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return zoom.label(value)
    return str(value)


def bind(name: str, given: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SQL of a named query and its parameters: defaults, then ``given`` (None binds NULL)."""
    query = get_query(name)
    values = query.bind({k: _as_text(v) for k, v in given.items() if v is not None})
    unknown = {k for k in given if k not in values}
    if unknown:
        query.bind({k: "" for k in unknown})  # raises the usage error that names them
    values.update({k: None for k, v in given.items() if v is None})
    used = used_params(query.sql)
    return query.sql, {k: v for k, v in values.items() if k in used}


def run_named(con: duckdb.DuckDBPyConnection, name: str, given: Mapping[str, Any] | None = None) -> Table:
    """Run a named query (``queries/NAME.sql``) with ``given`` parameters; DuckDB errors become QueryError."""
    sql, params = bind(name, given or {})
    result = db.run(con, sql, params or None)
    assert result is not None
    columns = tuple(d[0] for d in result.description or [])
    return Table(columns, result.fetchall())


class ResultPages:
    """An ad-hoc query's result, read a page at a time from its own connection (never all at once)."""

    def __init__(self, database: Database, sql: str, params: dict[str, Any] | None, group: str = "sql") -> None:
        self._database, self._group = database, group
        self._con = database.open(group)
        try:
            result = db.run(self._con, sql, params or None)
        except BaseException:
            database.release(group, self._con)
            self._con.close()
            raise
        assert result is not None
        self._result = result
        self.columns = tuple(d[0] for d in result.description or [])
        self.done = not self.columns
        self.fetched = 0
        self._lock = threading.Lock()
        self._closed = False
        if self.done:
            self.close()

    def next_page(self, size: int) -> list[tuple[Any, ...]]:
        """Up to ``size`` more rows; ``done`` becomes true at the end of the result."""
        with self._lock:
            if self.done:
                return []
            try:
                rows = self._result.fetchmany(size)
            except duckdb.Error as exc:
                self._finish()
                raise QueryError(str(exc)) from exc
            self.fetched += len(rows)
            if len(rows) < size:
                self._finish()
            return rows

    def close(self) -> None:
        """Let go of the result (waits for a page being read, so interrupt first to be quick)."""
        with self._lock:
            self._finish()

    def _finish(self) -> None:
        self.done = True
        if not self._closed:
            self._closed = True
            self._database.release(self._group, self._con)
            self._con.close()

    def interrupt(self) -> None:
        if not self._closed:
            self._con.interrupt()
