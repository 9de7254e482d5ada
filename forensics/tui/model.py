"""The timeline's data: query results laid out on one row of buckets per zoom level.

The model only places values that named queries computed (``rollout_levels``, ``gc_pressure``,
``broker_states``, ``client_errors``, ``cascade``, ``producer_id_growth``) at their bucket's row;
it derives no signal of its own. Rows are buckets of ``width`` from the first logged time to the
last, in the same alignment as DuckDB's ``time_bucket``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from forensics.tui import zoom
from forensics.tui.data import Table

#: Stages of ``cascade`` as the axis names them, and how loud each is.
STAGES: dict[str, tuple[str, str]] = {
    "heap_high": ("heap high", "warn"),
    "gc_thrashing": ("GC thrashing", "warn"),
    "oom": ("OOM", "crit"),
    "broker_failed": ("failed", "crit"),
    "leadership_moved": ("leaders moved", "warn"),
    "broker_started": ("back up", "ok"),
}
#: Broker states of ``broker_states``: glyph, severity and name, for the lane and its legend.
STATES: dict[str, tuple[str, str]] = {
    "up": ("·", "dim"),
    "thrashing": ("~", "warn"),
    "oom": ("!", "crit"),
    "failed": ("X", "crit"),
    "down": ("_", "crit"),
    "restarted": ("^", "ok"),
}


@dataclass
class BrokerCell:
    """One broker in one bucket: its state (and the event behind it), GC overhead and heap after GC."""

    state: str | None = None
    event: str | None = None
    event_ts: datetime | None = None
    source_id: int | None = None
    line_start: int | None = None
    gc_overhead_pct: float | None = None
    heap_after_pct: float | None = None
    pauses: int | None = None
    full_gcs: int | None = None


@dataclass(frozen=True)
class Marker:
    """Something marked on the time axis: a rollout step or a stage of the cascade."""

    ts: datetime
    kind: str  # step | stage
    label: str
    severity: str  # crit | warn | ok | info
    host: str | None = None
    source: str | None = None
    line_start: int | None = None


@dataclass
class TimelineModel:
    """Every lane's values by bucket index, for one bucket width."""

    width: timedelta
    first: datetime
    count: int
    brokers: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    preferred_flag: str | None = None
    percentages: dict[str, dict[int, float]] = field(default_factory=dict)
    new_producers: dict[int, float] = field(default_factory=dict)
    ids_allocated: dict[int, float] = field(default_factory=dict)
    client_errors: dict[int, int] = field(default_factory=dict)
    client_error_kinds: dict[int, str] = field(default_factory=dict)
    cells: dict[str, dict[int, BrokerCell]] = field(default_factory=dict)
    markers: dict[int, list[Marker]] = field(default_factory=dict)
    producers_loaded: bool = False

    @property
    def flag(self) -> str | None:
        """The flag the rollout lane shows: the report's suspect when it has one, else the most changed."""
        if self.preferred_flag in self.flags:
            return self.preferred_flag
        return self.flags[0] if self.flags else None

    @property
    def rollout(self) -> dict[int, float]:
        return self.percentages.get(self.flag or "", {})

    @property
    def other_flags(self) -> int:
        return max(0, len(self.flags) - 1)

    @property
    def multi_day(self) -> bool:
        return self.start(0).date() != self.start(self.count - 1).date()

    def start(self, index: int) -> datetime:
        return self.first + index * self.width

    def index(self, ts: datetime) -> int:
        """The row of ``ts``, clamped to the rows there are."""
        return max(0, min(self.count - 1, (zoom.floor(ts, self.width) - self.first) // self.width))

    def _row(self, ts: datetime | None) -> int | None:
        if ts is None:
            return None
        row = (zoom.floor(ts, self.width) - self.first) // self.width
        return row if 0 <= row < self.count else None

    def marker_rows(self) -> list[int]:
        return sorted(self.markers)

    def add_lanes(self, tables: dict[str, Table]) -> None:
        """Place the results of the bucket queries (any of them may be missing)."""
        if "rollout_levels" in tables:
            self._add_rollout(tables["rollout_levels"].dicts())
        if "gc_pressure" in tables:
            self._add_gc(tables["gc_pressure"].dicts())
        if "broker_states" in tables:
            self._add_states(tables["broker_states"].dicts())
        if "client_errors" in tables:
            self._add_client_errors(tables["client_errors"].dicts())
        if "cascade" in tables:
            self._add_cascade(tables["cascade"].dicts())
        if "producer_id_growth" in tables:
            self._add_producers(tables["producer_id_growth"].dicts())

    def _cell(self, host: str, row: int) -> BrokerCell:
        if host not in self.cells:
            self.cells[host] = {}
            self.brokers = sorted(self.cells)
        return self.cells[host].setdefault(row, BrokerCell())

    def _add_rollout(self, rows: list[dict[str, Any]]) -> None:
        ranks = {r["feature"]: r["flag_rank"] for r in rows}
        self.flags = sorted(ranks, key=lambda f: ranks[f])
        for r in rows:
            row = self._row(r["bucket_start"])
            if row is None:
                continue
            if r["percentage"] is not None:
                self.percentages.setdefault(r["feature"], {})[row] = r["percentage"]
            if r["step"]:
                label = f"{r['feature']} {_pct(r['changed_from'])}→{_pct(r['changed_to'])}"
                self._mark(row, Marker(r["bucket_start"], "step", label, "info", None, None, r["line_start"]))

    def _add_gc(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            row = self._row(r["bucket_start"])
            if row is None or r["host"] is None:
                continue
            cell = self._cell(r["host"], row)
            cell.gc_overhead_pct = r["gc_overhead_pct"]
            cell.heap_after_pct = r["heap_after_max_pct"]
            cell.pauses = r["pause_count"]
            cell.full_gcs = r["full_gc_count"]

    def _add_states(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            row = self._row(r["bucket_start"])
            if row is None:
                continue
            cell = self._cell(r["host"], row)
            cell.state, cell.event, cell.event_ts = r["state"], r["event"], r["event_ts"]
            cell.source_id, cell.line_start = r["source_id"], r["line_start"]

    def _add_client_errors(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            row = self._row(r["bucket_start"])
            if row is not None and r["host"] is None:
                self.client_errors[row] = r["errors"]
                self.client_error_kinds[row] = r["kinds"] or ""

    def _add_cascade(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            row = self._row(r["ts"])
            if row is None:
                continue
            name, severity = STAGES.get(r["event"], (str(r["event"]).replace("_", " "), "info"))
            order = f" #{r['cascade_order']}" if r["cascade_order"] and r["event"] == "oom" else ""
            self._mark(row, Marker(r["ts"], "stage", f"{r['host']} {name}{order}", severity, r["host"],
                                   r["source"], r["line_start"]))

    def _add_producers(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            row = self._row(r["bucket_start"])
            if row is None or r["scope"] != "cluster":
                continue
            if r["new_producers"] is not None:  # NULL: the estimate does not know this bucket (after a last grant)
                self.new_producers[row] = r["new_producers"]
            self.ids_allocated[row] = r["ids_allocated"]
        self.producers_loaded = True

    def _mark(self, row: int, marker: Marker) -> None:
        self.markers.setdefault(row, []).append(marker)
        self.markers[row].sort(key=lambda m: (m.ts, m.label))


def _pct(value: float | None) -> str:
    return "?" if value is None else f"{value:g}%"


def empty(width: timedelta, first_ts: datetime, last_ts: datetime) -> TimelineModel:
    """A model with one row per bucket from ``first_ts`` to ``last_ts`` and no values yet."""
    first = zoom.floor(first_ts, width)
    count = (zoom.floor(last_ts, width) - first) // width + 1
    return TimelineModel(width, first, max(count, 1))


def time_range(time_span: Table, ingest_summary: Table) -> tuple[datetime, datetime] | None:
    """The span the story covers (``time_span``: where the records are dense), else the first and last logged
    time over all files (``ingest_summary``: a database of exports only); None for an empty database."""
    span = time_span.dicts()
    if span:
        return span[0]["window_start"], span[0]["window_end"]
    rows = ingest_summary.dicts()
    firsts = [r["first_ts"] for r in rows if r["first_ts"] is not None]
    lasts = [r["last_ts"] for r in rows if r["last_ts"] is not None]
    if not firsts or not lasts:
        return None
    return min(firsts), max(lasts)
