"""The report's data: what the named queries say, typed, before any layout.

Rows of the named queries are kept as dicts with their query's column names (documented in each
queries/*.sql header); the summaries the findings rest on are dataclasses. Times are UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from forensics.timeline import TimelineRow

Row = dict[str, Any]


@dataclass(frozen=True)
class Evidence:
    """A file and line that shows a finding, with what it shows."""

    source: str
    line: int | None
    what: str = ""

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source


#: How sure a finding is: ``measured`` (read off log lines), ``estimated`` (computed from them by a model, e.g. new
#: producers from producer-ID blocks), ``inferred`` (a reading of what the lines mean, e.g. "a producer per request").
CONFIDENCES = ("measured", "estimated", "inferred")


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str  # critical | warning | info
    title: str
    text: str
    evidence: tuple[Evidence, ...] = ()
    confidence: str = "measured"  # one of CONFIDENCES


@dataclass(frozen=True)
class ProducerSummary:
    """New producers per hour: the pre-rollout baseline, the peak clock hour, and their ratio."""

    baseline_per_hour: float | None
    baseline_from: datetime | None
    baseline_until: datetime | None
    peak_per_hour: float | None
    peak_at: datetime | None
    peak_ratio: float | None


@dataclass
class Series:
    """Per-bucket series for the charts, on one time axis."""

    bucket: timedelta
    new_producers: list[tuple[datetime, float]] = field(default_factory=list)  # per hour, cluster
    cumulative_ids: list[tuple[datetime, float]] = field(default_factory=list)  # cluster, estimate
    gc_overhead: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)
    heap_after: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)


@dataclass
class Report:
    database: str
    bucket: timedelta
    window: tuple[datetime | None, datetime | None]
    coverage: list[Row]
    rollout_steps: list[Row]
    suspect_feature: str | None
    producers: ProducerSummary
    producer_hours: list[Row]
    client_producers: list[Row]
    gc: list[Row]
    correlation: list[Row]
    cascade: list[Row]
    episodes: list[Row]
    anomalies: list[Row]
    alerts: list[Row]
    timeline: list[TimelineRow]
    series: Series
    findings: list[Finding] = field(default_factory=list)

    @property
    def suspect_steps(self) -> list[Row]:
        return [s for s in self.rollout_steps if s["feature"] == self.suspect_feature]
