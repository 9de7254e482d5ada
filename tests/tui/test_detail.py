"""Raw lines behind an event: from the file (plain or gzipped), from the database when the file is
gone or changed, and always shown as text, whatever markup or escape sequences the log holds."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from forensics.tui import excerpt
from forensics.tui.app import ForensicsApp
from forensics.tui.data import Database, run_named
from forensics.tui.screens.detail import DetailRequest, DetailScreen, EventRef
from forensics.tui.text import clean, log_text
from tests.tui.conftest import ingest_into
from tests.tui.pilot import settle

HOSTILE = (
    "[2025-08-28 03:00:00,000] INFO starting (kafka.server.KafkaServer)\n"
    "[2025-08-28 03:00:01,000] ERROR [bold red]boom[/] \x1b[2J\x1b]0;pwned\x07 \u009b31m [link=x]y[/link] "
    "(kafka.server.KafkaApis)\n"
    "java.lang.OutOfMemoryError: Java heap space [/] \x1b[31mred\n"
    "\tat kafka.server.KafkaApis.handle(KafkaApis.scala:1)\n"
    "[2025-08-28 03:00:02,000] INFO after (kafka.server.KafkaServer)\n"
)


@pytest.fixture
def hostile_db(tmp_path: Path) -> tuple[Path, Path]:
    logs = tmp_path / "logs" / "kafka-9"
    logs.mkdir(parents=True)
    (logs / "server.log").write_text(HOSTILE, encoding="utf-8")
    db_path = tmp_path / "hostile.duckdb"
    ingest_into(db_path, "logs", cwd=tmp_path)
    return db_path, logs / "server.log"


def oom_event(db_path: Path) -> EventRef:
    with Database(db_path).connection("test") as con:
        rows = run_named(con, "event_log", {"kind": "oom"}).dicts()
    assert len(rows) == 1
    return EventRef.from_row(rows[0])


def test_clean_escapes_every_control_character_and_keeps_markup_as_text() -> None:
    assert clean("a\x1b[2Jb\u009b31m\x07\r\n\x7f") == "a\\x1b[2Jb\\x9b31m\\x07\\r\\n\\x7f"
    assert clean("\tat x", tabs=8) == "        at x"
    assert log_text("[bold]x[/bold]").plain == "[bold]x[/bold]" and not log_text("[bold]x[/bold]").spans


def test_lines_come_from_the_file_with_context_and_the_event_marked(hostile_db: tuple[Path, Path]) -> None:
    db_path, _ = hostile_db
    event = oom_event(db_path)
    with Database(db_path).connection("test") as con:
        found = excerpt.load(con, event.source_id, event.line_start, event.line_end, context=1)
    assert found.origin == "file" and found.note is None
    assert found.where == "logs/kafka-9/server.log:2-4"
    assert [(line.number, line.inside) for line in found.lines] == [(1, False), (2, True), (3, True), (4, True), (5, False)]
    assert found.lines[1].text.startswith("[2025-08-28 03:00:01,000] ERROR [bold red]boom[/] \x1b[2J")


def test_lines_come_from_the_database_when_the_file_is_gone_or_changed(hostile_db: tuple[Path, Path]) -> None:
    db_path, log = hostile_db
    event = oom_event(db_path)
    log.write_text(HOSTILE + "one more line\n", encoding="utf-8")
    with Database(db_path).connection("test") as con:
        changed = excerpt.load(con, event.source_id, event.line_start, None, context=0)
        assert changed.origin == "database" and changed.note is not None and "changed since it was ingested" in changed.note
        assert [line.number for line in changed.lines] == [2, 3, 4]  # the whole record, its stack trace too
        log.unlink()
        gone = excerpt.load(con, event.source_id, event.line_start, None, context=1)
    assert gone.origin == "database" and gone.note is not None and "gone" in gone.note
    assert [line.number for line in gone.lines] == [1, 2, 3, 4, 5]
    assert gone.lines[2].text == "java.lang.OutOfMemoryError: Java heap space [/] \x1b[31mred"


def test_gzipped_files_are_read_too(tmp_path: Path) -> None:
    logs = tmp_path / "logs" / "kafka-9"
    logs.mkdir(parents=True)
    with gzip.open(logs / "server.log.2025-08-28-03.gz", "wt", encoding="utf-8") as fh:
        fh.write(HOSTILE)
    db_path = tmp_path / "gz.duckdb"
    ingest_into(db_path, "logs", cwd=tmp_path)
    event = oom_event(db_path)
    with Database(db_path).connection("test") as con:
        found = excerpt.load(con, event.source_id, event.line_start, event.line_end, context=5)
    assert found.origin == "file"
    assert [line.number for line in found.lines] == [1, 2, 3, 4, 5]


@pytest.mark.asyncio
async def test_markup_and_escape_sequences_in_logs_are_shown_as_text_and_never_reach_the_terminal(
        hostile_db: tuple[Path, Path]) -> None:
    db_path, _ = hostile_db
    app = ForensicsApp(str(db_path))
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await app.push_screen(DetailScreen(DetailRequest.for_event(oom_event(db_path))))
        await settle(pilot)
        lines = str(app.screen.query_one("#excerpt").render())
        assert "2 ▶ [2025-08-28 03:00:01,000] ERROR [bold red]boom[/] \\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m [link=x]y[/link]" in lines
        assert "3 ▶ java.lang.OutOfMemoryError: Java heap space [/] \\x1b[31mred" in lines
        screenshot = app.export_screenshot()
        assert "[bold red]boom[/]" in screenshot.replace("&#160;", " ")
        assert "\x1b" not in screenshot and "\x9b" not in screenshot and "\x07" not in screenshot
        await pilot.press("escape", "2")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#filter").value = ""  # type: ignore[attr-defined]
        await pilot.press("slash", "enter")
        await settle(pilot)
        rows = [str(cell) for row in screen.query_one("#events").ordered_rows  # type: ignore[attr-defined]
                for cell in screen.query_one("#events").get_row(row.key)]  # type: ignore[attr-defined]
        assert any("[bold red]boom[/]" in cell and "\\x1b" in cell for cell in rows)


@pytest.mark.asyncio
async def test_more_and_less_context_and_wrapping(sample_db: Path) -> None:
    app = ForensicsApp(str(sample_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        with Database(sample_db).connection("test") as con:
            row = run_named(con, "event_log", {"kind": "controller_change"}).dicts()[0]
        await app.push_screen(DetailScreen(DetailRequest.for_event(EventRef.from_row(row))))
        await settle(pilot)
        screen = app.screen
        def numbers() -> list[int]:
            return [int(line.split()[0]) for line in str(screen.query_one("#excerpt").render()).splitlines()]
        assert numbers() == [1, 2, 3, 4, 5, 6]  # line 1 of controller.log, five after it
        await pilot.press("plus")
        await settle(pilot)
        assert numbers() == list(range(1, 12))
        await pilot.press("minus", "minus")
        await settle(pilot)
        assert numbers() == [1]
        await pilot.press("w")
        assert screen.query_one("#excerpt").has_class("-wrap")
        await pilot.press("q")
        assert not isinstance(app.screen, DetailScreen)


def test_a_source_id_not_in_the_database_is_an_error(sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, copy)
    with Database(copy).connection("test") as con, pytest.raises(LookupError):
        excerpt.load(con, 999_999, 1, 1)
