"""Nothing lost, nothing hidden: every line of every file is in a record or a reject, and the counts add up."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from forensics import reader
from forensics.db import open_for_write
from forensics.discovery import discover
from forensics.ingest import IngestOptions, ingest

HEAD = "[2025-08-28 03:{m:02d}:{s:02d},{ms:03d}] INFO [KafkaServer id=1] message {i} (kafka.server.KafkaServer)"


def broker_lines(n: int) -> list[str]:
    lines = []
    for i in range(n):
        lines.append(HEAD.format(m=i // 60 % 60, s=i % 60, ms=i % 1000, i=i))
        if i % 7 == 0:
            lines += ["java.lang.IllegalStateException: boom", "\tat a.b.C.d(C.java:1)", "\t... 3 more"]
    return lines


def ingest_dir(root: Path, db: Path, **options: object) -> duckdb.DuckDBPyConnection:
    con = open_for_write(db)
    ingest(con, discover((str(root),), []), IngestOptions(**options))  # type: ignore[arg-type]
    return con


def accounting(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    """Per file: (path, lines_read, recounted lines in records, recounted rejects, status)."""
    return con.execute(
        """
        SELECT s.path, s.lines_read,
               (SELECT coalesce(sum(line_end - line_start + 1), 0) FROM records r WHERE r.source_id = s.source_id),
               (SELECT count(*) FROM rejects j WHERE j.source_id = s.source_id),
               s.status
        FROM sources s ORDER BY s.path
        """
    ).fetchall()


def assert_accounts(con: duckdb.DuckDBPyConnection, expected_lines: dict[str, int]) -> None:
    rows = accounting(con)
    assert {Path(r[0]).name: r[1] for r in rows} == expected_lines
    for path, read, in_records, rejected, _status in rows:
        assert read == in_records + rejected, path
    overlaps = con.execute(
        """SELECT count(*) FROM records a JOIN records b ON a.source_id = b.source_id AND a.line_start < b.line_start
           AND b.line_start <= a.line_end"""
    ).fetchall()[0][0]
    assert overlaps == 0


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    """A broker directory with every trap we know of."""
    root = tmp_path / "kafka-1"
    root.mkdir()
    good = broker_lines(200)
    (root / "server.log").write_text("\n".join(good) + "\n", encoding="utf-8")
    # bad bytes, NUL, CRLF, a lone CR, a malformed head, an invalid time, no newline at the end
    raw = b"\n".join([
        b"\tat orphan.Frame(Before.java:1)",
        HEAD.format(m=1, s=2, ms=3, i=1).encode() + b"\r",
        b"caf\xe9 latin-1 continuation",
        b"\xff\xfe garbage",
        b"nul\x00byte",
        HEAD.format(m=1, s=3, ms=4, i=2).encode() + b" lone\rcr",
        b"[2025-08-28 03:01:0 INFO cut head (kafka.server.KafkaServer)",
        b"\tat follows.Malformed(X.java:2)",
        b"[2025-13-45 03:01:05,000] INFO impossible date (kafka.server.KafkaServer)",
        HEAD.format(m=1, s=6, ms=5, i=3).encode(),
    ])
    (root / "server.log.2025-08-28-02").write_bytes(raw)
    with gzip.open(root / "server.log.2025-08-28-01.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(good[:50]) + "\n")
    (root / "empty.log").write_bytes(b"")
    (root / "binary.bin").write_bytes(bytes(range(256)) * 8)
    full = gzip.compress(("\n".join(good) + "\n").encode())
    (root / "server.log.2025-08-28-00.gz").write_bytes(full[: len(full) // 2])  # truncated while copying
    return root


def test_every_line_of_broken_files_is_in_a_record_or_a_reject(broken_dir: Path, db_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "BATCH_BYTES", 4096)  # many batches: records carried across them
    con = ingest_dir(broken_dir, db_path)
    rows = {Path(r[0]).name: r for r in accounting(con)}
    assert rows["server.log"][1] == len(broker_lines(200))
    assert rows["server.log.2025-08-28-02"][1] == 10
    assert rows["server.log.2025-08-28-01.gz"][1] == len(broker_lines(200)[:50])
    assert rows["empty.log"][1] == 0
    for name, (_p, read, in_records, rejected, _s) in rows.items():
        assert read == in_records + rejected, name
    assert rows["binary.bin"][4] == "unrecognised"
    assert rows["server.log.2025-08-28-00.gz"][4] == "error"


def test_rejects_say_why_with_file_and_line(broken_dir: Path, db_path: Path) -> None:
    con = ingest_dir(broken_dir, db_path)
    rejects = con.execute(
        """SELECT j.line_no, j.reason FROM rejects j JOIN sources s USING (source_id)
           WHERE s.path LIKE '%server.log.2025-08-28-02' ORDER BY line_no"""
    ).fetchall()
    assert rejects == [
        (1, "the file starts in the middle of a record: this line continues one whose first line is not in the file"),
        (7, "starts like a kafka_log4j record but does not match its layout"),
        (8, "continues a rejected line"),
        (9, "invalid time '2025-13-45 03:01:05,000' in a kafka_log4j record"),
    ]
    records = con.execute(
        """SELECT line_start, line_end, message FROM records JOIN sources s USING (source_id)
           WHERE s.path LIKE '%server.log.2025-08-28-02' ORDER BY line_start"""
    ).fetchall()
    assert [(r[0], r[1]) for r in records] == [(2, 5), (6, 6), (10, 10)]
    assert "caf\ufffd latin-1 continuation" in records[0][2]
    assert records[1][2].endswith("lone\rcr")
    bad = con.execute("SELECT lines_bad_bytes FROM sources WHERE path LIKE '%-02'").fetchall()[0][0]
    assert bad == 3


def test_a_truncated_gzip_keeps_what_was_read_and_says_where_it_stopped(broken_dir: Path, db_path: Path) -> None:
    con = ingest_dir(broken_dir, db_path)
    status, note, read, records = con.execute(
        "SELECT status, note, lines_read, records FROM sources WHERE path LIKE '%-00.gz'"
    ).fetchall()[0]
    assert status == "error" and note.startswith("stopped reading after")
    assert 0 < records and read > 0


def test_ingesting_the_same_content_twice_adds_nothing(broken_dir: Path, db_path: Path) -> None:
    con = ingest_dir(broken_dir, db_path)
    counts = "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM records), (SELECT count(*) FROM rejects)"
    before = con.execute(counts).fetchall()
    again = ingest(con, discover((str(broken_dir),), []), IngestOptions())
    # files wholly in are skipped; the two that failed (binary, a truncated .gz) are tried again, their old rows replaced
    assert sorted(r.status for r in again if r.status != "duplicate") == ["error", "unrecognised"]
    assert sum(r.status == "duplicate" for r in again) == len(again) - 2
    assert con.execute(counts).fetchall() == before


def test_an_interrupted_ingest_leaves_no_part_of_the_file(tmp_path: Path, db_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kafka-2"
    root.mkdir()
    (root / "server.log").write_text("\n".join(broker_lines(3000)) + "\n", encoding="utf-8")
    monkeypatch.setattr(reader, "BATCH_BYTES", 8192)
    calls = {"n": 0}
    real = reader.read_batches

    def interrupted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for batch in real(*args, **kwargs):  # type: ignore[arg-type]
            calls["n"] += 1
            if calls["n"] == 5:
                raise KeyboardInterrupt
            yield batch

    monkeypatch.setattr(reader, "read_batches", interrupted)
    con = open_for_write(db_path)
    with pytest.raises(KeyboardInterrupt):
        ingest(con, discover((str(root),), []), IngestOptions())
    assert con.execute("SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM records)").fetchall() == [(0, 0)]
    monkeypatch.setattr(reader, "read_batches", real)
    ingest(con, discover((str(root),), []), IngestOptions())
    assert_accounts(con, {"server.log": len(broker_lines(3000))})


def test_records_split_across_batches_come_out_whole(tmp_path: Path, db_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kafka-3"
    root.mkdir()
    lines = broker_lines(500)
    (root / "server.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(reader, "BATCH_BYTES", 1000)
    small = ingest_dir(root, db_path).execute("SELECT line_start, line_end, message FROM records ORDER BY 1").fetchall()
    monkeypatch.setattr(reader, "BATCH_BYTES", 1 << 24)
    big = ingest_dir(root, db_path.with_name("big.duckdb")).execute(
        "SELECT line_start, line_end, message FROM records ORDER BY 1").fetchall()
    assert small == big
    assert len(big) == 500
    assert big[0][2].endswith("\t... 3 more")
