"""``forensics tui``: the app, its screens (timeline, events, SQL), global keys and shared state.

The app owns what the screens share: the database, the timeline cursor's bucket (the events
screen follows it) and the SQL history. Each screen loads its own data in workers. With paths to
ingest, an ingest screen with progress comes first and the timeline opens when it is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import HelpPanel

from forensics.tui.data import Database

if TYPE_CHECKING:
    from forensics.discovery import InputFile
    from forensics.ingest import FileResult, IngestOptions


@dataclass(frozen=True)
class IngestPlan:
    """Files to ingest before the timeline opens, checked by the command line already."""

    files: list[InputFile]
    options: IngestOptions
    describe: Callable[[FileResult], str]


def _timeline() -> Screen[Any]:
    from forensics.tui.screens.timeline import TimelineScreen

    return TimelineScreen()


def _events() -> Screen[Any]:
    """Imported when first shown, so that the timeline comes up sooner."""
    from forensics.tui.screens.events import EventsScreen

    return EventsScreen()


def _sql() -> Screen[Any]:
    from forensics.tui.screens.sql import SqlScreen

    return SqlScreen()


class ForensicsApp(App[None]):
    """Timeline (home), events, SQL; detail screens are pushed over any of them."""

    CSS_PATH = "app.tcss"
    TITLE = "forensics"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    MODES = {"timeline": _timeline, "events": _events, "sql": _sql}
    BINDINGS = [
        Binding("1,f2", "show('timeline')", "Timeline", show=False),
        Binding("2,f3", "show('events')", "Events", show=False),
        Binding("3,f4", "show('sql')", "SQL", show=False),
        Binding("question_mark,f1", "toggle_help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, db_path: str, plan: IngestPlan | None = None, *, light: bool = False) -> None:
        super().__init__()
        self.database = Database(db_path)
        self.plan = plan
        self.cursor_start: datetime | None = None
        self.cursor_end: datetime | None = None
        self.cursor_lane: str | None = None
        self.sql_history: list[str] = []
        self.launched = time.perf_counter()
        self.first_timeline_seconds: float | None = None
        self.theme = "textual-light" if light else "textual-dark"

    def on_mount(self) -> None:
        if self.plan is not None:
            from forensics.tui.screens.ingest import IngestScreen

            plan = self.plan
            self.add_mode("ingest", lambda: IngestScreen(plan))
            self.switch_mode("ingest")
        else:
            self.switch_mode("timeline")

    def ingest_done(self) -> None:
        """The ingest screen is finished: open the timeline."""
        self.switch_mode("timeline")

    def cursor_moved(self, start: datetime, end: datetime, lane: str) -> None:
        self.cursor_start, self.cursor_end, self.cursor_lane = start, end, lane

    def first_timeline(self, seconds: float) -> None:
        """Record launch → first timeline (the app's own start, and the screen's)."""
        self.first_timeline_seconds = time.perf_counter() - self.launched
        self.log(f"first timeline after {self.first_timeline_seconds:.3f} s (screen: {seconds:.3f} s)")

    def action_show(self, mode: str) -> None:
        if self.current_mode == "ingest":
            self.bell()
            return
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_quit(self) -> Any:
        self.database.interrupt_all()
        return super().action_quit()


def run(db_path: str, plan: IngestPlan | None = None, *, light: bool = False) -> int:
    """Run the TUI until the user quits; the exit code of ``forensics tui``."""
    ForensicsApp(db_path, plan, light=light).run()
    return 0
