"""Detail: the events behind a bucket (or one event), and the raw lines behind the chosen one.

The list comes from ``event_log`` narrowed to the bucket and the lane; the lines from the file
itself with a few lines of context (``forensics.tui.excerpt``), stack traces intact, each line
with its number. ``+``/``-`` widen or narrow the context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from forensics.errors import ForensicsError
from forensics.tui import excerpt as excerpts
from forensics.tui.data import Table, run_named
from forensics.tui.findings import Finding
from forensics.tui.messages import DataFailed, DetailItemsLoaded, ExcerptLoaded, post_from_worker
from forensics.tui.model import BrokerCell
from forensics.tui.text import clean, log_content, log_text

if TYPE_CHECKING:
    from forensics.tui.app import ForensicsApp

#: Most events listed for one bucket.
DETAIL_ROWS = 500
#: Columns of the event list, from ``event_log``.
ITEM_COLUMNS = ("time", "host", "source", "kind", "level", "message")
#: What the events behind each kind of lane are.
LANE_FILTERS: dict[str, dict[str, str]] = {
    "axis": {},
    "marks": {},
    "rollout": {"source": "rollout"},
    "new_producers": {"kind": "producer_created"},
    "ids_allocated": {"kind": "producer_id_block"},
    "client_errors": {"source": "client", "level": "WARN"},
}


@dataclass(frozen=True)
class EventRef:
    """One event: enough to list it and to find its lines."""

    ts: datetime | None
    host: str | None
    source: str | None
    kind: str | None
    level: str | None
    message: str | None
    source_id: int
    line_start: int
    line_end: int | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EventRef:
        return cls(row["ts"], row["host"], row["source"], row["kind"], row["level"], row["message"],
                   row["source_id"], row["line_start"], row["line_end"])


@dataclass(frozen=True)
class DetailRequest:
    """What to show: the events of a bucket through a lane's filter, or one event."""

    title: str
    start: datetime | None = None
    stop: datetime | None = None
    filters: dict[str, str] = field(default_factory=dict)
    pinned: EventRef | None = None
    single: bool = False
    evidence: tuple[EventRef, ...] = ()

    @classmethod
    def for_lane(cls, start: datetime, stop: datetime, lane: str, cell: BrokerCell | None) -> DetailRequest:
        filters = LANE_FILTERS.get(lane, {"host": lane})
        pinned = None
        if cell is not None and cell.source_id is not None and cell.line_start is not None:
            pinned = EventRef(cell.event_ts, lane, "broker", cell.event, None,
                              f"{lane} {cell.state}: set by {cell.event}", cell.source_id, cell.line_start, None)
        what = lane if lane not in ("axis", "marks") else "all events"
        title = f"{what} · {start.astimezone(UTC):%Y-%m-%d %H:%M:%S} – {stop.astimezone(UTC):%H:%M:%S} UTC"
        return cls(title, start, stop, filters, pinned)

    @classmethod
    def for_finding(cls, finding: Finding) -> DetailRequest:
        """The evidence lines of one of the report's findings."""
        items = tuple(EventRef(p.ts, None, "evidence", None, None, p.what or p.source, p.source_id, p.line, None)
                      for p in finding.evidence if p.source_id is not None and p.line is not None)
        return cls(f"evidence · {finding.title}", evidence=items)

    @classmethod
    def for_event(cls, event: EventRef) -> DetailRequest:
        when = f"{event.ts.astimezone(UTC):%Y-%m-%d %H:%M:%S}" if event.ts else "no time"
        return cls(f"{event.host} · {event.kind} · {when} UTC", pinned=event, single=True)


