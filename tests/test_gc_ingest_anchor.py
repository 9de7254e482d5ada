"""Uptime-only GC logs get wall-clock time from the host's own broker log, or from --jvm-start."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

GC = """\
[0.053s][info][gc,start     ] GC(0) Pause Young (Normal) (G1 Evacuation Pause)
[0.058s][info][gc           ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 1M->1M(4M) 5.780ms
[12.500s][info][gc,start     ] GC(1) Pause Full (G1 Compaction Pause)
[14.750s][info][gc           ] GC(1) Pause Full (G1 Compaction Pause) 3990M->3985M(4096M) 2250.000ms
"""
SERVER = """\
[2025-08-28 01:00:00,000] INFO Registered kafka:type=kafka.Log4jController MBean (kafka.utils.Log4jControllerRegistration$)
[2025-08-28 01:00:05,000] INFO [KafkaServer id=4] started (kafka.server.KafkaServer)
"""


def gc_times(db: Path) -> list[str]:
    done = run_cli("sql", "--db", str(db), "--format", "csv",
                   "SELECT kind, ts, ts_origin FROM gc_events WHERE stw ORDER BY ts")
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[1:]


def test_an_uptime_only_gc_log_is_anchored_on_the_hosts_jvm_start(tmp_path: Path) -> None:
    host = tmp_path / "kafka-4"
    host.mkdir()
    (host / "server.log").write_text(SERVER)
    (host / "kafkaServer-gc.log").write_text(GC)
    db = tmp_path / "x.duckdb"
    assert run_cli("ingest", "--db", str(db), str(tmp_path)).returncode == 0
    assert gc_times(db) == [
        "young,2025-08-28T01:00:00.053000Z,anchored:jvm-start",
        "full,2025-08-28T01:00:12.500000Z,anchored:jvm-start",
    ]


def test_the_jvm_start_flag_wins_and_says_so(tmp_path: Path) -> None:
    host = tmp_path / "kafka-4"
    host.mkdir()
    (host / "kafkaServer-gc.log").write_text(GC)
    db = tmp_path / "x.duckdb"
    assert run_cli("ingest", "--db", str(db), "--jvm-start", "2025-08-28T02:00:00Z", str(tmp_path)).returncode == 0
    assert gc_times(db)[1] == "full,2025-08-28T02:00:12.500000Z,anchored:flag"
