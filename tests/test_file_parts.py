"""A file that holds several logs is dealt to them: each writer of a capture, a JVM stdout's log and GC lines.

Every part has its own ``sources`` row (same path, ``part`` names it), its lines keep their numbers in the
file, and each part's accounting counts only its own lines, even where another writer's lines fall inside
one of its records.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.conftest import run_cli

COMPOSE = """\
kafka-1  | [2025-08-28 14:30:00,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)
kafka-2  | [2025-08-28 14:30:00,010] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)
kafka-1  | [2025-08-28 14:33:00,000] ERROR [ReplicaManager broker=1] Error processing append operation on partition t-0 (kafka.server.ReplicaManager)
kafka-2  | [2025-08-28 14:33:00,001] INFO [Partition t-1 broker=2] Shrinking ISR from 2,1 to 2. Leader: (highWatermark: 5, endOffset: 6). Out of sync replicas: (brokerId: 1, endOffset: 5). (kafka.cluster.Partition)
kafka-1  | java.lang.OutOfMemoryError: Java heap space
kafka-1  | \tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:61)
zookeeper-1  | [2025-08-28 14:33:02,000] INFO Expiring session 0x100000a1b2c0001, timeout of 18000ms exceeded (org.apache.zookeeper.server.ZooKeeperServer)
"""

#: A JDK 11 broker's stdout with -Xlog:gc*:stdout:time,level,tags (Strimzi's GC logging) beside its log4j lines.
STDOUT_UNIFIED = """\
[2025-08-28T14:29:59.100+0000][info][gc] Using G1
[2025-08-28 14:30:00,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)
[2025-08-28T14:31:00.000+0000][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->5M(256M) 5.123ms
[2025-08-28 14:33:00,000] ERROR [ReplicaManager broker=1] Error processing append operation on partition t-0 (kafka.server.ReplicaManager)
java.lang.OutOfMemoryError: Java heap space
\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:61)
[2025-08-28T14:33:01.000+0000][info][gc] GC(1) Pause Full (G1 Compaction Pause) 250M->249M(256M) 812.500ms
"""

#: A JDK 8 broker's stdout with -verbose:gc -XX:+PrintGCDetails -XX:+PrintGCDateStamps (older Strimzi images).
STDOUT_LEGACY = """\
2025-08-28 14:30:00,001 INFO [KafkaServer id=1] started (kafka.server.KafkaServer) [main]
2025-08-28T14:31:00.000+0000: 60.123: [GC (Allocation Failure) [PSYoungGen: 65536K->10736K(76288K)] 65536K->10744K(251392K), 0.0081450 secs] [Times: user=0.02 sys=0.00, real=0.01 secs]
2025-08-28 14:32:00,000 INFO [Partition t-1 broker=1] Shrinking ISR from 1,2 to 1. Leader: (highWatermark: 5, endOffset: 6). Out of sync replicas: (brokerId: 2, endOffset: 5). (kafka.cluster.Partition) [data-plane-kafka-request-handler-3]
2025-08-28T14:33:00.000+0000: 180.456: [Full GC (Ergonomics) [PSYoungGen: 10736K->0K(76288K)] [ParOldGen: 175000K->174000K(175104K)] 185736K->174000K(251392K), [Metaspace: 30000K->30000K(1077248K)], 0.8123450 secs] [Times: user=1.50 sys=0.01, real=0.81 secs]
"""


def ingest(tmp_path: Path, name: str, text: str) -> duckdb.DuckDBPyConnection:
    folder = tmp_path / "node7"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), str(folder / name))
    assert done.returncode == 0, done.stderr
    return duckdb.connect(str(db), read_only=True)


def test_a_compose_capture_of_several_containers_gives_each_its_own_log_and_host(tmp_path: Path) -> None:
    con = ingest(tmp_path, "compose.log", COMPOSE)
    assert con.sql(
        """SELECT part, host, host_origin, format, lines_read, lines_in_records, lines_rejected, status FROM sources
           ORDER BY source_id"""
    ).fetchall() == [
        ("container kafka-1", "kafka-1", "container", "kafka_log4j", 4, 4, 0, "ok"),
        ("container kafka-2", "kafka-2", "container", "kafka_log4j", 2, 2, 0, "ok"),
        ("container zookeeper-1", "zookeeper-1", "container", "kafka_log4j", 1, 1, 0, "ok"),
    ]
    # the OOM record runs from line 3 to 6 in the file and holds only kafka-1's lines (not kafka-2's line 4)
    assert con.sql("SELECT host, line_start, line_end, message FROM records WHERE level = 'ERROR'").fetchall() == [
        ("kafka-1", 3, 6, "[ReplicaManager broker=1] Error processing append operation on partition t-0\n"
         "java.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:61)")]
    assert con.sql("SELECT host, line_start, kind, broker_id FROM broker_events ORDER BY line_start").fetchall() == [
        ("kafka-1", 1, "broker_started", 1), ("kafka-2", 2, "broker_started", 2), ("kafka-1", 3, "oom", None),
        ("kafka-2", 4, "isr_shrink", 2)]
    assert con.sql("SELECT host, broker_id FROM hosts ORDER BY host").fetchall() == [
        ("kafka-1", 1), ("kafka-2", 2), ("zookeeper-1", None)]


def test_a_capture_of_one_container_stays_one_log_of_the_folder_host(tmp_path: Path) -> None:
    one = "".join(line for line in COMPOSE.splitlines(keepends=True) if line.startswith("kafka-1 "))
    con = ingest(tmp_path, "compose.log", one)
    assert con.sql("SELECT part, host, wrapper, lines_read, records FROM sources").fetchall() == [
        (None, "node7", "docker compose", 4, 2)]


def test_a_stdout_with_unified_gc_lines_gives_a_broker_log_and_a_gc_log_of_one_host(tmp_path: Path) -> None:
    con = ingest(tmp_path, "kafkaServer.out", STDOUT_UNIFIED)
    assert con.sql(
        "SELECT part, host, format, lines_read, lines_in_records, lines_rejected, status FROM sources ORDER BY part"
    ).fetchall() == [
        ("gc", "node7", "jvm_gc_unified", 3, 3, 0, "ok"),
        ("log", "node7", "kafka_log4j", 4, 4, 0, "ok"),
    ]
    assert con.sql("SELECT line_start, kind, round(duration_ms, 3) FROM gc_events WHERE duration_ms IS NOT NULL "
                   "ORDER BY line_start").fetchall() == [(3, "young", 5.123), (7, "full", 812.5)]
    assert con.sql("SELECT line_start, line_end, kind FROM broker_events ORDER BY line_start").fetchall() == [
        (2, 2, "broker_started"), (4, 6, "oom")]


def test_a_jdk8_stdout_with_gc_records_gives_a_broker_log_and_a_gc_log(tmp_path: Path) -> None:
    con = ingest(tmp_path, "kafka.out", STDOUT_LEGACY)
    assert con.sql(
        "SELECT part, format, lines_read, lines_in_records, lines_rejected FROM sources ORDER BY part"
    ).fetchall() == [("gc", "jvm_gc_legacy", 2, 2, 0), ("log", "strimzi_log4j1", 2, 2, 0)]
    assert con.sql("SELECT line_start, kind, round(duration_ms, 1) FROM gc_events WHERE duration_ms IS NOT NULL "
                   "ORDER BY line_start").fetchall() == [(2, "young", 8.1), (4, "full", 812.3)]
    assert con.sql("SELECT line_start, kind, broker_id FROM broker_events ORDER BY line_start").fetchall() == [
        (1, "broker_started", 1), (3, "isr_shrink", 1)]


def test_a_gc_log_two_jvms_wrote_at_once_keeps_both_pauses_where_one_head_splits_the_other(tmp_path: Path) -> None:
    # JVM A wrote its head on line 1, JVM B a whole young pause behind it, and A's details went to line 2
    (tmp_path / "b1").mkdir()
    (tmp_path / "b1" / "gc.log").write_text(
        "2025-08-28T14:31:00.000+0000: 60.123: [GC (Allocation Failure) 2025-08-28T14:31:00.010+0000: 12.001: "
        "[GC (Allocation Failure) [PSYoungGen: 1000K->100K(2000K)] 1000K->100K(5000K), 0.0010000 secs] "
        "[Times: user=0.00 sys=0.00, real=0.00 secs]\n"
        "[PSYoungGen: 65536K->10736K(76288K)] 65536K->10744K(251392K), 0.0081450 secs] "
        "[Times: user=0.02 sys=0.00, real=0.01 secs]\n"
    )
    db = tmp_path / "x.duckdb"
    assert run_cli("ingest", "--db", str(db), str(tmp_path / "b1" / "gc.log")).returncode == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT lines_read, lines_in_records, lines_rejected FROM sources").fetchall() == [(2, 2, 0)]
    assert con.sql(
        "SELECT line_start, line_end, strftime(ts, '%H:%M:%S.%g'), uptime_s, duration_ms, heap_before_kb, heap_after_kb "
        "FROM gc_events ORDER BY uptime_s"
    ).fetchall() == [(1, 1, "14:31:00.010", 12.001, 1.0, 1000, 100), (1, 2, "14:31:00.000", 60.123, 8.145, 65536, 10744)]
