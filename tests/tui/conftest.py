"""Fixtures of the TUI tests: the sample incident ingested once, and a Pilot that waits for the data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

#: What the sample is ingested with, as the README's quick start does.
SAMPLE_TZ = ("api-pod-b=America/Los_Angeles",)


def ingest_into(db_path: Path, *paths: str, tz: tuple[str, ...] = (), cwd: Path = REPO) -> None:
    """Ingest ``paths`` (relative to ``cwd``, so stored paths are the same on every machine)."""
    from forensics import db
    from forensics.discovery import TzPolicy, discover, parse_rules
    from forensics.ingest import IngestOptions, ingest

    here = Path.cwd()
    os.chdir(cwd)
    try:
        con = db.open_for_write(db_path)
        try:
            ingest(con, discover(paths, parse_rules((), "--host")), IngestOptions(tz=TzPolicy.from_flags(tz)))
        finally:
            con.close()
    finally:
        os.chdir(here)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sample_logs/incident ingested once per test session (read-only from then on)."""
    path = tmp_path_factory.mktemp("tui") / "incident.duckdb"
    ingest_into(path, "sample_logs/incident", tz=SAMPLE_TZ)
    return path


@pytest.fixture
def sample_copy(sample_db: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the sample database a test may spoil."""
    copy = tmp_path / "incident.duckdb"
    shutil.copy(sample_db, copy)
    yield copy


_FINDINGS: dict[str, object] = {}


@pytest.fixture(autouse=True)
def _findings_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's build step runs once per database per session (it is the same every time)."""
    from forensics.tui import findings

    real = findings.load

    def load(con, database, *args, **kwargs):  # type: ignore[no-untyped-def]
        if database not in _FINDINGS:
            _FINDINGS[database] = real(con, database, *args, **kwargs)
        return _FINDINGS[database]

    monkeypatch.setattr(findings, "load", load)
