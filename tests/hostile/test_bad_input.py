"""Bad input, faults and hostile content: every row of the table in issue 14 as a test.

Each test feeds the CLI what a clumsy user or an attacker would and asserts the clear message, the exit code,
that nothing is lost (the accounting identity) and that the database stays whole.
"""

from __future__ import annotations

import gzip
import os
import resource
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from forensics import reader
from tests.conftest import REPO, run_cli

BROKER = [
    "[2025-08-28 14:30:00,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
    "[2025-08-28 14:33:00,000] ERROR [ReplicaManager broker=1] Error processing append (kafka.server.ReplicaManager)",
    "java.lang.OutOfMemoryError: Java heap space",
]


def folder(tmp_path: Path, name: str = "kafka-1", lines: list[str] | None = None, file: str = "server.log") -> Path:
    host = tmp_path / name
    host.mkdir(parents=True, exist_ok=True)
    (host / file).write_text("\n".join(lines or BROKER) + "\n", encoding="utf-8")
    return host


def sources(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("SELECT format, status, lines_read, records, lines_rejected FROM sources ORDER BY source_id").fetchall()


def test_a_file_that_failed_is_ingested_again_on_the_next_run(tmp_path: Path) -> None:
    host, db = folder(tmp_path), tmp_path / "x.duckdb"
    forced = run_cli("ingest", "--db", str(db), "--format", "json_lines", str(host))
    assert forced.returncode == 0 and "no line of it is a json_lines record" in forced.stderr
    assert sources(db) == [("json_lines", "unrecognised", 3, 0, 3)]
    again = run_cli("ingest", "--db", str(db), str(host))
    assert again.returncode == 0 and "already" not in again.stderr.split("\n")[1]
    assert sources(db) == [("kafka_log4j", "ok", 3, 2, 0)]  # the failed attempt's rows are gone, not doubled
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM rejects").fetchall() == [(0,)]
    third = run_cli("ingest", "--db", str(db), str(host))
    assert "skipped, same content" in third.stderr and sources(db) == [("kafka_log4j", "ok", 3, 2, 0)]


def test_json_lines_forced_on_a_text_log_rejects_every_line_with_its_reason(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), "--format", "json_lines", str(folder(tmp_path)))
    assert "Traceback" not in done.stderr and "InvalidOperationError" not in done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("SELECT line_no, reason FROM rejects ORDER BY 1").fetchall() == [
            (1, "not a JSON object"), (2, "not a JSON object"), (3, "not a JSON object")]


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1) TO '{out}'",
    "ATTACH '{out}' AS o",
    "INSTALL httpfs",
    "SELECT * FROM read_csv('/etc/hostname')",
    "SET enable_external_access = true",
])
def test_read_only_sql_writes_no_file_attaches_nothing_installs_nothing(tmp_path: Path, sql: str) -> None:
    db, out = tmp_path / "x.duckdb", tmp_path / "written"
    assert run_cli("ingest", "--db", str(db), str(folder(tmp_path))).returncode == 0
    done = run_cli("sql", "--db", str(db), sql.format(out=out))
    assert done.returncode == 1 and done.stderr.startswith("forensics: error: ") and "Traceback" not in done.stderr
    assert not out.exists()


def test_control_sequences_in_log_text_never_reach_the_terminal_raw(tmp_path: Path) -> None:
    esc = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07"
    host = folder(tmp_path, name="kafka-1" + "\x1b[31m", lines=[
        "[2025-08-28 14:30:00,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
        f"[2025-08-28 14:33:00,000] ERROR [ReplicaManager broker=1] Error {esc} (kafka.server.ReplicaManager)",
        f"java.lang.OutOfMemoryError: Java heap space {esc}",
    ])
    db = tmp_path / "x.duckdb"
    ingest = run_cli("ingest", "--db", str(db), str(host))
    assert ingest.returncode == 0 and "\x1b" not in ingest.stderr and "\\x1b" in ingest.stderr
    for args in (["report"], ["query", "timeline"], ["sql", "SELECT message FROM records"]):
        shown = run_cli(*args, "--db", str(db))
        assert shown.returncode == 0 and "\x1b" not in shown.stdout and "\x07" not in shown.stdout, args
    exact = run_cli("sql", "--db", str(db), "--format", "json", "SELECT message FROM records WHERE level = 'ERROR'")
    assert esc in exact.stdout.encode().decode("unicode_escape") or "\\u001b" in exact.stdout  # machine formats: exact


