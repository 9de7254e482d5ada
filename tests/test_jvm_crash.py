"""HotSpot fatal-error reports (hs_err_pid*.log): one record, its time, a broker's or a client's, its event."""

from __future__ import annotations

from pathlib import Path

import duckdb

from parsers.registry import detect
from tests.conftest import run_cli

REAL = Path(__file__).parent / "real_logs" / "kafka" / "k3.6-kraft-Jeong-Rae-KafkaDemo" / "hs_err_pid109232.log"
#: A JDK 8 report of a client application, in the shape JDK 8 writes (``time:`` and ``timezone:`` lines).
CLIENT_JDK8 = """\
#
# A fatal error has been detected by the Java Runtime Environment:
#
#  SIGSEGV (0xb) at pc=0x00007f3c1d2e4a10, pid=2231, tid=0x00007f3bd8ff9700
#
# JRE version: OpenJDK Runtime Environment (8.0_362-b09) (build 1.8.0_362-b09)
#

---------------  T H R E A D  ---------------

Current thread (0x00007f3c14012800):  JavaThread "kafka-producer-network-thread | producer-1" daemon [_thread_in_native, id=2290]

---------------  S Y S T E M  ---------------

java_command: com.example.api.ApiGateway --spring.profiles.active=prod
time: Thu Aug 28 03:53:07 2025
timezone: CEST
elapsed time: 5321 seconds (0d 1h 28m 41s)
"""


def ingest(tmp_path: Path, path: Path, *tz: str) -> tuple[duckdb.DuckDBPyConnection, str]:
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), *tz, str(path))
    assert done.returncode == 0, done.stderr
    return duckdb.connect(str(db), read_only=True), done.stderr


def test_a_real_brokers_crash_report_is_one_record_with_its_time_and_a_native_oom(tmp_path: Path) -> None:
    lines = REAL.read_text(encoding="utf-8").splitlines()
    assert detect(lines[:200]).name == "jvm_crash"  # not kafka_log4j, whose JVM-native line it also holds
    con, _ = ingest(tmp_path, REAL)
    assert con.sql("SELECT format, family, lines_read, records, lines_rejected FROM sources").fetchall() == [
        ("jvm_crash", "broker", 409, 1, 0)]
    assert con.sql("SELECT line_start, line_end, ts::VARCHAR, ts_origin, thread FROM records").fetchall() == [
        (1, 409, "2023-11-08 13:15:10+00", "in-line", "Unknown thread")]
    assert con.sql("SELECT kind, detail FROM broker_events").fetchall() == [
        ("oom", "Native memory allocation (mmap) failed to map 1073741824 bytes for committing reserved memory.")]


def test_a_client_jvms_jdk8_report_is_a_client_crash_read_in_the_zone_given(tmp_path: Path) -> None:
    path = tmp_path / "api-pod-a" / "hs_err_pid2231.log"
    path.parent.mkdir()
    path.write_text(CLIENT_JDK8, encoding="utf-8")
    con, _ = ingest(tmp_path, path, "--tz", "Europe/Berlin")
    assert con.sql("SELECT format, family FROM sources").fetchall() == [("jvm_crash_client", "client")]
    assert con.sql("SELECT ts::VARCHAR, ts_origin, thread FROM records").fetchall() == [
        ("2025-08-28 01:53:07+00", "tz:Europe/Berlin", "kafka-producer-network-thread | producer-1")]
