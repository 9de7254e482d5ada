"""The findings beside the timeline: the story's own (``forensics.story``), with their evidence located.

The report's build step runs on a read-only connection in a worker; its findings are shown in
the report's order and words. Each evidence ``path:line`` is resolved to the file's ``source_id``
and the time of its record, so that choosing a finding can show those lines and move the
timeline's cursor to the first of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from forensics.tui.data import run_named

#: The report's severities, as the TUI names its styles.
SEVERITIES = {"critical": "crit", "warning": "warn", "info": "info"}


@dataclass(frozen=True)
class Proof:
    """One line of evidence: where it is, what it shows, and when it was logged (if found)."""

    source: str
    line: int | None
    what: str
    source_id: int | None
    ts: datetime | None


@dataclass(frozen=True)
class Finding:
    severity: str  # crit | warn | info
    title: str
    text: str
    evidence: tuple[Proof, ...]
    confidence: str = "measured"  # measured | estimated | inferred (forensics.story.model.CONFIDENCES)

    @property
    def ts(self) -> datetime | None:
        times = [p.ts for p in self.evidence if p.ts is not None]
        return min(times) if times else None


@dataclass(frozen=True)
class Findings:
    items: list[Finding]
    suspect_feature: str | None


def load(con: duckdb.DuckDBPyConnection, database: str, bucket: timedelta = timedelta(minutes=5)) -> Findings:
    """The report's findings, built as ``forensics report --bucket`` builds them."""
    from forensics.story.build import build_from

    report = build_from(con, database, bucket)
    source_ids = {row["path"]: row["source_id"] for row in run_named(con, "ingest_summary").dicts()}
    items = [
        Finding(SEVERITIES.get(f.severity, "info"), f.title, f.text,
                tuple(_locate(con, source_ids, e.source, e.line, e.what) for e in f.evidence), f.confidence)
        for f in report.findings
    ]
    return Findings(items, report.suspect_feature)


def _locate(con: duckdb.DuckDBPyConnection, source_ids: dict[str, Any], source: str, line: int | None,
            what: str) -> Proof:
    source_id = source_ids.get(source)
    if source_id is None or line is None:
        return Proof(source, line, what, source_id, None)
    rows = run_named(con, "source_excerpt", {"source_id": source_id, "line_start": line, "line_end": line,
                                             "context": 0}).dicts()
    ts = next((r["ts"] for r in rows if r["line_start"] is not None and r["line_start"] <= line <= r["line_end"]), None)
    return Proof(source, line, what, source_id, ts)
