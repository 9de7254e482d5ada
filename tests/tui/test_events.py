"""The events screen with Pilot: it follows the timeline's cursor, filters, and opens an event's lines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from forensics.tui import filters
from forensics.tui.app import ForensicsApp
from forensics.tui.screens.detail import DetailScreen
from forensics.tui.screens.events import EventsScreen
from forensics.tui.screens.timeline import TimelineScreen
from forensics.tui.widgets.timeline import TimelineView
from tests.tui.pilot import settle


def test_the_filter_line_sets_named_filters_and_free_text() -> None:
    assert filters.parse('host:kafka-3 level:warn "Java heap" space') == {
        "host": "kafka-3", "level": "WARN", "text": "Java heap space"}
    assert filters.parse("source:gc kind:full") == {"source": "gc", "kind": "full"}
    assert filters.parse("nothing:special [bold]") == {"text": "nothing:special [bold]"}
    assert filters.parse('unbalanced "quote') == {"text": 'unbalanced "quote'}
    assert filters.parse(filters.unparse({"host": "a b", "text": "x"})) == {"host": "a b", "text": "x"}
    assert filters.describe({}) == "no filter"


@pytest.mark.asyncio
async def open_events(app: ForensicsApp, pilot) -> EventsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(app.screen, EventsScreen)
    return app.screen


@pytest.mark.asyncio
async def test_events_follow_the_timeline_cursor(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_events(app, pilot)
        table = screen.query_one("#events", DataTable)
        assert screen.filters == {"level": "WARN"}  # the filter it opens with, shown in the filter line
        assert screen.query_one("#filter", Input).value == "level:warn"
        assert screen.around == app.cursor_start
        highlighted = screen.events[table.cursor_row]
        assert highlighted.ts is not None and app.cursor_start is not None and highlighted.ts >= app.cursor_start
        before = screen.events[table.cursor_row - 1] if table.cursor_row else None
        assert before is None or (before.ts is not None and before.ts < app.cursor_start)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        view = app.screen.query_one(TimelineView)
        await pilot.press("home")
        await pilot.press("f3")  # the F-key does the same as 2
        await settle(pilot)
        assert app.screen is screen and screen.around == view.model.start(0)  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_typing_a_filter_narrows_the_events_by_host_source_kind_level_and_text(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_events(app, pilot)
        await pilot.press("slash")
        assert screen.query_one("#filter", Input).has_focus
        screen.query_one("#filter", Input).value = ""
        await pilot.press(*"host:kafka-3 kind:oom", "enter")
        await settle(pilot)
        assert screen.events and {(e.host, e.kind) for e in screen.events} == {("kafka-3", "oom")}
        assert screen.query_one("#events", DataTable).has_focus
        screen.query_one("#filter", Input).value = "source:gc kind:full"
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert screen.events and {(e.source, e.kind) for e in screen.events} == {("gc", "full")}
        screen.query_one("#filter", Input).value = "level:error source:client"
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert screen.events and {e.level for e in screen.events} == {"ERROR"}
        screen.query_one("#filter", Input).value = "Broker failure callback"
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert [(e.host, e.kind) for e in screen.events] == [("kafka-1", "broker_failed"), ("kafka-2", "broker_failed")]
        await pilot.press("x")
        await settle(pilot)
        assert screen.filters == {} and len(screen.events) == 1000  # the nearest thousand, unfiltered


@pytest.mark.asyncio
async def test_enter_on_an_event_shows_its_raw_lines_with_the_stack_trace(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_events(app, pilot)
        screen.query_one("#filter", Input).value = "host:kafka-3 kind:oom"
        await pilot.press("slash", "enter")
        await settle(pilot)
        table = screen.query_one("#events", DataTable)
        first = next(i for i, e in enumerate(screen.events) if "server.log" in str(e.source_id) or e.line_start == 120)
        table.move_cursor(row=first)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        lines = str(detail.query_one("#excerpt").render())
        assert "121 ▶ java.lang.OutOfMemoryError: Java heap space" in lines
        assert "122 ▶         at java.base/java.util.HashMap.resize(HashMap.java:702)" in lines  # tab expanded
        assert "server.log.2025-08-28-03:120-140" in str(detail.query_one("#excerpt-title").render())
        await pilot.press("minus")
        await settle(pilot)
        lines = str(detail.query_one("#excerpt").render())
        assert lines.splitlines()[0].startswith("120 ▶")  # no context any more
        await pilot.press("escape")
        assert app.screen is screen


@pytest.mark.asyncio
async def test_t_puts_the_timeline_cursor_on_the_highlighted_event(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_events(app, pilot)
        screen.query_one("#filter", Input).value = "kind:controller_change"
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert [e.host for e in screen.events] == ["kafka-2"]
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        view = app.screen.query_one(TimelineView)
        assert view.model is not None
        start = view.model.start(view.cursor)
        assert start <= datetime(2025, 8, 28, 4, 6, 55, tzinfo=UTC) < start + view.model.width
