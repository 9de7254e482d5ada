"""The home screen: the incident timeline, a readout of the cursor's bucket, and the report's findings.

Lanes are loaded per bucket width by a worker (fast lanes first, the producer-ID estimate after)
and kept per width, so zooming back is instant. Zooming keeps the cursor's time on the same row.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from forensics.errors import ForensicsError
from forensics.tui import findings as findings_source
from forensics.tui import model as timeline_model
from forensics.tui import zoom
from forensics.tui.data import Table, run_named
from forensics.tui.messages import DataFailed, FindingsLoaded, TimelineLoaded, post_from_worker
from forensics.tui.text import SEVERITY_STYLE, log_content
from forensics.tui.widgets.findings import FindingsPanel
from forensics.tui.widgets.glyphs import compact
from forensics.tui.widgets.nav import NavBar
from forensics.tui.widgets.timeline import TimelineView

if TYPE_CHECKING:
    from forensics.tui.app import ForensicsApp

#: Named queries behind the lanes that come first (all cheap: per-bucket aggregates).
FAST_LANES = ("rollout_levels", "gc_pressure", "broker_states", "client_errors", "cascade")
#: The lane query that takes longer on big databases (the report's new-producer estimate).
SLOW_LANES = ("producer_id_growth",)
#: Rows the screen keeps for everything but the timeline's buckets (nav, readout, header, legend, footer).
CHROME_ROWS = 7
#: What the glyphs mean (brokers: state, GC overhead, heap after GC).
LEGEND = Content.assemble(
    ("brokers: ", "$text-muted"), ("·", "$text-muted"), " up ", ("~", "$text-warning"), " thrashing ",
    ("!", "$text-error"), " OOM ", ("X", "$text-error"), " failed ", ("_", "$text-error"), " down ",
    ("^", "$text-success"), " restarted  ", ("▁▅█", "$text-warning"), " GC overhead, then heap after GC  ",
    ("◆", "$text-accent"), " step/stage",
)


class TimelineScreen(Screen[None]):
    """Timeline, readout and findings; ``+``/``-`` zoom, ``f`` toggles the findings."""

    BINDINGS = [
        Binding("plus,equals_sign", "zoom(-1)", "Zoom in"),
        Binding("minus,underscore", "zoom(1)", "Zoom out"),
        Binding("f", "toggle_findings", "Findings"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.models: dict[timedelta, timeline_model.TimelineModel] = {}
        self.range: tuple[datetime, datetime] | None = None
        self.width: timedelta | None = None
        self.anchor: tuple[datetime, int] | None = None
        self.findings_shown: bool | None = None
        self.suspect_feature: str | None = None
        self.started = time.perf_counter()
        self.first_paint: float | None = None

    @property
    def forensics(self) -> ForensicsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NavBar("timeline", self.forensics.database.path)
        with Horizontal(id="timeline-body"):
            with Vertical(id="timeline-main"):
                yield Static(id="readout")
                yield TimelineView(id="timeline")
                yield Static(LEGEND, id="legend")
            yield FindingsPanel(id="findings")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TimelineView).focus()
        self.load_lanes(None, self.app.size.height - CHROME_ROWS)
        self.load_findings()

    # -- workers ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="timeline")
    def load_lanes(self, width: timedelta | None, rows: int) -> None:
        """Lanes for ``width`` (None: the width that fits the whole incident in ``rows``)."""
        worker = get_current_worker()
        started = time.perf_counter()
        if worker.is_cancelled:
            return
        try:
            with self.forensics.database.connection("timeline") as con:
                span = self.range or timeline_model.time_range(run_named(con, "time_span"),
                                                                   run_named(con, "ingest_summary"))
                if span is None:
                    self.post_message(TimelineLoaded(width or zoom.WIDTHS[0], None, True, 0.0))
                    return
                self.range = span
                width = width or zoom.fitting(span[0], span[1], rows)
                tables: dict[str, Table] = {}
                for name in FAST_LANES:
                    tables[name] = run_named(con, name, _bucket_params(name, width))
                fast = timeline_model.empty(width, *span)
                fast.add_lanes(tables)
                if worker.is_cancelled:
                    return
                self.post_message(TimelineLoaded(width, fast, False, time.perf_counter() - started))
                for name in SLOW_LANES:
                    tables[name] = run_named(con, name, {"bucket": width})
                full = timeline_model.empty(width, *span)
                full.add_lanes(tables)
                if not worker.is_cancelled:
                    self.post_message(TimelineLoaded(width, full, True, time.perf_counter() - started))
        except ForensicsError as exc:
            post_from_worker(self, DataFailed("timeline", exc.message))

    @work(thread=True, exclusive=True, exit_on_error=False, group="findings")
    def load_findings(self) -> None:
        try:
            with self.forensics.database.connection("findings") as con:
                found = findings_source.load(con, self.forensics.database.path)
        except ForensicsError as exc:
            post_from_worker(self, DataFailed("findings", exc.message))
            return
        self.post_message(FindingsLoaded(found))

    # -- messages -----------------------------------------------------------------------------

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        view = self.query_one(TimelineView)
        if message.model is None:
            view.show_message("the database holds no timed records: ingest logs first (forensics ingest)")
            return
        if self.width is not None and message.width != self.width:
            return
        message.model.preferred_flag = self.suspect_feature
        self.models[message.width] = message.model
        if self.width is None:
            self.width = message.width
        first = self.width == message.width and view.model is None
        if self.anchor is not None:
            cursor_time, row = self.anchor
            view.show(message.model, cursor_time, keep_row=row)
        elif first:
            view.show(message.model, _first_alarm(message.model))
        else:
            view.show(message.model, view.model.start(view.cursor) if view.model else None)
        if message.complete:
            self.anchor = None
        if self.first_paint is None:
            self.first_paint = time.perf_counter() - self.started
            self.forensics.first_timeline(self.first_paint)

    def on_findings_loaded(self, message: FindingsLoaded) -> None:
        self.query_one(FindingsPanel).show(message.findings.items)
        self.suspect_feature = message.findings.suspect_feature
        for model in self.models.values():
            model.preferred_flag = self.suspect_feature
        view = self.query_one(TimelineView)
        view.refresh()
        self._readout()

    def on_data_failed(self, message: DataFailed) -> None:
        self.notify(message.error, title=f"{message.what} failed", severity="error", markup=False, timeout=10)
        if message.what == "timeline" and self.query_one(TimelineView).model is None:
            self.query_one(TimelineView).show_message(f"the timeline could not be loaded: {message.error}")

    @on(TimelineView.CursorChanged)
    def cursor_changed(self, message: TimelineView.CursorChanged) -> None:
        self.forensics.cursor_moved(message.start, message.end, message.lane)
        self._readout()

    @on(TimelineView.DrillDown)
    def drill_down(self, message: TimelineView.DrillDown) -> None:
        from forensics.tui.screens.detail import DetailRequest, DetailScreen

        request = DetailRequest.for_lane(message.start, message.end, message.lane, message.cell)
        self.app.push_screen(DetailScreen(request))

    @on(TimelineView.ZoomRequested)
    def zoom_requested(self, message: TimelineView.ZoomRequested) -> None:
        self.action_zoom(message.step)

    @on(FindingsPanel.Chosen)
    def finding_chosen(self, message: FindingsPanel.Chosen) -> None:
        """Move the cursor to the finding's first evidence, and show the evidence's lines."""
        from forensics.tui.screens.detail import DetailRequest, DetailScreen

        finding = message.finding
        view = self.query_one(TimelineView)
        if view.model is not None and finding.ts is not None:
            view.cursor = view.model.index(finding.ts)
        if any(p.source_id is not None and p.line is not None for p in finding.evidence):
            self.app.push_screen(DetailScreen(DetailRequest.for_finding(finding)))

    # -- actions ------------------------------------------------------------------------------

    def action_zoom(self, step: int) -> None:
        """A finer (-1) or coarser (+1) bucket width, the cursor's time kept on its row."""
        view = self.query_one(TimelineView)
        if view.model is None or self.width is None:
            return
        width = zoom.finer(self.width) if step < 0 else zoom.coarser(self.width)
        if width == self.width:
            self.app.bell()
            return
        cursor_time = view.model.start(view.cursor)
        self.anchor = (cursor_time, view.cursor_row_on_screen())
        self.width = width
        if width in self.models:
            view.show(self.models[width], cursor_time, keep_row=self.anchor[1])
            self.anchor = None
        else:
            self._readout(f"zooming to {zoom.label(width)} buckets…")
            self.forensics.database.interrupt("timeline")
            self.load_lanes(width, 0)

    def action_toggle_findings(self) -> None:
        panel = self.query_one(FindingsPanel)
        shown = panel.display if self.findings_shown is None else self.findings_shown
        self.findings_shown = not shown
        panel.display = self.findings_shown
        self.set_class(self.findings_shown, "-findings-shown")
        if not self.findings_shown:
            self.query_one(TimelineView).focus()

    def on_resize(self) -> None:
        if self.findings_shown is not None:
            self.query_one(FindingsPanel).display = self.findings_shown

    # -- readout ------------------------------------------------------------------------------

    def _readout(self, note: str | None = None) -> None:
        view = self.query_one(TimelineView)
        model = view.model
        if model is None:
            return
        start = model.start(view.cursor)
        parts: list[Content | str | tuple[str, str]] = [
            (f"{start.astimezone(UTC):%Y-%m-%d %H:%M:%S}", "bold"),
            f" +{zoom.label(model.width)}  ",
        ]
        parts += _lane_readout(model, view.cursor, view.lane_key)
        if note:
            parts += ["  ", (note, "$text-warning")]
        elif not model.producers_loaded:
            parts += ["  ", ("estimating producers…", "$text-muted")]
        self.query_one("#readout", Static).update(Content.assemble(*parts))


