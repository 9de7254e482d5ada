"""The timeline screen with Pilot: it opens on the incident, zooms, moves, drills down, resizes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual import events

from forensics.tui.app import ForensicsApp
from forensics.tui.screens.detail import DetailScreen
from forensics.tui.screens.timeline import TimelineScreen
from forensics.tui.widgets.findings import FindingsPanel
from forensics.tui.widgets.timeline import TimelineView, lanes_of
from tests.tui.pilot import settle

FIRST_OOM = datetime(2025, 8, 28, 3, 53, 7, 284000, tzinfo=UTC)


def timeline(app: ForensicsApp) -> TimelineView:
    assert isinstance(app.screen, TimelineScreen)
    return app.screen.query_one(TimelineView)


def cursor_bucket(view: TimelineView) -> tuple[datetime, datetime]:
    assert view.model is not None
    start = view.model.start(view.cursor)
    return start, start + view.model.width


@pytest.mark.asyncio
async def test_the_timeline_opens_on_the_whole_incident_with_the_cursor_on_the_first_oom(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = timeline(app)
        model = view.model
        assert model is not None and model.producers_loaded
        assert model.count <= view.body_height  # the whole incident on one screen
        start, end = cursor_bucket(view)
        assert start <= FIRST_OOM < end
        assert model.brokers == ["kafka-1", "kafka-2", "kafka-3", "kafka-4", "kafka-5"]
        assert model.flag == "api-key-usage-audit"  # the report's suspect feature
        assert app.first_timeline_seconds is not None


@pytest.mark.asyncio
async def test_zooming_in_and_out_keeps_the_cursor_time_and_the_row(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = timeline(app)
        assert view.model is not None
        width, (start, _) = view.model.width, cursor_bucket(view)
        row_on_screen = view.cursor_row_on_screen()
        await pilot.press("plus")
        await settle(pilot)
        assert view.model.width < width
        new_start, new_end = cursor_bucket(view)
        assert new_start == start and view.cursor_row_on_screen() == row_on_screen
        await pilot.press("minus")
        await settle(pilot)
        assert view.model.width == width and cursor_bucket(view)[0] == start
        await pilot.press("minus", "minus", "minus", "minus", "minus", "minus", "minus")
        await settle(pilot)
        assert view.model.width == timedelta(days=1)  # the coarsest step; more does nothing


@pytest.mark.asyncio
async def test_ctrl_and_the_mouse_wheel_zoom_and_a_click_picks_a_bucket_and_a_lane(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = timeline(app)
        assert view.model is not None
        width = view.model.width
        view.post_message(events.MouseScrollUp(view, 10, 5, 0, 0, 0, False, False, True))
        await settle(pilot)
        assert view.model.width < width
        await pilot.click(TimelineView, offset=(2, 3))  # first bucket row, axis column
        assert view.cursor == view.top + 1 and view.lane_key == "axis"
        columns = {c.lane: c for c in view._columns()}
        await pilot.click(TimelineView, offset=(columns["kafka-3"].x + 1, 2))
        assert view.lane_key == "kafka-3"


@pytest.mark.asyncio
async def test_keys_move_the_cursor_and_the_lane_and_the_readout_follows(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = timeline(app)
        assert view.model is not None
        first = view.cursor
        await pilot.press("down", "j")
        assert view.cursor == first + 2
        await pilot.press("k")
        assert view.cursor == first + 1
        await pilot.press("home")
        assert view.cursor == 0 and app.cursor_start == view.model.start(0)
        await pilot.press("end")
        assert view.cursor == view.model.count - 1
        lanes = lanes_of(view.model)
        for _ in range(lanes.index("kafka-3")):
            await pilot.press("right")
        assert view.lane_key == "kafka-3"
        view.cursor = view.model.index(FIRST_OOM)
        await pilot.pause()
        readout = str(app.screen.query_one("#readout").render())
        assert "kafka-3" in readout and "failed" in readout and "broker_failed 03:53:29" in readout


@pytest.mark.asyncio
async def test_n_and_p_jump_between_rollout_steps_and_cascade_stages(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = timeline(app)
        assert view.model is not None
        await pilot.press("home", "n")
        first_mark = view.cursor
        assert first_mark in view.model.markers and first_mark > 0
        await pilot.press("n")
        assert view.cursor > first_mark
        await pilot.press("p")
        assert view.cursor == first_mark
        labels = [m.label for row in view.model.markers.values() for m in row]
        assert any(label.startswith("api-key-usage-audit 25%→75%") for label in labels)
        assert "kafka-3 OOM #1" in labels and "kafka-5 OOM #3" in labels


@pytest.mark.asyncio
async def test_enter_on_a_broker_lane_shows_the_raw_lines_behind_its_state(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = timeline(app)
        assert view.model is not None
        view.lane = lanes_of(view.model).index("kafka-3")
        view.cursor = view.model.index(FIRST_OOM)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert screen.items[0].kind == "broker_failed"  # what set the state comes first
        assert all(item.host == "kafka-3" for item in screen.items[1:])
        title = str(screen.query_one("#excerpt-title").render())
        assert "sample_logs/incident/kafka-1/controller.log:624" in title
        lines = str(screen.query_one("#excerpt").render())
        assert "624 ▶ [2025-08-28 03:53:29,251] INFO [Controller id=1] Broker failure callback for 3" in lines
        assert "619 │" in lines and "629 │" in lines  # five lines of context each side
        await pilot.press("escape")
        assert isinstance(app.screen, TimelineScreen)


@pytest.mark.asyncio
async def test_the_findings_sit_beside_the_timeline_on_wide_terminals_and_follow_resizes(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(FindingsPanel)
        assert not panel.display or panel.region.width == 0
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert panel.region.width > 0
        assert panel.findings and panel.findings[0].title
        assert any("kafka-3" in f.text for f in panel.findings)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert panel.region.width == 0
        await pilot.press("f")
        await settle(pilot)
        assert panel.region.width > 0
        view = timeline(app)
        assert view.region.width > 0 and view.model is not None


@pytest.mark.asyncio
async def test_choosing_a_finding_moves_the_cursor_and_shows_its_evidence(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(FindingsPanel)
        index = next(i for i, f in enumerate(panel.findings) if f.title.startswith("1. kafka-3"))
        panel.focus()
        panel.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert any(item.source_id is not None for item in detail.items)
        assert "kafka-3" in str(detail.query_one("#excerpt-title").render())
        await pilot.press("escape")
        view = timeline(app)
        assert view.model is not None
        finding = panel.findings[index]
        assert finding.ts is not None and view.model.start(view.cursor) <= finding.ts


@pytest.mark.asyncio
async def test_an_empty_database_says_so_instead_of_a_timeline(tmp_path: Path) -> None:
    from forensics import db

    empty = tmp_path / "empty.duckdb"
    db.open_for_write(empty).close()
    app = ForensicsApp(str(empty))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = timeline(app)
        assert view.model is None and "no timed records" in view.message_text
