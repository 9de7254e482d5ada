"""Every real GC log beside expected.json, every figure its peer asserts, recomputed from our parse.

The peer's definition is applied to our output (``gclog_peers``); the assertion's value and
tolerance are used as they are. Where our own definition differs by design, the
reconciliation tests below show, in numbers, how our figure becomes the peer's.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from gclog_peers import (
    STOPPED,
    garbagecat_blocking,
    garbagecat_event_types,
    garbagecat_heap_after,
    gctoolkit_logged_time,
    gctoolkit_type,
    micros,
    safepoint_nanos,
    viewer_events,
    viewer_generation,
    viewer_model,
    viewer_post_concurrent_cycle,
    viewer_throughput,
    viewer_total_pause,
)
from gclog_support import REAL_GC, Parsed, parse_real, query_db, real_files, run_query

FIELD_TOLERANCE = 1e-9


def _viewer_event_fields(parsed: Parsed, event_index: int | str, wanted: dict[str, Any]) -> dict[str, Any]:
    events = viewer_events(viewer_model(parsed))
    event = events[-1] if event_index == "last" else events[int(event_index)]
    return _fields_of(event, events, wanted)


def _fields_of(event: Any, events: list[Any], wanted: dict[str, Any]) -> dict[str, Any]:
    row = event.row
    first_phase: dict[int, Any] = {}
    for other in events:
        if other.cls == "concurrent" and other.row.get("gc_id") is not None:
            first_phase.setdefault(other.row["gc_id"], other)
    values = {
        "index": wanted.get("index"),
        "type": event.type,
        "pause_s": event.pause_s,
        "heap_before_k": row.get("heap_before_kb"),
        "heap_after_k": row.get("heap_after_kb"),
        "heap_total_k": row.get("heap_capacity_kb"),
        "is_full": event.cls == "full",
        "generation": viewer_generation(row),
        "isInitialMark": row.get("kind") == "initial_mark",
        "isRemark": row.get("kind") == "remark",
        "isSystem": row.get("cause") == "System.gc()",
        "timestamp_s": event.timestamp,
        "isConcurrentCollectionStart": first_phase.get(row.get("gc_id")) is event,
    }
    return {key: values[key] for key in wanted}


def gcviewer_figure(parsed: Parsed, metric: str, value: Any) -> Any:
    model = viewer_model(parsed)
    events = viewer_events(model)
    by_class = {cls: [event for event in events if event.cls == cls] for cls in ("gc", "full", "concurrent", "vmop")}
    if metric == "model.size":
        return len(events)
    if metric in ("gc_pause_count", "full_gc_count", "vm_operation_count"):
        return len(by_class[{"gc_pause_count": "gc", "full_gc_count": "full", "vm_operation_count": "vmop"}[metric]])
    if metric in ("gc_pause_type_count", "full_gc_type_count"):
        return len({event.type for event in by_class["gc" if metric.startswith("gc") else "full"]})
    if metric == "concurrent_type_count":
        return len({event.type for event in by_class["concurrent"] if event.pause_s > 0})
    if metric == "gc_phase_type_count":
        return len({event.type for event in model if event.cls == "phase"})
    if metric == "total_pause_s":
        return viewer_total_pause(model)
    if metric in ("gc_pause_sum_s", "full_gc_pause_sum_s"):
        return sum(event.pause_s for event in by_class["gc" if metric.startswith("gc") else "full"])
    if metric == "throughput_pct":
        return viewer_throughput(model)
    if metric == "parse_warnings":
        return parsed.rejects.height
    if metric in ("concurrent_start_index", "concurrent_end_index"):
        starts = metric == "concurrent_start_index"
        return next(i for i, event in enumerate(events) if event.cls == "concurrent" and (event.pause_s == 0) == starts)
    if metric == "concurrent_cycle_duration_s":
        return by_class["concurrent"][1].pause_s
    if metric == "event":
        return _viewer_event_fields(parsed, value["index"], value)
    if metric == "event_full":
        return _fields_of(by_class["full"][0], events, value)
    if metric == "event0.metaspace_k":
        row = events[0].row
        return {
            "before": row["metaspace_before_kb"],
            "after": row["metaspace_after_kb"],
            "total": row["metaspace_capacity_kb"],
        }
    if metric.startswith("event") and "." in metric:
        index, field_name = metric[len("event") :].split(".", 1)
        return _fields_of(events[int(index)], events, {field_name: None})[field_name]
    if metric.startswith("event"):
        return _fields_of(events[int(metric[len("event") :])], events, value)
    if metric.startswith(("phase.", "concurrent.")):
        cls, type_name = metric.removesuffix("_s").split(".", 1)
        return next(
            event.pause_s
            for event in model
            if event.cls == cls and event.type == type_name and (cls == "phase" or event.pause_s)
        )
    if metric.startswith("post_concurrent_cycle_"):
        tenured, heap = viewer_post_concurrent_cycle(model)
        return tenured if "tenured" in metric else heap
    raise AssertionError(f"no GCViewer definition for {metric}")


def garbagecat_figure(parsed: Parsed, metric: str, value: Any) -> Any:
    blocking = garbagecat_blocking(parsed)
    rows = parsed.events.to_dicts()
    nonblocking = [row for row in rows if row["kind"] in ("cycle", "concurrent")]
    safepoints = [safepoint_nanos(row) for row in rows if row["kind"] == "safepoint"]
    if metric == "unknown_lines":
        return parsed.rejects.height
    if metric == "event_types":
        return sorted(garbagecat_event_types(parsed))
    if metric == "event_type_count":
        return len(garbagecat_event_types(parsed))
    if metric == "new_ratio":
        return round(
            max(r["old_capacity_kb"] or 0 for r in blocking) / max(r["young_capacity_kb"] or 0 for r in blocking)
        )
    if metric in ("max_pause_us", "total_pause_us"):
        values = [micros(row["pause_ms"]) for row in blocking]
        return max(values) if metric == "max_pause_us" else sum(values)
    if metric == "max_heap_after_gc_k":
        return max(garbagecat_heap_after(row) for row in blocking)
    if metric in ("unified_safepoint_time_max_ns", "unified_safepoint_time_total_ns"):
        return max(safepoints) if metric.endswith("max_ns") else sum(safepoints)
    if metric in ("safepoint_summary_max_us", "safepoint_summary_total_us"):
        return max(safepoints) // 1000 if metric.endswith("max_us") else sum(nanos // 1000 for nanos in safepoints)
    columns = {
        "max_young_space_k": "young_capacity_kb",
        "max_old_space_k": "old_capacity_kb",
        "max_heap_k": "heap_capacity_kb",
        "max_heap_occupancy_k": "heap_before_kb",
        "max_perm_k": "metaspace_capacity_kb",
        "max_perm_occupancy_k": "metaspace_before_kb",
        "max_perm_after_gc_k": "metaspace_after_kb",
        "max_metaspace_k": "metaspace_capacity_kb",
        "max_metaspace_occupancy_k": "metaspace_before_kb",
        "max_metaspace_after_gc_k": "metaspace_after_kb",
        "max_heap_after_gc_nonblocking_k": "heap_after_kb",
        "max_heap_nonblocking_k": "heap_capacity_kb",
        "max_heap_occupancy_nonblocking_k": "heap_before_kb",
        "max_metaspace_nonblocking_k": "metaspace_capacity_kb",
        "max_metaspace_occupancy_nonblocking_k": "metaspace_before_kb",
        "max_metaspace_after_gc_nonblocking_k": "metaspace_after_kb",
    }
    if metric in columns:
        pool = nonblocking if metric.endswith("_nonblocking_k") else blocking
        return max(row[columns[metric]] for row in pool if row[columns[metric]] is not None)
    raise AssertionError(f"no garbagecat definition for {metric}")


def gctoolkit_figure(parsed: Parsed, metric: str, value: Any) -> Any:
    rows = parsed.events.to_dicts()
    first_ms = int(min(gctoolkit_logged_time(row) for row in rows) * 1000)
    last_ms = int(max(row["uptime_end_s"] for row in rows) * 1000)
    counts = {
        "time_of_first_event_ms": first_ms,
        "termination_time_ms": last_ms,
        "estimated_runtime_ms": last_ms - first_ms,
        # Our uptimes are seconds since JVM start: on that axis the JVM started at 0.
        "estimated_jvm_start_ms": 0 if all(row["uptime_s"] is not None for row in rows) else None,
        "cms_initial_mark_count": sum(1 for row in rows if row["kind"] == "initial_mark"),
        "cms_remark_count": sum(1 for row in rows if row["kind"] == "remark"),
        "cms_concurrent_phase_count": sum(
            1 for row in rows if row["kind"] == "concurrent" and row["duration_ms"] is not None
        ),
    }
    types = [gctoolkit_type(row) for row in rows if gctoolkit_type(row)]
    if metric == "distinct_types":
        return len(set(types))
    if metric.startswith("count."):
        return types.count(metric.removeprefix("count."))
    return counts[metric]


FIGURES = {"GCViewer": gcviewer_figure, "garbagecat": garbagecat_figure, "gctoolkit": gctoolkit_figure}


def _tolerance(assertion: dict[str, Any]) -> float:
    tolerance = assertion.get("tolerance")
    if isinstance(tolerance, int | float):
        return float(tolerance)
    if isinstance(tolerance, str) and "+-" in tolerance:
        return float(tolerance.split("+-", 1)[1].split()[0])
    return FIELD_TOLERANCE


def assert_same(ours: Any, theirs: Any, tolerance: float, where: str) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        for key, expected_value in theirs.items():
            field_tolerance = tolerance if key == "pause_s" else FIELD_TOLERANCE
            assert_same(ours[key], expected_value, field_tolerance, f"{where}.{key}")
    elif isinstance(theirs, list):
        assert sorted(ours) == sorted(theirs), where
    elif isinstance(theirs, float) and not isinstance(theirs, bool):
        assert ours is not None and math.isclose(ours, theirs, rel_tol=0, abs_tol=tolerance), (
            f"{where}: ours {ours!r}, theirs {theirs!r}"
        )
    else:
        assert ours == theirs, f"{where}: ours {ours!r}, theirs {theirs!r}"


CASES = [(entry["file"], index) for entry in real_files() for index in range(len(entry["assertions"]))]


def _case_id(case: tuple[str, int]) -> str:
    key, index = case
    entry = next(item for item in real_files() if item["file"] == key)
    return f"{Path(key).name}:{entry['assertions'][index]['metric']}#{index}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_each_peer_assertion_holds_for_our_parse_under_that_peers_definition(case: tuple[str, int]) -> None:
    key, index = case
    entry = next(item for item in real_files() if item["file"] == key)
    assertion = entry["assertions"][index]
    ours = FIGURES[entry["peer"]](parse_real(key), assertion["metric"], assertion["value"])
    assert_same(ours, assertion["value"], _tolerance(assertion), f"{key} {assertion['metric']}")


def test_no_real_gc_log_is_left_out_of_the_comparison() -> None:
    on_disk = {str(path.relative_to(REAL_GC)) for path in REAL_GC.rglob("*") if path.is_file()} - {
        "MANIFEST.md",
        "expected.json",
    }
    covered = {entry["file"] for entry in real_files()}
    assert on_disk == covered
    assert all(entry["assertions"] for entry in real_files())


# --- reconciliations: where our definition differs from the peer's by design -------------------------------


def _summary(key: str) -> dict[str, Any]:
    rows = run_query(query_db(parse_real(key).events, [(1, key, "h")]), "gc_summary")
    assert len(rows) == 1
    return rows[0]


def _pauses(key: str) -> list[dict[str, Any]]:
    return [row for row in parse_real(key).events.to_dicts() if row["stw"] and row["kind"] != "safepoint"]


UJL = "chewiebug_GCViewer/src/test/resources/openjdk/unified-jvm-logging/"


def test_gcviewer_counts_g1_to_space_markers_as_pauses_and_we_flag_the_pause_instead() -> None:
    key = UJL + "sample-ujl-g1-gc-defaults.txt"
    summary = _summary(key)
    markers = [row for row in parse_real(key).events.to_dicts() if row["kind"] == "to_space_exhausted"]
    flagged = [row for row in _pauses(key) if row["to_space_exhausted"]]
    assert (summary["pause_count"], summary["full_gc_count"], len(markers), len(flagged)) == (10, 1, 3, 3)
    # GCViewer gc_pause_count 12 = our 10 pauses - 1 Full GC + 3 To-space exhausted markers.
    assert summary["pause_count"] - summary["full_gc_count"] + len(markers) == 12
    assert summary["pause_total_ms"] == pytest.approx(38.15)


def test_serial_full_gc_inside_a_young_pause_is_counted_once_where_gcviewer_counts_it_twice() -> None:
    key = UJL + "sample-ujl-serial-gc-defaults.txt"
    summary = _summary(key)
    nested = [row["pause_ms"] for row in _pauses(key) if row["nested"]]
    assert (summary["pause_count"], summary["full_gc_count"], len(nested)) == (8, 3, 3)
    # GCViewer: 8 young + 3 full = 11 events, 83.938 ms; ours: 8 pauses, 66.124 ms + 17.814 ms nested inside them.
    assert summary["pause_total_ms"] == pytest.approx(66.124)
    assert summary["pause_total_ms"] + sum(nested) == pytest.approx(83.938)


def test_gcviewer_total_pause_is_our_pauses_plus_nested_scavenge_plus_safepoint_overhead() -> None:
    key = "chewiebug_GCViewer/src/test/resources/openjdk/SampleSun1_7_0_51_CMS_PrintApplStoppedTime_TenuringDist.txt"
    summary = _summary(key)
    model = viewer_model(parse_real(key))
    overhead = sum(event.pause_s for event in model if event.cls == "vmop")
    nested = sum(row["pause_ms"] for row in _pauses(key) if row["nested"])
    assert summary["pause_total_ms"] == pytest.approx(47.8822)
    assert (nested, overhead * 1000) == (pytest.approx(0.231), pytest.approx(0.7365))
    assert summary["pause_total_ms"] + nested + overhead * 1000 == pytest.approx(48.8497)
    assert summary["safepoint_total_ms"] == pytest.approx(32.0233 + 0.3183 + 1.8196 + 14.4575)
    # Throughput: GCViewer divides all stopped time (48.8497 ms) by its running time, last event - first event +
    # last pause = 0.3732498 - 0.304 + 0.0002077 s = 69.4575 ms of uptime, and gets 29.67 %. We divide our GC
    # pauses by the wall-clock span of the file's events: from the first safepoint's start (15:27:23.486 minus
    # its 32.0233 ms) to the last one's end (15:27:23.526) = 72.0233 ms (date stamps have ms resolution).
    assert viewer_throughput(model) == pytest.approx(100 * (69.4575 - 48.8497) / 69.4575, abs=1e-4)
    assert summary["span_ms"] == pytest.approx(72.0233, abs=1e-3)  # timestamps have microsecond resolution
    assert summary["throughput_pct"] == pytest.approx(100 * (1 - 47.8822 / 72.0233), abs=1e-3)


def test_garbagecat_truncates_each_pause_to_whole_microseconds() -> None:
    for key, ours_ms, theirs_us in (
        ("mgm3746_garbagecat/src/test/resources/data/dataset2.txt", 1283.3701, 1283369),
        ("mgm3746_garbagecat/src/test/resources/data/dataset1.txt", 5615.4019, 5615401),
    ):
        summary = _summary(key)
        assert summary["pause_total_ms"] == pytest.approx(ours_ms)
        assert sum(micros(row["pause_ms"]) for row in _pauses(key)) == theirs_us
        assert ours_ms * 1000 - theirs_us < len(_pauses(key))


def test_garbagecat_heap_after_gc_is_young_plus_old_where_we_keep_the_logged_total() -> None:
    key = "mgm3746_garbagecat/src/test/resources/data/dataset1.txt"
    full = [row for row in _pauses(key) if row["kind"] == "full"][0]
    assert (full["heap_after_kb"], full["young_after_kb"], full["old_after_kb"]) == (792467, 6035, 786431)
    assert garbagecat_heap_after(full) == 792466 == full["heap_after_kb"] - 1


def test_garbagecat_safepoint_summary_truncates_each_safepoint_to_microseconds() -> None:
    key = "mgm3746_garbagecat/src/test/resources/data/dataset280.txt"
    summary = _summary(key)
    assert (summary["safepoint_count"], summary["safepoint_total_ms"], summary["pause_count"]) == (10, 19.464321, 0)
    nanos = [safepoint_nanos(row) for row in parse_real(key).events.to_dicts()]
    assert (sum(nanos), sum(n // 1000 for n in nanos)) == (19464321, 19458)


def test_zgc_pauses_are_the_three_phase_pauses_gcviewer_folds_into_one_cycle() -> None:
    key = UJL + "sample-ujl-zgc-gc-all.txt"
    summary = _summary(key)
    assert (summary["pause_count"], summary["pause_total_ms"], summary["pause_max_ms"]) == (
        3,
        pytest.approx(2.653),
        pytest.approx(1.279),
    )
    assert summary["max_heap_after_pct"] == pytest.approx(100 * 9011200 / 199229440, abs=0.01)


def test_gctoolkit_runtime_is_our_uptime_span_of_the_events() -> None:
    key = "microsoft_gctoolkit-testdata/gctoolkit-gclogs/preunified/g1gc/details/tenuring/180/g1gc.log"
    summary = _summary(key)
    # gctoolkit: first event stamp 1.028 s to last 945.481 s = 944453 ms; our span starts at the first
    # safepoint's *start* (1.028 s minus its 0.059 ms) and ends at the last safepoint's end.
    assert summary["span_ms"] == pytest.approx(944453.059, abs=1e-3)
    assert summary["safepoint_count"] == sum(1 for row in parse_real(key).events.to_dicts() if row["name"] == STOPPED)
