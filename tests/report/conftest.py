"""The sample incident ingested once per session, and its report as JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE, run_cli


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    done = run_cli("ingest", "-q", "--db", str(db), "--tz", "api-pod-b=America/Los_Angeles", str(SAMPLE / "incident"))
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="session")
def sample_report(sample_db: Path) -> tuple[dict[str, Any], float]:
    """The JSON report of the sample, and how long `forensics report` took (seconds, wall clock)."""
    started = time.perf_counter()
    done = run_cli("report", "--db", str(sample_db), "--format", "json")
    took = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), took


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    return json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