def test_html_report_keeps_markup_in_log_lines_inert(tmp_path: Path) -> None:
    host = folder(tmp_path, lines=[
        "[2025-08-28 14:30:00,001] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
        "[2025-08-28 14:33:00,000] ERROR Error <script>alert(1)</script><img src=x onerror=alert(2)> (kafka.server.ReplicaManager)",
        "java.lang.OutOfMemoryError: <img src=x onerror=alert(3)>",
    ])
    db, html = tmp_path / "x.duckdb", tmp_path / "r.html"
    assert run_cli("ingest", "--db", str(db), str(host)).returncode == 0
    assert run_cli("report", "--db", str(db), "--format", "html", "-o", str(html)).returncode == 0
    text = html.read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text and "&lt;img src=x onerror=alert(3)&gt;" in text


def test_special_files_and_symlink_loops_are_skipped_with_a_message_and_the_rest_is_read(tmp_path: Path) -> None:
    host = folder(tmp_path)
    os.mkfifo(host / "pipe.log")
    (host / "a.log").symlink_to("b.log")
    (host / "b.log").symlink_to("a.log")
    db = tmp_path / "x.duckdb"
    done = subprocess.run([sys.executable, "-m", "forensics", "ingest", "--db", str(db), str(host)],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert f"{host / 'pipe.log'}: a FIFO, not a log file (skipped)" in done.stderr
    assert f"{host / 'a.log'}: a symlink loop (skipped)" in done.stderr
    assert sources(db) == [("kafka_log4j", "ok", 3, 2, 0)]


def test_zone_less_times_across_the_fall_back_never_run_backwards(tmp_path: Path) -> None:
    clock = ["01:50:00", "02:30:00", "02:50:00", "02:10:00", "02:55:00", "03:05:00"]  # CEST, CEST, CEST, CET, CET, CET
    host = folder(tmp_path, lines=[f"[2025-10-26 {c},000] INFO tick {i} (kafka.log.LogManager)" for i, c in enumerate(clock)])
    db = tmp_path / "x.duckdb"
    assert run_cli("ingest", "--db", str(db), "--tz", "Europe/Berlin", str(host)).returncode == 0
    with duckdb.connect(str(db), read_only=True) as con:
        utc = [t.strftime("%H:%M") for (t,) in con.sql("SELECT ts FROM records ORDER BY line_start").fetchall()]
    assert utc == ["23:50", "00:30", "00:50", "01:10", "01:55", "02:05"]


@pytest.mark.parametrize(("args", "message", "code"), [
    (["report", "-o", "/nonexistent-dir/r.md"], "-o /nonexistent-dir/r.md: cannot write it: No such file or directory", 2),
    (["ingest", "--tz", "../../etc/passwd"], "--tz: unknown time zone '../../etc/passwd'", 2),
])
def test_bad_paths_and_zone_names_get_one_line_and_an_exit_code(tmp_path: Path, args: list[str], message: str,
                                                                code: int) -> None:
    db, host = tmp_path / "x.duckdb", folder(tmp_path)
    assert run_cli("ingest", "--db", str(db), str(host)).returncode == 0
    done = run_cli(*args, "--db", str(db), *([str(host)] if args[0] == "ingest" else []))
    assert (done.returncode, "Traceback" in done.stderr) == (code, False) and message in done.stderr, done.stderr


def test_a_full_disk_stops_the_ingest_with_one_message_and_a_rerun_completes_it(tmp_path: Path) -> None:
    root, db = tmp_path / "logs", tmp_path / "x.duckdb"
    for n in range(1, 9):
        folder(root, f"kafka-{n}", lines=[f"[2025-08-28 14:{m:02d}:00,000] INFO [Partition t-{m} broker={n}] line {m} "
                                          f"{'x' * 200} (kafka.cluster.Partition)" for m in range(60)] * 40)

    def limited() -> None:  # the database file may not grow past 1.5 MB: writes fail as on a full disk
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_500_000, 1_500_000))

    full = subprocess.run([sys.executable, "-m", "forensics", "ingest", "--db", str(db), str(root)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, preexec_fn=limited)
    assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr
    assert "forensics: error: cannot write the database while ingesting" in full.stderr
    done = run_cli("ingest", "--db", str(db), str(root))
    assert done.returncode == 0, done.stderr
    rows = sources(db)
    assert len(rows) == 8 and all(r == ("kafka_log4j", "ok", 2400, 2400, 0) for r in rows)


def test_a_second_ingest_while_one_holds_the_database_says_busy_with_its_own_exit_code(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    # another process holding the write lock, as a running ingest does
    code = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"
    with subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True) as other:
        try:
            assert other.stdout is not None and other.stdout.readline().strip() == "held"
            done = run_cli("ingest", "--db", str(db), str(folder(tmp_path)))
        finally:
            other.kill()
    assert done.returncode == 4 and f"database {db} is in use by another process" in done.stderr


def test_a_line_without_end_is_cut_and_a_decompression_bomb_stopped_with_memory_bounded(tmp_path: Path,
                                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    host = tmp_path / "kafka-1"
    host.mkdir()
    with (host / "server.log").open("wb") as fh:  # 200 MB on one line between two records
        fh.write((BROKER[0] + "\n").encode())
        for _ in range(200):
            fh.write(b"x" * (1 << 20))
        fh.write(b"\n" + BROKER[1].encode() + b"\n")
    db = tmp_path / "x.duckdb"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = run_cli("ingest", "--db", str(db), str(host))
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert done.returncode == 0 and "1 line(s) longer than 1 MiB cut to it" in done.stderr
    assert max(peak_kb, before) < 1_000_000  # KiB: under 1 GB
    assert sources(db) == [("kafka_log4j", "ok", 3, 2, 0)]
    # a gzip of zeros: reading stops with a clear error past the documented ratio, in bounded steps
    monkeypatch.setattr(reader, "BOMB_MIN_BYTES", 16 << 20)
    bomb = tmp_path / "zeros.log.gz"
    bomb.write_bytes(gzip.compress(bytes(64 << 20), compresslevel=9))
    stats = reader.ReadStats()
    lines = sum(batch.height for batch in reader.read_batches(bomb, stats))
    assert lines == 1 and stats.lines_cut == 1
    assert stats.error is not None and "a decompression bomb?" in stats.error and "over 200 times its size" in stats.error


def test_secrets_in_config_dumps_and_messages_are_masked_before_they_are_stored(tmp_path: Path) -> None:
    host = folder(tmp_path, lines=[
        "[2025-08-28 14:30:00,001] INFO KafkaConfig values: ",
        '\tsasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr3t";',
        "\tssl.keystore.password = [hidden]",
        "\tssl.key.password = changeit",
        "\tdelegation.token.expiry.time.ms = 86400000",
        " (kafka.server.KafkaConfig)",
        "[2025-08-28 14:30:01,000] WARN Request failed Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc "
        "(kafka.server.KafkaApis)",
    ])
    db, kept = tmp_path / "x.duckdb", tmp_path / "kept.duckdb"
    done = run_cli("ingest", "--db", str(db), str(host))
    assert done.returncode == 0 and "3 secrets masked" in done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        text = "\n".join(m for (m,) in con.sql("SELECT message FROM records ORDER BY line_start").fetchall())
        assert con.sql("SELECT secrets_masked FROM sources").fetchall() == [(3,)]
    assert "s3cr3t" not in text and "changeit" not in text and "eyJzdWIiOiIxIn0" not in text
    assert "sasl.jaas.config = [masked]" in text and "ssl.keystore.password = [hidden]" in text
    assert "delegation.token.expiry.time.ms = 86400000" in text and "Authorization: Bearer [masked]" in text
    assert run_cli("ingest", "--keep-secrets", "--db", str(kept), str(host)).returncode == 0
    with duckdb.connect(str(kept), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM records WHERE message LIKE '%password=\"s3cr3t\"%'").fetchall() == [(1,)]
