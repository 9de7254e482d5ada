"""Ingest with progress: the paths given to ``forensics tui`` go into the database, then the timeline opens.

The ingest is the core's (``forensics.ingest.ingest``); its per-file callback posts one message
per file, shown as the same summary line ``forensics ingest`` prints. When every file went in
cleanly the timeline opens by itself; otherwise the screen stays until ``enter``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, RichLog, Static

from forensics import db
from forensics.errors import ForensicsError
from forensics.ingest import FileResult, ingest
from forensics.ingest import summary as closing_line
from forensics.tui.messages import FileIngested, IngestFinished
from forensics.tui.text import log_content, log_text

if TYPE_CHECKING:
    from forensics.tui.app import ForensicsApp, IngestPlan


class IngestScreen(Screen[None]):
    """A progress bar over the files, and one line per file as it is done."""

    BINDINGS = [Binding("enter", "open_timeline", "Open the timeline")]

    def __init__(self, plan: IngestPlan) -> None:
        super().__init__()
        self.plan = plan
        self.finished = False

    @property
    def forensics(self) -> ForensicsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        total = len(self.plan.files)
        yield Static(log_content(f"Ingesting {total} file(s) into {self.forensics.database.path}", "bold"),
                     id="ingest-title")
        yield ProgressBar(total=total, show_eta=False, id="ingest-progress")
        yield RichLog(id="ingest-log", markup=False, highlight=False, wrap=False)
        yield Static(id="ingest-status")
        yield Footer()

    def on_mount(self) -> None:
        self.run_ingest()

    @work(thread=True, exclusive=True, exit_on_error=False, group="ingest")
    def run_ingest(self) -> None:
        plan = self.plan
        results: list[FileResult] = []
        clock_notes: list[str] = []

        def on_file(result: FileResult) -> None:
            results.append(result)
            ok = result.status in ("ok", "duplicate")
            self.post_message(FileIngested(len(results), len(plan.files), plan.describe(result), ok))

        try:
            con = db.open_for_write(self.forensics.database.path)
            try:
                ingest(con, plan.files, plan.options, on_file, on_note=clock_notes.append)
            finally:
                con.close()
        except ForensicsError as exc:
            self.post_message(IngestFinished(f"ingest failed: {exc.message}", [exc.hint] if exc.hint else [], True))
            return
        summary, notes, failed = _summary(results)
        self.post_message(IngestFinished(summary, [*notes, *clock_notes], failed))

    def on_file_ingested(self, message: FileIngested) -> None:
        self.query_one(ProgressBar).update(progress=message.done)
        style = "" if message.ok else "bold"
        self.query_one(RichLog).write(log_text(message.line, style))

    def on_ingest_finished(self, message: IngestFinished) -> None:
        self.finished = True
        log = self.query_one(RichLog)
        for note in message.notes:
            log.write(log_text(note, "italic"))
        style = "$text-warning" if message.failed else "$text-success"
        prompt = "  enter opens the timeline" if message.failed else ""
        self.query_one("#ingest-status", Static).update(
            Content.assemble(log_content(message.summary, style), (prompt, "bold")))
        if not message.failed:
            self.forensics.ingest_done()

    def action_open_timeline(self) -> None:
        if self.finished:
            self.forensics.ingest_done()


def _summary(results: list[FileResult]) -> tuple[str, list[str], bool]:
    """The closing line of ``forensics ingest`` and its notes on time zones, for the screen."""
    failed = [r for r in results if r.status not in ("ok", "duplicate")]
    notes = []
    assumed = sorted({r.file.host for r in results if r.ts_origin and "assumed:" in r.ts_origin})
    if assumed:
        notes.append(f"times without an offset were taken as UTC for: {', '.join(assumed)}")
    return closing_line(results), notes, bool(failed)
