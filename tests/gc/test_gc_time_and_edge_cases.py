"""Time anchoring, locales, line endings, cut files and rotation headers, on small hand-made logs."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest
from gclog_support import SCHEMA_SQL, parse_frame, parse_text, read_lines

from parsers.base import ParseContext
from parsers.gc.model import GC_EVENTS_SCHEMA


def log(*lines: str) -> str:
    """A log text: one argument per line (long lines as adjacent string literals)."""
    return "".join(line + "\n" for line in lines)


JDK8_WITH_DATESTAMPS_LATER = log(
    "0.900: Total time for which application threads were stopped: 0.0001000 seconds",
    "2022-08-01T17:16:33.170+0000: 1.000: [GC (Allocation Failure) [PSYoungGen: 8678K->1081K(9792K)] "
    "8678K->8064K(31680K), 0.0100000 secs] [Times: user=0.02 sys=0.00, real=0.01 secs]",
)

UNIFIED_UPTIME_ONLY = """\
[0.018s][info][gc] Using G1
[2.500s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 14M->12M(128M) 6.529ms
"""


def _pause(parsed: object) -> dict[str, object]:
    events = parsed.events  # type: ignore[attr-defined]
    return events.filter(pl.col("kind").is_in(["young", "full"])).row(0, named=True)  # type: ignore[no-any-return]


def test_an_uptime_only_line_is_anchored_on_a_date_stamp_elsewhere_in_the_same_file() -> None:
    parsed = parse_text(JDK8_WITH_DATESTAMPS_LATER, "jvm_gc_legacy", batch_lines=10)
    records = parsed.records.sort("line_start")
    assert records["ts_origin"].to_list() == ["anchored:datestamp", "in-line"]
    assert records["ts"][0] == datetime(2022, 8, 1, 17, 16, 33, 70_000, tzinfo=UTC)
    safepoint = parsed.events.filter(pl.col("kind") == "safepoint").row(0, named=True)
    assert (safepoint["ts_origin"], safepoint["ts_end"]) == (
        "anchored:datestamp",
        datetime(2022, 8, 1, 17, 16, 33, 70_000, tzinfo=UTC),
    )


def test_a_date_stamp_in_the_file_wins_over_the_anchor_ingest_gives() -> None:
    ctx = ParseContext(path="gc.log", host="h", anchor=datetime(2001, 1, 1, tzinfo=UTC))
    parsed = parse_text(JDK8_WITH_DATESTAMPS_LATER, "jvm_gc_legacy", ctx, batch_lines=10)
    assert parsed.records.sort("line_start")["ts_origin"].to_list() == ["anchored:datestamp", "in-line"]
    assert _pause(parsed)["ts"] == datetime(2022, 8, 1, 17, 16, 33, 170_000, tzinfo=UTC)


def test_uptime_only_unified_logs_take_wall_clock_time_from_the_jvm_start_anchor() -> None:
    ctx = ParseContext(path="gc.log", host="h", anchor=datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC))
    pause = _pause(parse_text(UNIFIED_UPTIME_ONLY, "jvm_gc_unified", ctx))
    assert pause["ts_origin"] == "anchored:jvm-start"
    assert pause["ts_end"] == datetime(2024, 3, 1, 10, 0, 2, 500_000, tzinfo=UTC)
    assert pause["ts"] == datetime(2024, 3, 1, 10, 0, 2, 493_471, tzinfo=UTC)
    assert pause["uptime_end_s"] == 2.5


def test_uptime_only_logs_without_any_anchor_keep_the_uptime_and_no_timestamp() -> None:
    parsed = parse_text(UNIFIED_UPTIME_ONLY, "jvm_gc_unified")
    assert parsed.records["ts_origin"].unique().to_list() == ["uptime-only"]
    assert parsed.records["ts"].null_count() == 2
    pause = _pause(parsed)
    assert (pause["ts"], pause["ts_origin"], pause["uptime_s"]) == (None, "uptime-only", pytest.approx(2.493471))


def test_decimal_commas_in_uptimes_durations_and_cpu_times_are_read_as_decimals() -> None:
    unified = """\
[1,474s][info][gc,start          ] GC(0) Pause Full (System.gc())
[1,481s][info][gc                ] GC(0) Pause Full (System.gc()) 10M->1M(128M) 6,572ms
[1,481s][info][gc,cpu            ] GC(0) User=0,04s Sys=0,00s Real=0,01s
[1,481s][info][safepoint         ] Total time for which application threads were stopped: 0,0067930 seconds, \
Stopping threads took: 0,0000270 seconds
"""
    parsed = parse_text(unified, "jvm_gc_unified")
    pause = _pause(parsed)
    assert (pause["pause_ms"], pause["uptime_s"], pause["uptime_end_s"], pause["user_s"]) == (6.572, 1.474, 1.481, 0.04)
    assert (pause["heap_before_kb"], pause["heap_after_kb"], pause["heap_capacity_kb"]) == (10240, 1024, 131072)
    safepoint = parsed.events.filter(pl.col("kind") == "safepoint").row(0, named=True)
    assert (safepoint["pause_ms"], safepoint["safepoint_reach_ms"]) == (pytest.approx(6.793), pytest.approx(0.027))
    legacy = "1,319: [GC1,320: [DefNew: 4416K->512K(4928K), 0,0354890 secs] 4416K->1500K(15872K), 0,0355820 secs]\n"
    pause = _pause(parse_text(legacy, "jvm_gc_legacy"))
    assert (pause["uptime_s"], pause["pause_ms"], pause["young_before_kb"], pause["collector"]) == (
        1.319,
        pytest.approx(35.582),
        4416,
        "Serial",
    )


def test_g1_jdk8_decimal_comma_sizes_are_read_in_kib() -> None:
    text = """\
2017-01-01T00:00:00.000+0100: 5,000: [GC pause (G1 Evacuation Pause) (young), 0,1000000 secs]
   [Eden: 2486,0M(2486,0M)->0,0B(320,0M) Survivors: 0,0B->8192,0K Heap: 4982,3M(5704,0M)->2498,4M(5704,0M)]
 [Times: user=0,30 sys=0,01, real=0,10 secs]
"""
    pause = _pause(parse_text(text, "jvm_gc_legacy"))
    assert (pause["heap_before_kb"], pause["heap_after_kb"], pause["heap_capacity_kb"]) == (5101875, 2558362, 5840896)
    assert (pause["line_start"], pause["line_end"], pause["real_s"]) == (1, 3, 0.1)


@pytest.mark.parametrize("format_name", ["jvm_gc_unified", "jvm_gc_legacy"])
def test_crlf_line_endings_give_the_same_records_and_events_as_lf(format_name: str) -> None:
    text = UNIFIED_UPTIME_ONLY if format_name == "jvm_gc_unified" else JDK8_WITH_DATESTAMPS_LATER
    lf = parse_frame(read_lines(text.encode()), format_name)
    crlf = parse_frame(read_lines(text.replace("\n", "\r\n").encode()), format_name)
    assert crlf.records.equals(lf.records)
    assert crlf.events.equals(lf.events)


def test_a_unified_log_cut_mid_line_keeps_what_parses_and_reports_the_pause_as_incomplete() -> None:
    text = (
        "[2022-08-03T06:58:41.313+0000][gc,start    ] GC(0) Pause Young (Normal) (G1 Evacuation Pause)\n"
        "[2022-08-03T06:58:41.321+0000][gc          ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) "
        "615M->23M(12288M) 7,870ms\n"
        "[2022-08-03T06:58:42.313+0000][gc,start    ] GC(1) Pause Young (Normal) (G1 Evacuation Pause)\n"
        "[2022-08-03T06:58:42.321+0000][gc          ] GC(1) Pause Young (Normal) (G1 Evac"
    )
    parsed = parse_text(text, "jvm_gc_unified", batch_lines=2)
    assert parsed.records.height == 4 and parsed.rejects.height == 0
    pauses = parsed.events.sort("line_start").select("gc_id", "complete", "pause_ms").rows()
    assert pauses == [(0, True, 7.87), (1, False, None)]
    cut_mid_decoration = parse_text("[2022-08-03T06:58:41.313+0000][gc] Using G1\n[2022-08-03T06:5", "jvm_gc_unified")
    assert cut_mid_decoration.rejects.select("line_no", "reason").rows() == [
        (2, "truncated or malformed decorations (the file's layout is [time][tags])")
    ]


def test_a_jdk8_log_cut_inside_a_record_keeps_every_line_and_reports_the_event_as_incomplete() -> None:
    text = (
        "2016-03-22T10:02:56.632-0100: 28.066: [GC (Allocation Failure) 2016-03-22T10:02:56.632-0100: 28.066: [ParNew"
        "2016-03-22T10:02:56.650-0100: 28.084: [SoftReference, 0 refs, 0.0000302 secs]"
        "2016-03-22T10:02:56.650-0100: 28.084: "
        "[JNI Weak Reference, 0.0000215 secs]"
    )
    parsed = parse_text(text, "jvm_gc_legacy")
    assert (parsed.records.height, parsed.rejects.height) == (1, 0)
    event = parsed.events.row(0, named=True)
    assert (event["kind"], event["complete"], event["pause_ms"], event["generations"]) == (
        "young",
        False,
        None,
        "ParNew",
    )


ROTATED = """\
2016-04-14 22:37:22 GC log file created logs/garbageCollection.log.1
Java HotSpot(TM) 64-Bit Server VM (25.74-b02) for linux-amd64 JRE (1.8.0_74-b02), built on Jan 29 2016 19:04:04 \
by "java_re" with gcc 4.3.0 20080428 (Red Hat 4.3.0-8)
Memory: 4k page, physical 8010888k(215628k free), swap 0k(0k free)
CommandLine flags: -XX:+PrintGCDetails -XX:+PrintGCTimeStamps -XX:+UseGCLogFileRotation -XX:+UseParallelGC
12.720: [GC (Allocation Failure) [PSYoungGen: 65536K->10746K(76288K)] 65536K->17546K(251392K), 0.0263911 secs] \
[Times: user=0.05 sys=0.01, real=0.03 secs]
"""


def test_a_rotated_jdk8_file_is_anchored_on_its_gc_log_file_created_header() -> None:
    parsed = parse_text(ROTATED, "jvm_gc_legacy", batch_lines=2)
    records = parsed.records.sort("line_start")
    assert records["ts_origin"].to_list() == [
        "assumed:UTC",
        "previous-line",
        "previous-line",
        "previous-line",
        "anchored:file-header",
    ]
    assert records["ts"][0] == records["ts"][4] == datetime(2016, 4, 14, 22, 37, 22, tzinfo=UTC)
    pause = _pause(parsed)
    assert (pause["ts"], pause["ts_origin"], pause["collector"], pause["jvm_version"]) == (
        datetime(2016, 4, 14, 22, 37, 22, tzinfo=UTC),
        "anchored:file-header",
        "Parallel",
        "1.8.0_74-b02",
    )


def test_a_rotation_header_is_read_in_the_zone_the_user_gives() -> None:
    ctx = ParseContext(path="gc.log.1", host="h", tz="Europe/Paris", tz_given=True)
    parsed = parse_text(ROTATED, "jvm_gc_legacy", ctx)
    assert parsed.records.sort("line_start")["ts_origin"][0] == "tz:Europe/Paris"
    assert _pause(parsed)["ts"] == datetime(2016, 4, 14, 20, 37, 22, tzinfo=UTC)


def test_binary_and_torn_lines_in_jdk8_logs_are_rejected_with_their_reason() -> None:
    data = (
        b"1.000: Application time: 0.1 seconds\n\x00\x00\x00\n"
        b"2014-06-16T0,959: Application time: 0,0004470 seconds\nca\xff\xfe\n"
    )
    parsed = parse_frame(read_lines(data), "jvm_gc_legacy")
    assert parsed.records["line_start"].to_list() == [1]
    assert parsed.rejects.select("line_no", "reason").rows() == [
        (2, "binary content or invalid UTF-8 in a JDK 8 GC log line"),
        (3, "torn date stamp (line cut or overwritten mid-stamp)"),
        (4, "binary content or invalid UTF-8 in a JDK 8 GC log line"),
    ]


def test_kafka_time_and_tags_decorations_give_pause_start_end_and_details() -> None:
    text = """\
[2022-08-03T06:58:41.313+0000][gc,start    ] GC(0) Pause Young (Concurrent Start) (G1 Humongous Allocation)
[2022-08-03T06:58:41.321+0000][gc,phases   ] GC(0)   Other: 0,2ms
[2022-08-03T06:58:41.321+0000][gc          ] GC(0) To-space exhausted
[2022-08-03T06:58:41.321+0000][gc,metaspace] GC(0) Metaspace: 19460K(19840K)->19460K(19840K) \
NonClass: 17082K(17280K)->17082K(17280K)
[2022-08-03T06:58:41.321+0000][gc          ] GC(0) Pause Young (Concurrent Start) (G1 Humongous Allocation) \
615M->23M(12288M) 7,870ms
[2022-08-03T06:58:41.321+0000][gc,cpu      ] GC(0) User=0,04s Sys=0,00s Real=0,01s
"""
    for batch_lines in (1, 2, 100):
        events = parse_text(text, "jvm_gc_unified", batch_lines=batch_lines).events
        pause = events.filter(pl.col("stw")).row(0, named=True)
        assert (
            pause["kind"],
            pause["cause"],
            pause["humongous"],
            pause["to_space_exhausted"],
            pause["evacuation_failure"],
        ) == (
            "initial_mark",
            "G1 Humongous Allocation",
            True,
            True,
            True,
        )
        assert (
            pause["line_start"],
            pause["line_end"],
            pause["other_ms"],
            pause["real_s"],
            pause["metaspace_capacity_kb"],
        ) == (1, 5, 0.2, 0.01, 19840)
        assert (pause["ts"], pause["ts_end"], pause["ts_origin"]) == (
            datetime(2022, 8, 3, 6, 58, 41, 313_000, tzinfo=UTC),
            datetime(2022, 8, 3, 6, 58, 41, 321_000, tzinfo=UTC),
            "in-line",
        )
        assert events["kind"].to_list() == ["to_space_exhausted", "initial_mark"]


def test_the_gc_events_ddl_declares_the_parsers_columns_in_order() -> None:
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    described = con.execute("DESCRIBE gc_events").fetchall()
    names = [row[0] for row in described]
    assert names == ["source_id", "host", *GC_EVENTS_SCHEMA]
    duck_types = {pl.Int64(): "BIGINT", pl.Float64(): "DOUBLE", pl.String(): "VARCHAR", pl.Boolean(): "BOOLEAN"}
    for (name, duck_type, *_), polars_type in zip(described[2:], GC_EVENTS_SCHEMA.values(), strict=True):
        assert duck_type == duck_types.get(polars_type, "TIMESTAMP WITH TIME ZONE"), name


@pytest.mark.parametrize(
    ("line", "ts", "uptime_s", "level", "tags", "thread"),
    [
        ("[0,058s] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 1M->1M(4M) 5,780ms", None, 0.058, None, None, None),
        (
            "[233ms][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 1M->1M(4M) 5.780ms",
            None,
            0.233,
            None,
            "gc",
            None,
        ),
        (
            "[1667939849443ms][12787166123ns][4711][4712][info ][gc,start     ] "
            "GC(0) Pause Young (Normal) (G1 Evacuation Pause) 1M->1M(4M) 5.780ms",
            datetime(2022, 11, 8, 20, 37, 29, 443_000, tzinfo=UTC),
            12.787166123,
            "info",
            "gc,start",
            "4712",
        ),
        (
            "[2022-11-10T03:37:29.443-0800][2022-11-10T11:37:29.443+0000][1,474s][debug][gc] "
            "GC(0) Pause Young (Normal) (G1 Evacuation Pause) 1M->1M(4M) 5.780ms",
            datetime(2022, 11, 10, 11, 37, 29, 443_000, tzinfo=UTC),
            1.474,
            "debug",
            "gc",
            None,
        ),
    ],
)
def test_any_subset_of_unified_decorations_is_read(
    line: str, ts: datetime | None, uptime_s: float, level: str | None, tags: str | None, thread: str | None
) -> None:
    parsed = parse_text(line + "\n", "jvm_gc_unified")
    record = parsed.records.row(0, named=True)
    assert (record["ts"], record["level"], record["logger"], record["thread"]) == (ts, level, tags, thread)
    assert record["message"].startswith("GC(0) Pause Young")
    assert parsed.events.row(0, named=True)["uptime_end_s"] == pytest.approx(uptime_s)


def test_non_ascii_text_does_not_shift_the_decorations() -> None:
    text = (
        "[2024-01-01T00:00:00.000+0000][gc] Using G1\n"
        "[2024-01-01T00:00:01.000+0000][gc] GC(0) Allocation Stall (Thread-é-1) 29.092ms\n"
        "[2024-01-01T00:00:02.000+0000][gc,start] GC(1) Pause Young (Normal) (G1 Evacuation Pause)\n"
        "[2024-01-01T00:00:02.010+0000][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 1M->1M(4M) 9.780ms\n"
    )
    parsed = parse_text(text, "jvm_gc_unified")
    assert parsed.records["logger"].to_list() == ["gc", "gc", "gc,start", "gc"]
    assert parsed.records["message"][1] == "GC(0) Allocation Stall (Thread-é-1) 29.092ms"
    stall, pause = parsed.events.sort("line_end").rows(named=True)
    assert (stall["kind"], stall["allocation_stall"], stall["stw"], stall["duration_ms"], stall["name"]) == (
        "stall",
        True,
        False,
        29.092,
        "Allocation Stall (Thread-é-1)",
    )
    assert (pause["line_start"], pause["pause_ms"], pause["ts"]) == (3, 9.78, datetime(2024, 1, 1, 0, 0, 2, tzinfo=UTC))


SERIAL_WITH_STARTS = log(
    "[0.100s][info][gc] Using Serial",
    "[0.200s][info][gc,start] GC(0) Pause Young (Allocation Failure)",
    "[0.210s][info][gc      ] GC(0) Pause Young (Allocation Failure) 25M->23M(92M) 10.000ms",
    "[0.300s][info][gc,start] GC(1) Pause Young (Allocation Failure)",
    "[0.301s][info][gc,start] GC(2) Pause Full (Allocation Failure)",
    "[0.308s][info][gc      ] GC(2) Pause Full (Allocation Failure) 74M->10M(92M) 7.000ms",
    "[0.309s][info][gc      ] GC(1) Pause Young (Allocation Failure) 74M->10M(92M) 9.000ms",
    "[0.309s][info][gc,cpu  ] GC(1) User=0.01s Sys=0.00s Real=0.01s",
    "[0.400s][info][gc,start] GC(3) Pause Full (Ergonomics)",
    "[0.450s][info][gc      ] GC(3) Pause Full (Ergonomics) 62M->61M(92M) 50.000ms",
    "[0.500s][info][gc,start] GC(4) Pause Young (Allocation Failure)",
    "[0.505s][info][gc      ] GC(4) Pause Young (Allocation Failure) 62M->62M(92M) 5.000ms",
    "[0.505s][info][gc,cpu  ] GC(4) User=0.01s Sys=0.00s Real=0.01s",
)


@pytest.mark.parametrize("batch_lines", [1, 2, 3, 4, 5, 100])
def test_pauses_keep_their_start_line_cpu_times_and_nesting_wherever_batches_are_cut(batch_lines: int) -> None:
    events = parse_text(SERIAL_WITH_STARTS, "jvm_gc_unified", batch_lines=batch_lines).events.sort("line_end")
    rows = events.select("gc_id", "kind", "line_start", "line_end", "nested", "complete", "real_s").rows()
    assert rows == [
        (0, "young", 2, 3, False, True, None),
        (2, "full", 5, 6, True, True, None),
        (1, "young", 4, 7, False, True, 0.01),
        (3, "full", 9, 10, False, True, None),
        (4, "young", 11, 12, False, True, 0.01),
    ]
