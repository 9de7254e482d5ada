"""The broker logs of sample_logs/incident give exactly the facts of its truth.json."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from forensics.db import open_for_write
from forensics.discovery import TzPolicy, discover
from forensics.ingest import IngestOptions, ingest
from tests.conftest import SAMPLE, run_cli

TRUTH: dict[str, Any] = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
BROKERS = TRUTH["scenario"]["brokers"]


def iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = open_for_write(tmp_path_factory.mktemp("sample") / "sample.duckdb")
    options = IngestOptions(tz=TzPolicy.from_flags(("api-pod-b=America/Los_Angeles",)))
    ingest(con, discover((str(SAMPLE / "incident"),), []), options)
    return con


def test_every_file_of_the_bundle_is_read_whole_and_accounted_for(sample_db: duckdb.DuckDBPyConnection) -> None:
    rows = sample_db.execute("SELECT path, lines_read, lines_in_records, lines_rejected FROM sources").fetchall()
    read = {str(Path(p).relative_to(SAMPLE / "incident")): n for p, n, _, _ in rows}
    assert read == {name: facts["lines"] for name, facts in TRUTH["files"].items()}
    for path, lines, in_records, rejected in rows:
        assert lines == in_records + rejected, path


def test_broker_log_records_match_the_generators_count(sample_db: duckdb.DuckDBPyConnection) -> None:
    rows = sample_db.execute(
        "SELECT path, records, lines_rejected FROM sources WHERE format = 'kafka_log4j'"
    ).fetchall()
    assert rows
    for path, records, rejected in rows:
        name = str(Path(path).relative_to(SAMPLE / "incident"))
        assert (records, rejected) == (TRUTH["files"][name]["records"], 0), name


def test_producer_id_blocks_per_hour_controller_and_requesting_broker(sample_db: duckdb.DuckDBPyConnection) -> None:
    truth = TRUTH["producer_id_blocks"]
    blocks = sample_db.execute(
        "SELECT strftime(ts, '%Y-%m-%dT%H'), host, broker_id, producer_id, count FROM broker_events "
        "WHERE kind = 'producer_id_block'"
    ).fetchall()
    assert len(blocks) == truth["total"]
    per_hour = Counter(b[0] for b in blocks)
    assert {h: per_hour.get(h, 0) for h in truth["per_hour"]} == truth["per_hour"]
    assert Counter(b[1] for b in blocks) == truth["per_controller"]
    assert Counter(f"kafka-{b[2]}" for b in blocks) == truth["per_requesting_broker"]
    assert min(b[3] for b in blocks) == truth["first_producer_id"]
    assert max(b[3] for b in blocks) == truth["last_block_first_producer_id"]
    assert {b[4] for b in blocks} == {1000}


def test_oom_records_per_broker_and_the_cascade_order(sample_db: duckdb.DuckDBPyConnection) -> None:
    ooms = dict(sample_db.execute(
        "SELECT host, count(*) FROM broker_events WHERE kind = 'oom' GROUP BY host"
    ).fetchall())
    # kafkaServer.out holds a copy of every server.log ERROR record (the stdout appender's threshold is WARN) and the
    # JVM's own `Exception in thread …` lines: each OOM is one event, the copies are in event_copies
    copied = {h: sum(n for f, n in b["oom_lines"].items() if f.startswith("server.log")) for h, b in TRUTH["brokers"].items()}
    assert ooms == {h: sum(b["oom_lines"].values()) - copied[h] for h, b in TRUTH["brokers"].items() if b["oom_lines"]}
    assert dict(sample_db.execute(
        "SELECT host, count(*) FROM event_copies WHERE kind = 'oom' GROUP BY host"
    ).fetchall()) == {h: n for h, n in copied.items() if n}
    first = sample_db.execute(
        "SELECT host, min(ts) FROM broker_events WHERE kind = 'oom' GROUP BY host ORDER BY 2"
    ).fetchall()
    assert [h for h, _ in first] == TRUTH["cascade_order"]
    assert {h: iso(t) for h, t in first} == {h: TRUTH["brokers"][h]["first_oom"] for h in TRUTH["cascade_order"]}


def test_each_failure_is_seen_by_the_controller_at_the_true_time(sample_db: duckdb.DuckDBPyConnection) -> None:
    failed = {f"kafka-{b}": (h, iso(t)) for h, b, t in sample_db.execute(
        "SELECT host, broker_id, ts FROM broker_events WHERE kind = 'broker_failed'"
    ).fetchall()}
    elected = sample_db.execute(
        "SELECT host, broker_id, epoch, ts FROM broker_events WHERE kind = 'controller_change'"
    ).fetchall()
    for name, broker in TRUTH["brokers"].items():
        if not broker["failed"]:
            continue
        if broker["failure_line"].startswith("Broker failure callback"):
            assert failed[name] == (broker["failure_seen_by"], broker["failure_seen_by_controller"])
        else:  # the controller itself failed: a new one is elected
            change = TRUTH["controller"]["changes"][0]
            assert [(h, f"kafka-{b}", e, iso(t)) for h, b, e, t in elected] == [
                (broker["failure_seen_by"], change["controller"], change["epoch"], change["at"])
            ]


def test_restarts_recover_unclean_logs_and_start_at_the_true_times(sample_db: duckdb.DuckDBPyConnection) -> None:
    rows = sample_db.execute(
        """SELECT host, kind, min(ts), any_value(count) FROM broker_events
           WHERE kind IN ('process_signal', 'unclean_recovery', 'broker_started') GROUP BY ALL"""
    ).fetchall()
    seen = {(h, k): (iso(t), n) for h, k, t, n in rows}
    for name, broker in TRUTH["brokers"].items():
        if broker["failed"]:
            assert seen[(name, "process_signal")][0] == broker["sigterm"]
            assert seen[(name, "broker_started")][0] == broker["started"]
            assert seen[(name, "unclean_recovery")][1] == broker["recovered_logs"]
        else:
            assert (name, "unclean_recovery") not in seen


def test_hosts_learn_their_broker_ids(sample_db: duckdb.DuckDBPyConnection) -> None:
    learned = dict(sample_db.execute("SELECT host, broker_id FROM hosts WHERE host LIKE 'kafka-%'").fetchall())
    assert learned == {name: b["broker_id"] for name, b in TRUTH["brokers"].items()}


def test_the_readme_demo_runs_on_it(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    done = run_cli("ingest", "--db", str(db), "--tz", "api-pod-b=America/Los_Angeles", str(SAMPLE / "incident"))
    assert done.returncode == 0, done.stderr
    timeline = run_cli("query", "--db", str(db), "broker_timeline", "--format", "csv")
    kinds = Counter(line.split(",")[2] for line in timeline.stdout.splitlines()[1:])
    assert kinds["broker_failed"] == 2 and kinds["controller_change"] == 1
