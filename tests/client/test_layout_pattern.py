"""--layout: a logback / log4j2 pattern becomes a parser; lines it writes read back exactly; unknown words are named."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from parsers.base import ParseContext
from parsers.client.pattern import LayoutPatternError, UserLayout, compile_layout, render, tokenize
from parsers.registry import all_formats, detect, parse_lines
from tests.conftest import run_cli

WHEN = datetime(2025, 8, 28, 3, 53, 7, 412000, tzinfo=UTC)
VALUES = {
    "level": "WARN", "thread": "kafka-producer-network-thread | producer-41", "logger": "org.apache.kafka.clients.NetworkClient",
    "message": "[Producer clientId=producer-41] Connection to node 3 (kafka-3/10.20.1.13:9092) could not be established. Node may not be available.",
}


def written(pattern: str, values: dict[str, str] = VALUES, when: datetime = WHEN) -> str:
    """A line as the pattern's framework writes it."""
    elements = [e for e in tokenize(pattern)]
    date = next((e for e in elements if e.kind == "date"), None)
    from parsers.client.pattern import _date  # the strftime of the pattern's %d

    return render(elements, _date(date)[2] if date else "", values, when)


@pytest.mark.parametrize(("pattern", "logger", "thread"), [
    ("%d{ISO8601} [%t] %-5p %c{1} - %m%n", "NetworkClient", VALUES["thread"]),
    ("%d{yyyy-MM-dd HH:mm:ss.SSS} %5p ${PID:- } --- [%15.15t] %-40.40logger{39} : %m%n%wEx",
     "org.apache.kafka.clients.NetworkClient", "d | producer-41"),
    ("%date{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger %X{traceId} - %msg%n",
     "org.apache.kafka.clients.NetworkClient", VALUES["thread"]),
    ("%d %p %c:%L - %m%n", "org.apache.kafka.clients.NetworkClient", None),
    ("%d{dd MMM yyyy HH:mm:ss,SSS} %t %p %c - %m%n", "org.apache.kafka.clients.NetworkClient", VALUES["thread"]),
    ("[%d] %p %m (%c)%n", "org.apache.kafka.clients.NetworkClient", None),
])
def test_a_line_written_with_a_pattern_reads_back_exactly(pattern: str, logger: str, thread: str | None) -> None:
    spec = compile_layout(pattern)
    records, rejects = parse_lines(UserLayout(spec), [written(pattern), "java.io.IOException: refused", "\tat x.Y.z(Y.java:1)"])
    assert rejects.height == 0
    record = records.row(0, named=True)
    assert (record["ts"], record["level"], record["logger"], record["thread"], record["line_end"]) == (
        WHEN, "WARN", logger, thread, 3)
    assert record["message"] == VALUES["message"] + "\njava.io.IOException: refused\n\tat x.Y.z(Y.java:1)"


def test_a_pattern_with_an_offset_gives_in_line_times_and_one_without_a_date_gives_dated_times_of_day() -> None:
    assert compile_layout("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %p %m%n").zone == "in-line"
    spec = compile_layout("%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n")
    assert spec.clock == "time-of-day"
    lines = [written("%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n")]
    records, _ = parse_lines(UserLayout(spec), lines, ParseContext("app-2025-08-28.log", "h"))
    assert records["ts"].to_list() == [WHEN]


@pytest.mark.parametrize(("pattern", "named"), [
    ("%d %highlight(%-5p) %m%n", "%highlight"),
    ("%d %p %marker %m%n", "%marker"),
    ("%d{ISO8601}{UTC} %p %m%n", "a time zone option"),
    ("%d{yyyy-MM-dd HH:mm:ss z} %p %m%n", "'z'"),
    ("%d %p [%t]%n", "no message"),
])
def test_an_unsupported_conversion_is_refused_naming_it(pattern: str, named: str) -> None:
    with pytest.raises(LayoutPatternError, match=named.replace("(", r"\(")):
        compile_layout(pattern)


def test_the_user_layout_joins_detection_and_wins_a_tie_with_a_built_in_layout() -> None:
    kafka_lines = [written("[%d] %p %m (%c)%n")] * 3
    assert detect(kafka_lines).name == "kafka_log4j"  # type: ignore[union-attr]
    user = UserLayout(compile_layout("[%d] %p %m (%c)%n"))
    assert detect(kafka_lines, (*all_formats(), user)) is user
    assert user.family == "client"


def test_format_layout_forces_the_pattern_on_every_file(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "app.log").write_text(written("[%d] %p %m (%c)%n") + "\n", encoding="utf-8")
    done = run_cli("ingest", "--db", str(tmp_path / "x.duckdb"), "--layout", "[%d] %p %m (%c)%n", "--format", "layout",
                   str(tmp_path / "svc"))
    assert done.returncode == 0, done.stderr
    assert "[layout]" in done.stderr and "1 records  0 rejected" in done.stderr


def test_forensics_ingest_with_layout_reads_a_custom_layout_and_its_producer_events(tmp_path: Path) -> None:
    pattern = "%d{yyyy-MM-dd HH:mm:ss,SSS} |%-5p| %t | %c{1} | %m%n"
    lines = [
        written(pattern, {**VALUES, "level": "INFO", "logger": "org.apache.kafka.clients.producer.KafkaProducer",
                          "message": "[Producer clientId=producer-41] Instantiated an idempotent producer."}),
        written(pattern, {**VALUES, "level": "INFO", "message": "[Producer clientId=producer-41] ProducerId set to 7 with epoch 0"},
                datetime(2025, 8, 28, 3, 53, 8, tzinfo=UTC)),
    ]
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "app.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    done = run_cli("ingest", "--db", str(db), "--layout", pattern, str(tmp_path / "svc"))
    assert done.returncode == 0, done.stderr
    assert "[layout]" in done.stderr and "2 records  0 rejected  2 events" in done.stderr
    rows = run_cli("sql", "--db", str(db), "--format", "csv",
                   "SELECT host, client_id, created_at, producer_id FROM producers")
    assert rows.stdout.splitlines()[1:] == ["svc,producer-41,2025-08-28T03:53:07.412000Z,7"]


def test_forensics_ingest_with_an_unsupported_conversion_exits_2_naming_it(tmp_path: Path) -> None:
    done = run_cli("ingest", "--db", str(tmp_path / "x.duckdb"), "--layout", "%d %clr(%p) %m%n", str(tmp_path))
    assert done.returncode == 2
    assert "conversion word %clr is not supported" in done.stderr
