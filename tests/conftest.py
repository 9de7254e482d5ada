"""Shared fixtures: a fresh database path, the CLI run as a user runs it, UTC pinned."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_logs"


@pytest.fixture(autouse=True)
def _pinned_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("FORENSICS_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `forensics ARGS…` in a subprocess, as a user would."""
    env = {**os.environ, "TZ": "UTC"}
    env.pop("FORENSICS_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "forensics", *args],
        capture_output=True, text=True, cwd=cwd, input=stdin, env=env, timeout=300,
    )
