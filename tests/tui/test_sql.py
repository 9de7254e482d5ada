"""The SQL screen with Pilot: results, paging, errors in place, read-only, named queries, history."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from textual.widgets import DataTable, Input, OptionList, TextArea

from forensics.tui.app import ForensicsApp
from forensics.tui.screens.sql import PAGE_ROWS, SqlScreen
from tests.tui.pilot import settle


async def open_sql(app: ForensicsApp, pilot) -> SqlScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(app.screen, SqlScreen)
    return app.screen


async def run(screen: SqlScreen, pilot, sql: str) -> str:  # type: ignore[no-untyped-def]
    screen.query_one("#editor", TextArea).text = sql
    screen.named = None
    await pilot.press("ctrl+r")
    await settle(pilot)
    return str(screen.query_one("#sql-status").render())


@pytest.mark.asyncio
async def test_sql_results_page_through_large_results_errors_show_in_place_and_history_returns(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sql(app, pilot)
        assert screen.query_one("#editor", TextArea).has_focus
        status = await run(screen, pilot, "SELECT kind, count(*) AS n FROM broker_events GROUP BY kind ORDER BY n DESC")
        table = screen.query_one("#results", DataTable)
        with duckdb.connect(str(sample_db), read_only=True) as con:
            kinds = con.execute("SELECT count(DISTINCT kind) FROM broker_events").fetchall()[0][0]
        assert kinds >= 20 and status.startswith(f"{kinds} row(s)") and table.row_count == kinds
        assert [str(c) for c in table.get_row_at(0)] == ["producer_snapshot", "523"]

        status = await run(screen, pilot, "SELECT range AS n FROM range(100000000)")  # never read whole
        assert table.row_count == PAGE_ROWS and "more are read as you scroll" in status
        table.focus()
        await pilot.press("ctrl+end")  # the cursor to the last row read: the next page comes
        await settle(pilot)
        assert table.row_count == 2 * PAGE_ROWS
        assert screen.pages is not None and screen.pages.fetched == 2 * PAGE_ROWS

        status = await run(screen, pilot, "SELECT * FROM no_such_table")
        assert "Catalog Error" in status and "no_such_table" in status
        assert not table.display  # the error takes the place of the results

        status = await run(screen, pilot, "DROP TABLE records")
        assert "read-only" in status.lower()

        await run(screen, pilot, "SELECT 1 AS one")
        assert table.display and [str(c) for c in table.get_row_at(0)] == ["1"]
        screen.query_one("#editor", TextArea).focus()
        await pilot.press("ctrl+up")
        assert screen.query_one("#editor", TextArea).text == "SELECT 1 AS one"
        await pilot.press("ctrl+up")
        assert screen.query_one("#editor", TextArea).text == "DROP TABLE records"
        assert len(app.sql_history) == 5


@pytest.mark.asyncio
async def test_a_named_query_comes_with_its_parameters_and_runs_with_them(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sql(app, pilot)
        library = screen.query_one("#library", OptionList)
        library.focus()
        library.highlighted = library.get_option_index("q:producer_id_blocks")
        await pilot.press("enter")
        await settle(pilot)
        params = screen.query_one("#params", Input)
        assert params.value == "bucket=1h" and screen.named == "producer_id_blocks"
        params.value = "bucket=6h"
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = screen.query_one("#results", DataTable)
        buckets = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert buckets == {"2025-08-28T00:00:00Z"}  # six-hour buckets: one
        params.value = "nope=1"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "has no parameter nope" in str(screen.query_one("#sql-status").render())


@pytest.mark.asyncio
async def test_free_sql_takes_its_parameters_from_the_parameters_line(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sql(app, pilot)
        status = await run(screen, pilot, "SELECT count(*) FROM broker_events WHERE host = $host")
        assert "$host" in status and "parameters line" in status
        screen.query_one("#params", Input).value = "host=kafka-3"
        status = await run(screen, pilot, "SELECT count(*) AS n FROM broker_events WHERE host = $host")
        assert status.startswith("1 row(s)")
