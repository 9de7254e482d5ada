"""One host, one clock: a host's GC log that writes its offset sets the zone of its zone-less broker logs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.conftest import run_cli

SERVER_LOG = """\
[2025-03-20 10:00:00,512] INFO Registered kafka:type=kafka.Log4jController MBean (kafka.utils.Log4jControllerRegistration$)
[2025-03-20 10:00:03,101] INFO [KafkaServer id=3] started (kafka.server.KafkaServer)
[2025-03-20 10:05:00,004] ERROR [KafkaApi-3] Unexpected error handling request (kafka.server.KafkaApis)
java.lang.OutOfMemoryError: Java heap space
"""
GC_LOG = """\
[2025-03-20T10:00:00.101+0200][gc] Using G1
[2025-03-20T10:04:59.300+0200][gc] GC(12) Pause Full (G1 Compaction Pause) 1020M->1019M(1024M) 912.345ms
"""


def ingest(tmp_path: Path, gc_log: str) -> tuple[duckdb.DuckDBPyConnection, str]:
    host = tmp_path / "kafka-3"
    host.mkdir()
    (host / "server.log").write_text(SERVER_LOG, encoding="utf-8")
    (host / "kafkaServer-gc.log").write_text(gc_log, encoding="utf-8")
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), str(host))
    assert done.returncode == 0, done.stderr
    return duckdb.connect(str(db), read_only=True), done.stderr


def test_the_gc_logs_offset_checked_against_a_jvm_start_in_both_sets_the_hosts_zone(tmp_path: Path) -> None:
    con, stderr = ingest(tmp_path, GC_LOG)
    assert ("kafka-3: times without an offset were taken as +0200, the offset its GC log writes "
            "(the JVM start at 2025-03-20 08:00:00 UTC is in both)") in stderr
    assert "taken as UTC for: kafka-3" not in stderr
    assert con.sql("SELECT kind, ts::VARCHAR FROM broker_events ORDER BY line_start").fetchall() == [
        ("broker_started", "2025-03-20 08:00:03.101+00"), ("oom", "2025-03-20 08:05:00.004+00")]
    assert con.sql("SELECT DISTINCT r.ts_origin FROM records r JOIN sources s USING (source_id) WHERE s.family = 'broker'"
                   ).fetchall() == [("gc-offset:+0200",)]
    assert con.sql("SELECT timezone, ts_origin, first_ts::VARCHAR FROM sources WHERE family = 'broker'").fetchall() == [
        ("+0200", "gc-offset:+0200", "2025-03-20 08:00:00.512+00")]


def test_without_a_jvm_start_in_both_logs_the_times_stay_utc_and_ingest_says_why(tmp_path: Path) -> None:
    con, stderr = ingest(tmp_path, GC_LOG.split("\n", 1)[1])  # the GC log's first line (its JVM start) is gone
    assert "kafka-3: its GC log writes +0200, but its other logs stay UTC: no JVM start is seen in both" in stderr
    assert "taken as UTC for: kafka-3" in stderr
    assert con.sql("SELECT ts::VARCHAR FROM broker_events WHERE kind = 'oom'").fetchall() == [("2025-03-20 10:05:00.004+00",)]
