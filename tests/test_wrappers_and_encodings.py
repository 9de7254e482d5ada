"""Wrappers in front of every line, UTF-16 files and NUL padding: read past, every line still accounted for."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import duckdb
import pytest

from forensics.reader import quick_fingerprint
from tests.conftest import run_cli

RECORDS = [
    "[2025-09-16 13:52:15,101] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
    "[2025-09-16 13:52:16,000] ERROR [KafkaApi-1] Unexpected error handling request (kafka.server.KafkaApis)",
    "java.lang.OutOfMemoryError: Java heap space",
    "\tat java.base/java.util.HashMap.resize(HashMap.java:700)",
]


def ingest(tmp_path: Path, name: str, data: bytes) -> duckdb.DuckDBPyConnection:
    host = tmp_path / "kafka-1"
    host.mkdir(exist_ok=True)
    (host / name).write_bytes(data)
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), str(host / name))
    assert done.returncode == 0, done.stderr
    return duckdb.connect(str(db), read_only=True)


@pytest.mark.parametrize(("wrapper", "prefixes"), [
    ("docker compose", ["kafka-1  | ", "kafka-1  | ", "kafka-1  | ", "kafka-1  | "]),
    ("kubectl --prefix", ["[pod/kafka-0/kafka] "] * 4),
    ("journald", ["Sep 16 13:52:15 node7 kafka[812]: "] * 4),
])
def test_a_wrapped_log_is_read_past_its_prefix(tmp_path: Path, wrapper: str, prefixes: list[str]) -> None:
    text = "".join(p + line + "\n" for p, line in zip(prefixes, RECORDS, strict=True))
    con = ingest(tmp_path, "kafka.log", text.encode())
    assert con.sql("SELECT format, wrapper, lines_read, records, lines_rejected FROM sources").fetchall() == [
        ("kafka_log4j", wrapper, 4, 2, 0)]
    assert con.sql("SELECT kind, broker_id FROM broker_events ORDER BY line_start").fetchall() == [
        ("broker_started", 1), ("oom", None)]
    assert con.sql("SELECT line_end FROM records WHERE line_start = 2").fetchall() == [(4,)]


def test_a_paste_indented_as_a_whole_is_read_past_its_indentation(tmp_path: Path) -> None:
    text = "".join("    " + line + "\n" for line in RECORDS)  # the stack trace line keeps its own tab
    con = ingest(tmp_path, "pasted.log", text.encode())
    assert con.sql("SELECT format, wrapper, lines_read, records, lines_rejected FROM sources").fetchall() == [
        ("kafka_log4j", "indented", 4, 2, 0)]
    assert con.sql("SELECT message FROM records WHERE line_start = 2").fetchall() == [
        ("[KafkaApi-1] Unexpected error handling request\njava.lang.OutOfMemoryError: Java heap space\n"
         "\tat java.base/java.util.HashMap.resize(HashMap.java:700)",)]


def test_a_utf16_file_with_its_byte_order_mark_is_read_as_text(tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_LE + "\r\n".join(RECORDS).encode("utf-16-le") + "\r\n".encode("utf-16-le")
    con = ingest(tmp_path, "kafka_logs.txt", data)
    assert con.sql("SELECT format, lines_read, records, lines_rejected FROM sources").fetchall() == [
        ("kafka_log4j", 4, 2, 0)]
    assert con.sql("SELECT logger FROM records ORDER BY line_start").fetchall() == [
        ("kafka.server.KafkaServer",), ("kafka.server.KafkaApis",)]


def test_nul_padding_before_a_record_is_dropped_and_the_record_keeps_its_head(tmp_path: Path) -> None:
    lines = [RECORDS[0].encode(), b"\x00" * 5000 + RECORDS[1].encode(), RECORDS[2].encode()]
    con = ingest(tmp_path, "kafkaServer.out", b"\n".join(lines) + b"\n")
    assert con.sql("SELECT lines_read, records, lines_rejected, lines_bad_bytes FROM sources").fetchall() == [(3, 2, 0, 1)]
    assert con.sql("SELECT line_start, level, logger FROM records ORDER BY line_start").fetchall() == [
        (1, "INFO", "kafka.server.KafkaServer"), (2, "ERROR", "kafka.server.KafkaApis")]


def test_two_gz_files_alike_in_size_head_and_tail_are_both_ingested(tmp_path: Path) -> None:
    """The cheap fingerprint (size, first and last MiB) only hints; the decompressed content decides."""
    import base64
    import gzip
    import random

    rng = random.Random(7)
    noise = "".join(f"[2025-09-16 13:52:15,101] INFO {base64.b64encode(rng.randbytes(90)).decode()} (kafka.log.LogManager)\n"
                    for _ in range(11_000))  # 1.9 MB: the fingerprint reads its first MiB only
    head = gzip.compress(noise.encode(), compresslevel=0)  # > 1 MiB, the same in both files
    host = tmp_path / "kafka-1"
    host.mkdir()
    for name, tail in (("a.log.gz", "first"), ("b.log.gz", "other")):  # same length: same size
        (host / name).write_bytes(head + gzip.compress(f"{RECORDS[0]} {tail}\n".encode()))
    assert quick_fingerprint(host / "a.log.gz") == quick_fingerprint(host / "b.log.gz")
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), str(host))
    assert done.returncode == 0, done.stderr
    assert "already ingested" not in done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("SELECT count(*), count(DISTINCT sha256) FROM sources WHERE status = 'ok'").fetchall() == [(2, 2)]


def test_a_broker_logging_in_json_is_typed_like_the_text_layouts(tmp_path: Path) -> None:
    """log4j's JSONEventLayoutV1 (logstash field names) and ECS, as brokers run by operators write them."""
    lines = [
        '{"@timestamp":"2025-09-16T13:52:15.101Z","source_host":"kafka-1","file":"KafkaServer.scala","method":"info",'
        '"level":"INFO","line_number":"66","thread_name":"main","@version":1,"logger_name":"kafka.server.KafkaServer",'
        '"message":"[KafkaServer id=1] started","class":"kafka.utils.Logging","mdc":{}}',
        '{"@timestamp":"2025-09-16T13:52:16.000Z","log.level":"ERROR","message":"[KafkaApi-1] Unexpected error handling request",'
        '"ecs.version":"1.2.0","process.thread.name":"data-plane-kafka-request-handler-3","log.logger":"kafka.server.KafkaApis",'
        '"error.stack_trace":"java.lang.OutOfMemoryError: Java heap space\\n\\tat java.base/java.util.HashMap.resize(HashMap.java:700)"}',
    ]
    con = ingest(tmp_path, "server.json", ("\n".join(lines) + "\n").encode())
    assert con.sql("SELECT format, family, records, lines_rejected FROM sources").fetchall() == [("json_lines", "broker", 2, 0)]
    assert con.sql("SELECT kind, broker_id, detail FROM broker_events ORDER BY line_start").fetchall() == [
        ("broker_started", 1, "[KafkaServer id=1] started"), ("oom", None, "Java heap space")]