def _bucket_params(name: str, width: timedelta) -> dict[str, object]:
    return {} if name == "cascade" else {"bucket": width}


def _first_alarm(model: timeline_model.TimelineModel) -> datetime | None:
    """Where the cursor starts: the first critical mark (the first OOM or failure), else the top."""
    for row in model.marker_rows():
        if any(m.severity == "crit" for m in model.markers[row]):
            return model.start(row)
    return None


def _lane_readout(model: timeline_model.TimelineModel, row: int, lane: str) -> list[Content | str | tuple[str, str]]:
    if lane == "axis":
        marks = model.markers.get(row, [])
        if not marks:
            return [("no rollout step or cascade stage here", "$text-muted")]
        return [log_content("; ".join(m.label for m in marks), SEVERITY_STYLE[marks[0].severity])]
    if lane == "rollout":
        if model.flag is None:
            return [("no rollout percentages in the data", "$text-muted")]
        pct = model.rollout.get(row)
        others = f" (+{model.other_flags} other flags: see Events)" if model.other_flags else ""
        shown = "not yet created" if pct is None else f"{pct:g} %"
        return [log_content(f"flag {model.flag}: {shown}{others}")]
    if lane in ("new_producers", "ids_allocated", "client_errors"):
        value = {"new_producers": model.new_producers, "ids_allocated": model.ids_allocated,
                 "client_errors": model.client_errors}[lane].get(row)
        name = {"new_producers": "new producers (estimate, cluster)", "ids_allocated": "producer IDs allocated",
                "client_errors": "client warnings and errors"}[lane]
        extra = f" ({model.client_error_kinds.get(row, '')})" if lane == "client_errors" and value else ""
        if lane == "new_producers" and value is None:
            return [log_content(f"{name}: not known here (no later block grant or logged producer ID to measure by)",
                                "$text-muted")]
        return [log_content(f"{name}: {compact(value) if value else 0}{extra}")]
    cell = model.cells.get(lane, {}).get(row)
    if cell is None:
        return [log_content(f"{lane}: nothing logged in this bucket", "$text-muted")]
    state = cell.state or "?"
    severity = timeline_model.STATES.get(state, ("", "dim"))[1]
    parts: list[Content | str | tuple[str, str]] = [log_content(f"{lane} "),
                                                    log_content(state, SEVERITY_STYLE[severity])]
    if cell.event and cell.event_ts is not None:
        parts.append(log_content(f" ({cell.event} {cell.event_ts.astimezone(UTC):%H:%M:%S})"))
    if cell.gc_overhead_pct is not None:
        parts.append(log_content(f"  GC {cell.gc_overhead_pct:g} %  heap after GC {cell.heap_after_pct:g} %"
                                 f"  {cell.pauses} pauses, {cell.full_gcs} Full"))
    return parts
