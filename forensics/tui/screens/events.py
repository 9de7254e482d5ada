"""Events: the merged timeline of typed events, filtered, around the timeline's cursor.

``event_log`` returns the events nearest the cursor's bucket that pass the filter line (host,
source, kind, level, free text); the table opens on the first event at or after the cursor.
Coming back to this screen after moving the timeline's cursor reloads around the new time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from forensics.errors import ForensicsError
from forensics.tui import filters as filter_line
from forensics.tui.data import Table, run_named
from forensics.tui.messages import DataFailed, EventsLoaded, post_from_worker
from forensics.tui.screens.detail import DetailRequest, DetailScreen, EventRef
from forensics.tui.text import log_content, log_text
from forensics.tui.widgets.nav import NavBar

if TYPE_CHECKING:
    from forensics.tui.app import ForensicsApp

#: The filter the screen opens with: warnings and worse, and every flag change and deploy.
DEFAULT_FILTER = "level:warn"
#: Events loaded around the cursor at a time.
EVENT_ROWS = 1000
#: How far from the cursor events are looked for, widening until there are enough (None: everywhere).
SEARCH_WINDOWS = (timedelta(minutes=15), timedelta(hours=3), None)
COLUMNS = ("UTC", "host", "source", "kind", "level", "message")


class EventsScreen(Screen[None]):
    """A filter line over a table of events; ``enter`` shows an event's raw lines."""

    BINDINGS = [
        Binding("slash", "edit_filter", "Filter"),
        Binding("x", "clear_filter", "Clear filter"),
        Binding("c", "centre", "Centre here"),
        Binding("t", "to_timeline", "On timeline"),
        Binding("escape", "leave_filter", "Back to list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, str] = filter_line.parse(DEFAULT_FILTER)
        self.around: datetime | None = None
        self.loaded: tuple[datetime | None, tuple[tuple[str, str], ...]] | None = None
        self.events: list[EventRef] = []

    @property
    def forensics(self) -> ForensicsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NavBar("events", self.forensics.database.path)
        yield Input(DEFAULT_FILTER, placeholder="filter: host:kafka-3 source:gc kind:full level:warn text (/, enter)",
                    id="filter")
        yield Static(id="events-status")
        table: DataTable[Any] = DataTable(id="events", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).cursor_blink = False
        self.query_one("#events", DataTable).add_columns(*COLUMNS)
        self.query_one("#events", DataTable).focus()

    def on_screen_resume(self) -> None:
        """Follow the timeline: reload when its cursor or the filter changed since the last load."""
        self.around = self.forensics.cursor_start or self.around
        self._reload_if_changed()

    def _reload_if_changed(self) -> None:
        wanted = (self.around, tuple(sorted(self.filters.items())))
        if wanted != self.loaded:
            self.loaded = wanted
            self._status(Content.styled("loading…", "$text-muted"))
            self.forensics.database.interrupt("events")
            self.load_events(self.around, dict(self.filters))

    # -- worker -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="events")
    def load_events(self, around: datetime | None, filters: dict[str, str]) -> None:
        """The events nearest ``around``: looked for in a window around it first, wider if too few."""
        params: dict[str, Any] = {"around": around, "max_rows": EVENT_ROWS + 1, **filters}
        windows = SEARCH_WINDOWS if around is not None else (None,)
        try:
            with self.forensics.database.connection("events") as con:
                for window in windows:
                    if window is not None and around is not None:
                        params.update(start=around - window, stop=around + window)
                    else:
                        params.update(start=None, stop=None)
                    table = run_named(con, "event_log", params)
                    if len(table.rows) > EVENT_ROWS or get_current_worker().is_cancelled:
                        break
        except ForensicsError as exc:
            post_from_worker(self, DataFailed("events", exc.message))
            return
        if get_current_worker().is_cancelled:
            return
        limited = len(table.rows) > EVENT_ROWS
        rows = table.rows
        if limited:  # drop the one event farthest from the cursor
            rows = _nearest(table, around, EVENT_ROWS)
        self.post_message(EventsLoaded((around, filters), Table(table.columns, rows), limited))

    # -- messages -----------------------------------------------------------------------------

    def on_events_loaded(self, message: EventsLoaded) -> None:
        around, filters = message.request
        if (around, tuple(sorted(filters.items()))) != self.loaded:
            return
        table = self.query_one("#events", DataTable)
        table.clear()
        self.events = [EventRef.from_row(r) for r in message.table.dicts()]
        for event in self.events:
            table.add_row(*_cells(event))
        at = _first_at_or_after(self.events, around)
        if self.events:
            table.move_cursor(row=at, scroll=True)
        when = f"around {around.astimezone(UTC):%m-%d %H:%M:%S}" if around else "from the start"
        count = f"{len(self.events):,} event(s) {when}"
        if message.limited:
            count += " (nearest)"
        self._status(Content.assemble((count, "bold"), "  ·  ",
                                      log_content(filter_line.describe(filters), "$text-accent")))

    def on_data_failed(self, message: DataFailed) -> None:
        self.loaded = None
        self._status(log_content(f"{message.what} failed: {message.error}", "$text-error"))

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        self.filters = filter_line.parse(event.value)
        self.query_one("#events", DataTable).focus()
        self._reload_if_changed()

    @on(DataTable.RowSelected, "#events")
    def event_selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.events):
            self.app.push_screen(DetailScreen(DetailRequest.for_event(self.events[event.cursor_row])))

    # -- actions ------------------------------------------------------------------------------

    def _highlighted(self) -> EventRef | None:
        row = self.query_one("#events", DataTable).cursor_row
        return self.events[row] if 0 <= row < len(self.events) else None

    def action_edit_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_leave_filter(self) -> None:
        self.query_one("#events", DataTable).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.filters = {}
        self._reload_if_changed()

    def action_centre(self) -> None:
        event = self._highlighted()
        if event is not None and event.ts is not None:
            self.around = event.ts
            self._reload_if_changed()

    def action_to_timeline(self) -> None:
        """Put the timeline's cursor on the highlighted event's bucket and show the timeline."""
        event = self._highlighted()
        if event is None or event.ts is None:
            return
        from forensics.tui.screens.timeline import TimelineScreen
        from forensics.tui.widgets.timeline import TimelineView

        self.app.switch_mode("timeline")
        screen = self.app.screen
        if isinstance(screen, TimelineScreen):
            view = screen.query_one(TimelineView)
            if view.model is not None:
                view.cursor = view.model.index(event.ts)

    def _status(self, content: Content) -> None:
        self.query_one("#events-status", Static).update(content)


def _cells(event: EventRef) -> list[Any]:
    when = event.ts.astimezone(UTC).strftime("%d %H:%M:%S.%f")[:15] if event.ts else ""
    level = (event.level or "").upper()
    style = {"ERROR": "bold", "FATAL": "bold", "WARN": "italic"}.get(level, "")
    return [log_text(when), log_text(event.host), log_text(event.source), log_text(event.kind),
            log_text(event.level, style), log_text(event.message, style)]


def _first_at_or_after(events: list[EventRef], around: datetime | None) -> int:
    if around is None:
        return 0
    for index, event in enumerate(events):
        if event.ts is not None and event.ts >= around:
            return index
    return max(0, len(events) - 1)


def _nearest(table: Table, around: datetime | None, count: int) -> list[tuple[Any, ...]]:
    """The ``count`` rows of ``table`` (in time order) nearest ``around``: cut from the far end."""
    rows = table.rows
    if around is None:
        return rows[:count]
    first, last = rows[0][0], rows[-1][0]
    if first is None or last is None:
        return rows[:count]
    return rows[1:] if abs(first - around) > abs(last - around) else rows[:-1]