class DetailScreen(Screen[None]):
    """The events behind a bucket, and the raw lines of the highlighted one."""

    BINDINGS = [
        Binding("escape,q", "back", "Back"),
        Binding("plus,equals_sign", "context(1)", "More context"),
        Binding("minus,underscore", "context(-1)", "Less context"),
        Binding("w", "wrap", "Wrap"),
    ]

    def __init__(self, request: DetailRequest) -> None:
        super().__init__()
        self.request = request
        self.items: list[EventRef] = []
        self.context = excerpts.CONTEXT
        self.requested_key: tuple[int, int, int, int] | None = None

    @property
    def forensics(self) -> ForensicsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(log_content(self.request.title, "bold"), id="detail-title")
        table: DataTable[Any] = DataTable(id="detail-items", cursor_type="row", zebra_stripes=True)
        table.display = not self.request.single
        yield table
        yield Static(id="excerpt-title")
        with VerticalScroll(id="excerpt-scroll"):
            yield Static(id="excerpt")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#detail-items", DataTable)
        table.add_columns(*ITEM_COLUMNS)
        if self.request.single:
            assert self.request.pinned is not None
            self.items = [self.request.pinned]
            self._load_excerpt(self.request.pinned)
            self.query_one("#excerpt-scroll").focus()
        elif self.request.evidence:
            self._show_items(list(self.request.evidence), False)
            table.focus()
        else:
            self.query_one("#excerpt-title", Static).update(Content.styled("loading the events…", "$text-muted"))
            self.load_items()
            table.focus()

    # -- workers ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail-items")
    def load_items(self) -> None:
        request = self.request
        params: dict[str, Any] = {"start": request.start, "stop": request.stop, "max_rows": DETAIL_ROWS + 1}
        params.update(request.filters)
        try:
            with self.forensics.database.connection("detail-items") as con:
                table = run_named(con, "event_log", params)
        except ForensicsError as exc:
            post_from_worker(self, DataFailed("events", exc.message))
            return
        limited = len(table.rows) > DETAIL_ROWS
        self.post_message(DetailItemsLoaded(Table(table.columns, table.rows[:DETAIL_ROWS]), limited))

    @work(thread=True, exclusive=True, exit_on_error=False, group="excerpt")
    def load_excerpt(self, event: EventRef, context: int) -> None:
        key = (event.source_id, event.line_start, event.line_end or 0, context)
        try:
            with self.forensics.database.connection("excerpt") as con:
                found = excerpts.load(con, event.source_id, event.line_start, event.line_end, context)
        except (ForensicsError, LookupError) as exc:
            post_from_worker(self, DataFailed("raw lines", getattr(exc, "message", str(exc))))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(ExcerptLoaded(key, found))

    # -- messages -----------------------------------------------------------------------------

    def on_detail_items_loaded(self, message: DetailItemsLoaded) -> None:
        items = [EventRef.from_row(r) for r in message.table.dicts()]
        if self.request.pinned is not None:
            items.insert(0, self.request.pinned)
        self._show_items(items, message.limited)

    def _show_items(self, items: list[EventRef], limited: bool) -> None:
        table = self.query_one("#detail-items", DataTable)
        table.clear()
        self.items = items
        for event in self.items:
            table.add_row(*_item_cells(event))
        title = self.request.title + f" · {len(self.items)} event(s)" + (" (first ones)" if limited else "")
        self.query_one("#detail-title", Static).update(log_content(title, "bold"))
        if not self.items:
            self.query_one("#excerpt-title", Static).update(
                Content.styled("no event in this bucket for this lane: try the axis lane (all events)", "$text-muted"))
            self.query_one("#excerpt", Static).update("")
        else:
            table.move_cursor(row=0)
            self._load_excerpt(self.items[0])

    def on_excerpt_loaded(self, message: ExcerptLoaded) -> None:
        if message.key != self.requested_key:
            return
        found = message.excerpt
        head: list[Content | str | tuple[str, str]] = [log_content(found.where, "bold")]
        origin = "from the file" if found.origin == "file" else "from the database"
        where = f"  ({found.host or '?'}, {found.format or '?'}, {origin}, ±{message.key[3]} lines)"
        head.append((clean(where), "$text-muted"))
        if found.note:
            head += ["\n", log_content(found.note, "$text-warning")]
        self.query_one("#excerpt-title", Static).update(Content.assemble(*head))
        self.query_one("#excerpt", Static).update(_excerpt_content(found))
        inside = next((i for i, line in enumerate(found.lines) if line.inside), 0)
        scroll = self.query_one("#excerpt-scroll", VerticalScroll)
        scroll.scroll_to(y=max(0, inside - 2), animate=False)

    def on_data_failed(self, message: DataFailed) -> None:
        self.notify(message.error, title=f"{message.what} failed", severity="error", markup=False, timeout=10)

    @on(DataTable.RowHighlighted, "#detail-items")
    def item_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.items):
            self._load_excerpt(self.items[event.cursor_row])

    @on(DataTable.RowSelected, "#detail-items")
    def item_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one("#excerpt-scroll").focus()

    # -- actions ------------------------------------------------------------------------------

    def _current(self) -> EventRef | None:
        if self.request.single:
            return self.request.pinned
        row = self.query_one("#detail-items", DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def _load_excerpt(self, event: EventRef) -> None:
        key = (event.source_id, event.line_start, event.line_end or 0, self.context)
        if key != self.requested_key:
            self.requested_key = key
            self.forensics.database.interrupt("excerpt")
            self.load_excerpt(event, self.context)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_context(self, step: int) -> None:
        self.context = max(0, min(200, self.context + 5 * step))
        current = self._current()
        if current is not None:
            self._load_excerpt(current)

    def action_wrap(self) -> None:
        self.query_one("#excerpt", Static).toggle_class("-wrap")


def _item_cells(event: EventRef) -> list[Any]:
    when = event.ts.astimezone(UTC).strftime("%H:%M:%S.%f")[:12] if event.ts else ""
    return [log_text(when), log_text(event.host), log_text(event.source), log_text(event.kind),
            log_text(event.level), log_text(event.message)]


def _excerpt_content(found: excerpts.Excerpt) -> Content:
    """Numbered lines; the event's own lines marked and bold, the context dim."""
    width = len(str(found.lines[-1].number)) if found.lines else 1
    parts: list[Content | str | tuple[str, str]] = []
    for index, line in enumerate(found.lines):
        if index:
            parts.append("\n")
        gutter = f"{line.number:>{width}} {'▶' if line.inside else '│'} "
        parts.append((gutter, "$text-accent" if line.inside else "$text-muted"))
        parts.append((clean(line.text, tabs=8), "" if line.inside else "$text-muted"))
    if not found.lines:
        parts.append(("no lines: the file is shorter than the event says", "$text-warning"))
    return Content.assemble(*parts)
