"""A corpus of bad input, made here from a seed: whatever the bytes, ingest exits cleanly, names what it could
not read, and every line of every file is in a record or a reject (lines read = the file's line count)."""

from __future__ import annotations

import codecs
import gzip
import random
import threading
import time
from pathlib import Path

import duckdb

from forensics import reader
from tests.conftest import run_cli

HEAD = "[2025-08-28 14:{m:02d}:{s:02d},000] {level} [Partition t-{m} broker=1] line {n} (kafka.cluster.Partition)"


def log4j(n: int) -> list[str]:
    return [HEAD.format(m=i % 60, s=i % 60, level="INFO", n=i) for i in range(n)]


def bad_inputs(root: Path) -> None:
    chance = random.Random(1408)
    host = root / "kafka-1"
    host.mkdir(parents=True)
    (host / "random.bin").write_bytes(bytes(chance.randrange(256) for _ in range(50_000)))
    (host / "random-lines.log").write_bytes(b"\n".join(bytes(chance.randrange(1, 256) for _ in range(chance.randrange(90)))
                                                       for _ in range(500)))
    mixed = [line.encode("utf-8") if i % 2 else (line + " café").encode("latin-1") for i, line in enumerate(log4j(200))]
    (host / "mixed-encodings.log").write_bytes(b"\n".join(mixed) + b"\n")
    (host / "cr-only.log").write_bytes("\r".join(log4j(100)).encode() + b"\r")
    json = [f'{{"@timestamp":"2025-08-28T14:{i % 60:02d}:00Z","level":"INFO","logger_name":"x","message":"m {i}"}}'
            for i in range(100)]
    (host / "interleaved.log").write_text("\n".join(a for pair in zip(log4j(100), json, strict=True) for a in pair) + "\n")
    (host / "nul-and-blank.log").write_bytes(b"\x00" * 5000 + b"\n" * 3000 + "\n".join(log4j(10)).encode() + b"\n\x00\x00")
    (host / "bom-utf8.log").write_bytes(codecs.BOM_UTF8 + "\n".join(log4j(50)).encode() + b"\n")
    (host / "utf16-no-bom.log").write_bytes("\n".join(log4j(50)).encode("utf-16-le"))
    (host / "gz-garbage.log.gz").write_bytes(gzip.compress("\n".join(log4j(100)).encode()) + b"garbage after the end")
    (host / "only-continuations.log").write_text("\tat a.B(C.java:1)\n" * 300)
    (host / "empty.log").write_bytes(b"")


def physical_lines(path: Path) -> int:
    with reader.open_bytes(path) as fh:
        try:
            data = fh.read()
        except Exception:  # noqa: BLE001 (what the reader could not read is not counted either)
            return -1
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def test_a_corpus_of_bad_input_is_read_to_the_last_line_without_a_traceback(tmp_path: Path) -> None:
    root, db = tmp_path / "logs", tmp_path / "x.duckdb"
    bad_inputs(root)
    done = run_cli("ingest", "--db", str(db), str(root))
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql("""SELECT path, sum(lines_read), sum(lines_in_records), sum(lines_rejected), string_agg(status, ',')
                          FROM sources GROUP BY path""").fetchall()
    by_name = {Path(path).name: (read, in_records, rejected, status) for path, read, in_records, rejected, status in rows}
    assert set(by_name) == {p.name for p in (root / "kafka-1").iterdir()}  # every file has its row
    for name, (read, in_records, rejected, status) in by_name.items():
        assert in_records + rejected == read, name
        expected = physical_lines(root / "kafka-1" / name)
        if expected >= 0 and status != "error":
            assert read == expected, (name, read, expected)
    assert by_name["mixed-encodings.log"][1] == 200  # latin-1 bytes kept as U+FFFD, every line a record
    # two formats line by line fit both equally: kept as unrecognised, the message says to choose with --format
    assert by_name["interleaved.log"][1:] == (0, 200, "unrecognised")
    assert "fits kafka_log4j and json_lines equally well; choose one with --format" in done.stderr
    assert by_name["bom-utf8.log"][1] == 50 and by_name["cr-only.log"][0] == 1


def test_a_file_that_grows_while_it_is_read_is_accounted_for_as_far_as_it_was_read(tmp_path: Path) -> None:
    host, db = tmp_path / "kafka-1", tmp_path / "x.duckdb"
    host.mkdir()
    log = host / "server.log"
    log.write_text("\n".join(log4j(200_000)) + "\n")
    stop = threading.Event()

    def grow() -> None:
        with log.open("a") as fh:
            while not stop.is_set():
                fh.write("\n".join(log4j(500)) + "\n")
                fh.flush()
                time.sleep(0.01)

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        done = run_cli("ingest", "--db", str(db), str(host))
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        [(read, in_records, rejected, status)] = con.sql(
            "SELECT lines_read, lines_in_records, lines_rejected, status FROM sources").fetchall()
    assert status == "ok" and in_records + rejected == read and read >= 200_000
