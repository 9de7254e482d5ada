"""The merged timeline of notable events, as typed rows: the model shared by the report and the TUI.

The rows come from the named query ``timeline`` (queries/timeline.sql); this module only types them.
No output concerns here, and no textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from forensics import db
from forensics.queries import get_query, used_params

SEVERITIES = ("info", "warning", "error", "critical")


@dataclass(frozen=True)
class TimelineRow:
    """One notable event, or a burst of alike ones merged (``count`` > 1), with where it comes from."""

    ts: datetime
    ts_end: datetime
    severity: str
    host: str | None
    origin: str
    kind: str
    description: str
    count: int
    source: str | None
    line_start: int | None

    @property
    def evidence(self) -> str:
        """``path:line`` of the first event."""
        return f"{self.source}:{self.line_start}" if self.source else ""


def run_named(con: duckdb.DuckDBPyConnection, name: str, **given: Any) -> list[dict[str, Any]]:
    """Run a named query with its defaults overridden by ``given`` (Python values); rows as dicts."""
    query = get_query(name)
    values = {p.name: p.default for p in query.params} | given
    used = used_params(query.sql)
    result = db.run(con, query.sql, {k: v for k, v in values.items() if k in used} or None)
    assert result is not None
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def load(con: duckdb.DuckDBPyConnection, min_severity: str = "info", collapse: str = "1 minute") -> list[TimelineRow]:
    """The timeline, events at ``min_severity`` or worse."""
    from forensics.queries import parse_interval

    rows = run_named(con, "timeline", min_severity=min_severity, collapse=parse_interval(collapse))
    return [TimelineRow(**row) for row in rows]
