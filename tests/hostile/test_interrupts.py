"""Ctrl-C and SIGKILL at random points of a real ingest: the database always opens, no file is ever half in,
and running the same ingest to its end gives exactly the tables of an ingest never interrupted."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO

#: Two brokers of the sample incident: 24 files, about 3 s to ingest.
INPUT = [str(REPO / "sample_logs" / "incident" / host) for host in ("kafka-3", "kafka-1")]


def start(db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TZ": "UTC"}
    env.pop("FORENSICS_DB", None)
    return subprocess.Popen([sys.executable, "-m", "forensics", "ingest", "-q", "--db", str(db), *INPUT], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def whole(db: Path) -> list[tuple]:
    """The database's content by file, with the checks that no file is half in."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql(
            """SELECT s.path, s.part, s.status, s.lines_read, s.records, s.lines_in_records, s.lines_rejected,
                      (SELECT count(*) FROM records r WHERE r.source_id = s.source_id) AS records_there,
                      (SELECT coalesce(sum(line_end - line_start + 1), 0) FROM records r WHERE r.source_id = s.source_id)
                      + (SELECT count(*) FROM rejects j WHERE j.source_id = s.source_id) AS lines_there,
                      (SELECT count(*) FROM broker_events e WHERE e.source_id = s.source_id)
                      + (SELECT count(*) FROM event_copies c WHERE c.source_id = s.source_id) AS broker_events,
                      (SELECT count(*) FROM gc_events g WHERE g.source_id = s.source_id) AS gc_events
               FROM sources s ORDER BY s.path, s.part"""
        ).fetchall()
        strays = con.sql("SELECT count(*) FROM records WHERE source_id NOT IN (SELECT source_id FROM sources)").fetchall()
    assert strays == [(0,)], "records of a file that is not in sources"
    for path, _part, status, read, records, _in, _rej, records_there, lines_there, *_ in rows:
        assert records_there == records and (lines_there == read or status != "ok"), f"{path} is half in"
    return rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    db = tmp_path_factory.mktemp("reference") / "x.duckdb"
    proc = start(db)
    assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    return whole(db)


def test_sigkill_at_fifty_random_points_never_leaves_a_file_half_in(tmp_path: Path, reference: list[tuple]) -> None:
    db, chance = tmp_path / "x.duckdb", random.Random(20250828)
    for _ in range(50):
        proc = start(db)
        time.sleep(chance.uniform(0.3, 2.0))
        proc.kill()
        proc.wait(timeout=30)
        if db.exists():
            whole(db)  # opens, and every file in it is whole
    proc = start(db)
    assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    assert whole(db) == reference


def test_ctrl_c_at_random_points_exits_130_without_a_traceback(tmp_path: Path, reference: list[tuple]) -> None:
    db, chance, interrupted = tmp_path / "x.duckdb", random.Random(7), 0
    for _ in range(12):
        proc = start(db)
        time.sleep(chance.uniform(0.8, 2.5))  # (before the interpreter has imported the command line: Python's own traceback)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        err = proc.stderr.read() if proc.stderr else ""
        assert code in (0, 130) and "Traceback" not in err, (code, err)
        interrupted += code == 130
        assert code == 0 or err.strip().endswith("forensics: error: interrupted"), err
        whole(db)
    assert interrupted >= 6  # most of them landed inside the ingest
    proc = start(db)
    assert proc.wait(timeout=120) == 0
    assert whole(db) == reference