def test_an_empty_file_is_wholly_ingested_not_a_problem_of_coverage(tmp_path: Path) -> None:
    con = ingest(tmp_path, "server.log", b"")
    assert con.sql("SELECT status, note, lines_read FROM sources").fetchall() == [("ok", "empty file", 0)]
    con.close()
    done = run_cli("query", "--db", str(tmp_path / "x.duckdb"), "data_coverage", "--format", "json")
    assert done.returncode == 0
    assert [(row["host"], row["files"], row["files_not_ok"]) for row in json.loads(done.stdout)] == [("kafka-1", 1, 0)]


def test_a_file_that_starts_in_the_middle_of_a_record_says_so_and_reads_on(tmp_path: Path) -> None:
    # a rotated file whose first lines are the end of a stack trace begun in the file before it
    text = "java.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:61)\n" \
           "\t... 12 more\nStarting the broker\n" + "\n".join(RECORDS) + "\n"
    con = ingest(tmp_path, "server.log.1", text.encode())
    assert con.sql("SELECT format, lines_read, records, lines_rejected FROM sources").fetchall() == [
        ("kafka_log4j", 8, 2, 4)]
    mid = "the file starts in the middle of a record: this line continues one whose first line is not in the file"
    assert con.sql("SELECT line_no, reason FROM rejects ORDER BY line_no").fetchall() == [
        (1, mid), (2, mid), (3, mid), (4, "not a kafka_log4j record and no record before it to continue")]
