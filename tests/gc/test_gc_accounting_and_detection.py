"""Every line of every real GC log is in exactly one record or one reject; detection picks the right format."""

from __future__ import annotations

import pytest
from gclog_support import (
    FORMAT_BY_NAME,
    REAL_GC,
    Parsed,
    format_for,
    parse_frame,
    parse_real,
    physical_lines,
    read_lines,
    real_files,
)

from parsers.base import RECORDS_SCHEMA, REJECTS_SCHEMA, FormatRefused, ParseContext
from parsers.gc import FORMATS
from parsers.gc.model import GC_EVENTS_SCHEMA

KEYS = [entry["file"] for entry in real_files()]
IDS = [key.rsplit("/", 1)[-1] for key in KEYS]


def assert_accounted(parsed: Parsed) -> None:
    """lines read == lines in records + lines rejected, records never overlap, nothing counted twice."""
    assert parsed.records.schema == RECORDS_SCHEMA
    assert parsed.rejects.schema == REJECTS_SCHEMA
    assert parsed.events.schema == GC_EVENTS_SCHEMA
    covered: list[int] = []
    for start, end in parsed.records.select("line_start", "line_end").iter_rows():
        assert start <= end
        covered.extend(range(start, end + 1))
    covered.extend(parsed.rejects["line_no"].to_list())
    assert sorted(covered) == list(range(1, parsed.lines + 1))
    assert parsed.rejects["reason"].null_count() == 0


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_every_line_of_every_real_gc_log_is_in_one_record_or_one_reject(key: str) -> None:
    data = (REAL_GC / key).read_bytes()
    parsed = parse_real(key)
    assert parsed.lines == physical_lines(data)
    assert_accounted(parsed)


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_events_do_not_depend_on_where_batches_are_cut(key: str) -> None:
    entry = next(item for item in real_files() if item["file"] == key)
    lines = read_lines(REAL_GC / key)
    ctx = ParseContext(path=key, host="h")
    one_by_one = parse_frame(lines, format_for(entry), ctx, batch_lines=1 if lines.height < 1000 else 13)
    whole = parse_frame(lines, format_for(entry), ctx, batch_lines=1_000_000)
    assert_accounted(one_by_one)
    assert one_by_one.events.sort("line_end", "line_start").equals(whole.events.sort("line_end", "line_start"))
    assert one_by_one.records.equals(whole.records)


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_detection_picks_the_family_of_each_real_gc_log(key: str) -> None:
    entry = next(item for item in real_files() if item["file"] == key)
    head = read_lines(REAL_GC / key)["line"].head(200).to_list()
    scores = {fmt.name: fmt.score(head) for fmt in FORMATS}
    assert max(scores, key=lambda name: scores[name]) == format_for(entry)
    assert scores[format_for(entry)] >= 0.5
    assert sorted(scores.values())[0] == 0.0


J9_XML = """<?xml version="1.0" ?>
<verbosegc xmlns="http://www.ibm.com/j9/verbosegc" version="R28_Java8_SR5_20170906_1004_B363708">
<initialized id="1" timestamp="2017-10-06T10:09:25.487">
  <attribute name="gcPolicy" value="-Xgcpolicy:gencon" />
</initialized>
<exclusive-start id="2" timestamp="2017-10-06T10:09:26.006" intervalms="519.119">
"""


@pytest.mark.parametrize("fmt", FORMATS, ids=[fmt.name for fmt in FORMATS])
def test_ibm_j9_verbose_gc_xml_is_refused_with_a_message_that_says_what_it_is(fmt: object) -> None:
    with pytest.raises(FormatRefused, match=r"line 2: IBM J9 / OpenJ9 verbose GC XML .* not a HotSpot GC log"):
        fmt.score(J9_XML.splitlines())  # type: ignore[attr-defined]


def test_a_j9_file_forced_through_the_parser_is_refused_naming_the_file() -> None:
    with pytest.raises(FormatRefused, match=r"^j9\.log: line 2: IBM J9"):
        FORMAT_BY_NAME["jvm_gc_unified"].parser(ParseContext(path="j9.log", host="h")).parse(
            read_lines(J9_XML.encode())
        )


@pytest.mark.parametrize(
    ("lines", "what"),
    [
        (
            [
                "[INFO ][memory ] GC mode: Garbage collection optimized for throughput",
                "[INFO ][memory ] Heap size: 1024MB",
            ],
            "JRockit",
        ),
        (
            ["gc 1 @0.058s 0%: 0.004+0.27+0.003 ms clock, 0.016+0/0.20/0.50+0.014 ms cpu, 4->4->0 MB, 5 MB goal, 4 P"],
            "Go runtime",
        ),
    ],
)
def test_jrockit_and_go_gc_logs_are_refused(lines: list[str], what: str) -> None:
    for fmt in FORMATS:
        with pytest.raises(FormatRefused, match=what):
            fmt.score(lines)


NOT_GC = {
    "kafka broker": [
        "[2024-03-01 10:15:02,117] INFO [ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] "
        "Truncating partition orders-3 (kafka.server.ReplicaFetcherThread)",
        "[2024-03-01 10:15:02,118] WARN [Controller id=1] Broker 2 is not alive (kafka.controller.KafkaController)",
        "java.io.IOException: Connection reset by peer",
        "\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)",
    ],
    "json lines": ['{"ts": "2024-03-01T10:15:02Z", "level": "INFO", "msg": "GC(1) Pause Young"}', '{"ts": 1}'],
    "csv": ["ts,host,pause_ms", "2024-03-01T10:15:02Z,broker-1,12.5"],
    "logback client": [
        "14:03:11.402 [main] INFO  o.a.k.clients.producer.KafkaProducer - [Producer clientId=p1] Closing"
    ],
    "empty": ["", "   "],
}


@pytest.mark.parametrize("name", list(NOT_GC))
def test_lines_that_are_not_gc_logs_score_zero_for_both_gc_formats(name: str) -> None:
    for fmt in FORMATS:
        assert fmt.score(NOT_GC[name]) == 0.0


def test_each_format_recognises_its_own_sample_line() -> None:
    for fmt in FORMATS:
        assert fmt.family == "gc"
        assert fmt.score([fmt.sample]) >= 0.5
        others = [other for other in FORMATS if other is not fmt]
        assert all(other.score([fmt.sample]) == 0.0 for other in others)
