"""The app as a whole: screens and their keys, help from the bindings, resizing, ingest first, the command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import HelpPanel

from forensics.tui.app import ForensicsApp, IngestPlan
from forensics.tui.screens.events import EventsScreen
from forensics.tui.screens.sql import SqlScreen
from forensics.tui.screens.timeline import TimelineScreen
from forensics.tui.widgets.timeline import TimelineView
from tests.conftest import REPO, run_cli
from tests.tui.pilot import settle


@pytest.mark.asyncio
async def test_number_and_function_keys_switch_screens_and_help_lists_the_keys_of_the_screen(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)
        for key, screen in (("2", EventsScreen), ("3", SqlScreen), ("f2", TimelineScreen), ("f3", EventsScreen),
                            ("f4", SqlScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen)
        await pilot.press("1")  # typed into the SQL editor, not a screen switch
        assert isinstance(app.screen, SqlScreen)
        await pilot.press("escape", "1")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_every_screen_works_at_80x24_and_keeps_working_when_resized(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("1", "2", "f4"):
            await pilot.press(key)
            await settle(pilot)
            for size in ((80, 24), (200, 60), (60, 20), (80, 24)):
                await pilot.resize_terminal(*size)
                await settle(pilot)
                assert app.screen.size == size
        await pilot.press("escape", "1")
        await settle(pilot)
        view = app.screen.query_one(TimelineView)
        assert view.model is not None
        await pilot.resize_terminal(80, 10)  # shorter than the cursor's row: it stays in view
        await settle(pilot)
        assert view.top <= view.cursor < view.top + view.body_height


@pytest.mark.asyncio
async def test_paths_given_are_ingested_with_progress_before_the_timeline_opens(tmp_path: Path) -> None:
    from forensics.commands import _summary_line
    from forensics.discovery import TzPolicy, discover, parse_rules
    from forensics.ingest import IngestOptions

    logs = tmp_path / "logs"
    for host in ("kafka-1", "kafka-3"):
        shutil.copytree(REPO / "sample_logs" / "incident" / host, logs / host,
                        ignore=shutil.ignore_patterns("server.log*", "log-cleaner.log", "kafkaServer.out"))
    files = discover((str(logs),), parse_rules((), "--host"))
    plan = IngestPlan(files, IngestOptions(tz=TzPolicy.from_flags(())), _summary_line)
    db_path = tmp_path / "new.duckdb"
    app = ForensicsApp(str(db_path), plan)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        view = app.screen.query_one(TimelineView)
        assert view.model is not None and view.model.brokers == ["kafka-1", "kafka-3"]
        ingest = app.get_screen_stack("ingest")[-1]
        log = "\n".join(str(line.text) for line in ingest.query_one("#ingest-log").lines)  # type: ignore[attr-defined]
        assert "controller.log" in log and "kafkaServer-gc.log" in log
        assert ingest.query_one("#ingest-progress").progress == len(files)  # type: ignore[attr-defined]


def test_tui_without_a_database_is_the_usual_no_input_error(tmp_path: Path) -> None:
    done = run_cli("tui", "--db", str(tmp_path / "missing.duckdb"))
    assert done.returncode == 3
    assert "no database at" in done.stderr and "forensics ingest" in done.stderr


def test_tui_checks_its_ingest_options_before_the_screen_opens(tmp_path: Path) -> None:
    done = run_cli("tui", "--db", str(tmp_path / "x.duckdb"), "--tz", "Mars/Olympus", str(REPO / "sample_logs"))
    assert done.returncode == 2 and "--tz" in done.stderr
    done = run_cli("tui", "--db", str(tmp_path / "x.duckdb"), str(tmp_path / "no-such-dir"))
    assert done.returncode == 3
