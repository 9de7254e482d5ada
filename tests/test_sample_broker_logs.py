"""The broker logs in sample_logs/incident ingest with the typed events they hold, exactly."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from forensics.db import open_for_write
from forensics.discovery import discover
from forensics.ingest import IngestOptions, ingest
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = open_for_write(tmp_path_factory.mktemp("sample") / "sample.duckdb")
    results = ingest(con, discover((str(SAMPLE / "incident"),), []), IngestOptions())
    assert results and all(r.status == "ok" for r in results), [(r.file.path, r.note) for r in results]
    return con


def test_every_sample_file_accounts_for_every_line(sample_db: duckdb.DuckDBPyConnection) -> None:
    rows = sample_db.execute("SELECT path, lines_read, lines_in_records, lines_rejected FROM sources").fetchall()
    assert rows
    for path, read, in_records, rejected in rows:
        assert read == in_records + rejected, path


def test_producer_id_blocks_come_from_the_controller_log_with_assigned_brokers(
    sample_db: duckdb.DuckDBPyConnection,
) -> None:
    blocks = sample_db.execute(
        """SELECT count(*), min(producer_id), max(producer_id), sum(count), count(DISTINCT broker_id), any_value(node_id)
           FROM broker_events WHERE kind = 'producer_id_block'"""
    ).fetchall()[0]
    lines = sum(
        "Acquired new producerId block" in line
        for line in (SAMPLE / "incident/kafka-1/controller.log").read_text().splitlines()
    )
    assert blocks[0] == lines
    assert blocks[3] == lines * 1000 and blocks[4] == 3 and blocks[5] == 1
    assert blocks[2] - blocks[1] == (lines - 1) * 1000


def test_the_oom_broker_fails_and_leadership_moves_away(sample_db: duckdb.DuckDBPyConnection) -> None:
    oom = sample_db.execute(
        "SELECT host, broker_id, min(ts) FROM broker_events WHERE kind = 'oom' GROUP BY ALL"
    ).fetchall()
    failed = sample_db.execute(
        "SELECT broker_id, node_id, ts FROM broker_events WHERE kind = 'broker_failed'"
    ).fetchall()
    moved = sample_db.execute(
        "SELECT leader, prev_leader, ts FROM broker_events WHERE kind = 'leader_change'"
    ).fetchall()
    assert [(h, b) for h, b, _ in oom] == [("kafka-3", 3)]
    assert [(b, n) for b, n, _ in failed] == [(3, 1)]
    assert [(leader, prev) for leader, prev, _ in moved] == [(1, 3)]
    assert oom[0][2] < failed[0][2] <= moved[0][2]


def test_hosts_learn_their_broker_ids(sample_db: duckdb.DuckDBPyConnection) -> None:
    assert sample_db.execute("SELECT host, broker_id FROM hosts ORDER BY host").fetchall() == [
        ("kafka-1", 1), ("kafka-2", 2), ("kafka-3", 3)
    ]


def test_the_gzipped_rotated_file_is_read(sample_db: duckdb.DuckDBPyConnection) -> None:
    rows = sample_db.execute("SELECT records FROM sources WHERE path LIKE '%.gz'").fetchall()
    assert len(rows) == 3 and all(r[0] == 2 for r in rows)


def test_the_readme_demo_query_runs_on_it(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    db = tmp_path / "demo.duckdb"
    assert run_cli("ingest", "--db", str(db), str(SAMPLE / "incident")).returncode == 0
    done = run_cli("query", "--db", str(db), "broker_timeline", "--format", "csv")
    assert done.returncode == 0
    kinds = [line.split(",")[2] for line in done.stdout.splitlines()[1:]]
    assert kinds.count("broker_started") == 3 and "broker_failed" in kinds and "oom" in kinds
