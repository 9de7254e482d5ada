"""SQL: an editor for ad-hoc SQL and the named queries, paged results, errors in place, history.

Queries run read-only on their own connection in a worker; the result is read a page at a time
as the table's cursor nears its end, so a query of millions of rows shows its first page at once
and never loads the rest unless asked. A named query chosen from the list brings its SQL and
parameters (``name=value`` on the line under the editor, as ``forensics query -p`` takes them).
"""

from __future__ import annotations

import shlex
import time
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from forensics.errors import ForensicsError, UsageError
from forensics.queries import all_queries, used_params
from forensics.tui.data import ResultPages, bind
from forensics.tui.messages import DataFailed, SqlPage, SqlStarted, post_from_worker
from forensics.tui.text import cell_text, log_content, log_text
from forensics.tui.widgets.nav import NavBar

if TYPE_CHECKING:
    from forensics.tui.app import ForensicsApp

#: Rows read per page.
PAGE_ROWS = 200
#: Rows before the end of what is loaded at which the next page is read.
PREFETCH_ROWS = 20
#: Queries kept in the history.
HISTORY_SIZE = 100
EXAMPLE = "SELECT kind, count(*) AS events\nFROM broker_events\nGROUP BY kind\nORDER BY events DESC"


class SqlScreen(Screen[None]):
    """Editor and parameters on top, results below, named queries and history beside."""

    BINDINGS = [
        Binding("ctrl+r,f5", "run", "Run", priority=True),
        Binding("ctrl+up", "history(1)", "Older", show=False),
        Binding("ctrl+down", "history(-1)", "Newer", show=False),
        Binding("escape", "focus_results", "Results", show=False, priority=True),
        Binding("ctrl+e", "focus_editor", "Editor", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.token = 0
        self.pages: ResultPages | None = None
        self.more = False
        self.fetching = False
        self.named: str | None = None
        self.history_at = -1

    @property
    def forensics(self) -> ForensicsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NavBar("sql", self.forensics.database.path)
        with Horizontal(id="sql-body"):
            with Vertical(id="sql-main"):
                yield TextArea(EXAMPLE, id="editor", soft_wrap=False, tab_behavior="indent")
                yield Input(placeholder="parameters: name=value …  (for $name in the SQL)", id="params")
                yield Static(id="sql-status")
                table: DataTable[Any] = DataTable(id="results", zebra_stripes=True)
                yield table
            yield OptionList(id="library")
        yield Footer()

    def on_mount(self) -> None:
        editor = self.query_one("#editor", TextArea)
        editor.cursor_blink = False
        editor.border_title = "SQL (ctrl+r runs, read-only)"
        self.query_one("#params", Input).cursor_blink = False
        self._fill_library()
        self._status(Content.styled("ctrl+r or F5 runs the SQL; named queries and history are on the right",
                                    "$text-muted"))
        editor.focus()

    def on_unmount(self) -> None:
        self._close()

    # -- library and history ------------------------------------------------------------------

    def _fill_library(self) -> None:
        library = self.query_one("#library", OptionList)
        library.border_title = "Named queries · history"
        library.clear_options()
        options: list[Option | None] = [
            Option(Content.assemble((name, "bold"), "\n ", log_content(query.title, "$text-muted")), id=f"q:{name}")
            for name, query in all_queries().items()
        ]
        if self.forensics.sql_history:
            options.append(None)
            history = self.forensics.sql_history
            options += [Option(log_content(_one_line(sql)), id=f"h:{i}") for i, sql in enumerate(history)]
        library.add_options(options)

    @on(OptionList.OptionSelected, "#library")
    def library_chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        kind, _, key = option_id.partition(":")
        editor = self.query_one("#editor", TextArea)
        if kind == "q":
            query = all_queries()[key]
            editor.text = query.sql
            self.named = key
            self.query_one("#params", Input).value = " ".join(
                f"{p.name}={shlex.quote(_default_text(p.default))}" for p in query.params)
            editor.border_title = f"{key} (ctrl+r runs)"
        elif kind == "h":
            self._set_editor(self.forensics.sql_history[int(key)])
        editor.focus()

    def _set_editor(self, sql: str) -> None:
        self.named = None
        editor = self.query_one("#editor", TextArea)
        editor.text = sql
        editor.border_title = "SQL (ctrl+r runs, read-only)"

    def action_history(self, step: int) -> None:
        history = self.forensics.sql_history
        if not history:
            self.app.bell()
            return
        self.history_at = max(0, min(len(history) - 1, self.history_at + step))
        self._set_editor(history[self.history_at])

    def _remember(self, sql: str) -> None:
        history = self.forensics.sql_history
        if sql in history:
            history.remove(sql)
        history.insert(0, sql)
        del history[HISTORY_SIZE:]
        self.history_at = -1
        self._fill_library()

    # -- running ------------------------------------------------------------------------------

    def action_run(self) -> None:
        sql = self.query_one("#editor", TextArea).text.strip()
        if not sql:
            self._status(Content.styled("nothing to run", "$text-warning"))
            return
        try:
            params = self._params(sql)
        except UsageError as exc:
            self._error(exc.message + (f" ({exc.hint})" if exc.hint else ""))
            return
        self._remember(sql)
        self._close()
        self.token += 1
        self.more = False
        self._status(Content.styled("running…", "$text-muted"))
        self.forensics.database.interrupt("sql")
        self.start_query(self.token, sql, params)

    def _params(self, sql: str) -> dict[str, Any] | None:
        """Values for the ``$names`` the SQL uses: a named query's defaults and types, else as text."""
        given: dict[str, str] = {}
        try:
            words = shlex.split(self.query_one("#params", Input).value)
        except ValueError as exc:
            raise UsageError(f"parameters: {exc}") from exc
        for word in words:
            key, sep, value = word.partition("=")
            if not sep:
                raise UsageError(f"parameter {word!r}: expected name=value")
            given[key] = value
        wanted = used_params(sql)
        if self.named is not None and self.query_one("#editor", TextArea).text == all_queries()[self.named].sql:
            _, values = bind(self.named, {k: (None if v.upper() == "NULL" else v) for k, v in given.items()})
            return values or None
        missing = sorted(wanted - set(given))
        if missing:
            names = ", ".join("$" + m for m in missing)
            raise UsageError(f"the SQL uses {names} but the parameters line gives no value",
                             hint="write name=value on the parameters line")
        return {k: given[k] for k in wanted} or None

    @work(thread=True, exclusive=True, exit_on_error=False, group="sql")
    def start_query(self, token: int, sql: str, params: dict[str, Any] | None) -> None:
        started = time.perf_counter()
        try:
            pages = ResultPages(self.forensics.database, sql, params)
            rows = pages.next_page(PAGE_ROWS)
        except ForensicsError as exc:
            post_from_worker(self, DataFailed("query", exc.message, token))
            return
        if get_current_worker().is_cancelled:
            pages.close()
            return
        self.post_message(SqlStarted(token, pages, pages.columns, rows, not pages.done, time.perf_counter() - started))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sql-page")
    def fetch_page(self, token: int) -> None:
        pages = self.pages
        if pages is None:
            return
        try:
            rows = pages.next_page(PAGE_ROWS)
        except ForensicsError as exc:
            post_from_worker(self, DataFailed("query", exc.message, token))
            return
        self.post_message(SqlPage(token, rows, not pages.done))

    def on_sql_started(self, message: SqlStarted) -> None:
        if message.token != self.token:
            message.pages.close()
            return
        self.pages = message.pages
        table = self.query_one("#results", DataTable)
        table.display = True
        table.clear(columns=True)
        if not message.columns:
            self._status(Content.styled("done (the statement returns no rows)", "$text-success"))
            return
        table.add_columns(*[log_text(c) for c in message.columns])
        table.add_rows([[cell_text(v) for v in row] for row in message.rows])
        self.more = message.more
        self._count_status(message.seconds)

    def on_sql_page(self, message: SqlPage) -> None:
        self.fetching = False
        if message.token != self.token:
            return
        table = self.query_one("#results", DataTable)
        table.add_rows([[cell_text(v) for v in row] for row in message.rows])
        self.more = message.more
        self._count_status(None)

    def on_data_failed(self, message: DataFailed) -> None:
        self.fetching = False
        if message.token == self.token:
            self._error(message.error)

    @on(DataTable.CellHighlighted, "#results")
    def near_end(self, event: DataTable.CellHighlighted) -> None:
        """Read the next page when the cursor comes near the end of the rows read so far."""
        table = self.query_one("#results", DataTable)
        if self.more and not self.fetching and event.coordinate.row >= table.row_count - PREFETCH_ROWS:
            self.fetching = True
            self.fetch_page(self.token)

    def _count_status(self, seconds: float | None) -> None:
        rows = self.query_one("#results", DataTable).row_count
        text = f"{rows:,} row(s)" + (" so far: more are read as you scroll down" if self.more else "")
        if seconds is not None:
            self.log(f"first page in {seconds:.3f} s")
        self._status(Content.styled(text, "$text-success"))

    def _error(self, text: str) -> None:
        table = self.query_one("#results", DataTable)
        table.clear(columns=True)
        table.display = False
        self._status(log_content(text, "$text-error"))

    def _close(self) -> None:
        if self.pages is not None:
            self.pages.interrupt()
            self.pages.close()
            self.pages = None

    def action_focus_results(self) -> None:
        self.query_one("#results", DataTable).focus()

    def action_focus_editor(self) -> None:
        self.query_one("#editor", TextArea).focus()

    def _status(self, content: Content) -> None:
        self.query_one("#sql-status", Static).update(content)


def _one_line(sql: str) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= 60 else text[:59] + "…"


def _default_text(value: Any) -> str:
    from forensics.tui.data import _as_text

    return "NULL" if value is None else _as_text(value)
