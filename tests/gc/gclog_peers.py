"""The figures GCViewer, garbagecat and gctoolkit assert, recomputed from *our* parse under *their* definitions.

Each function takes what our parser produced for a file (``Parsed``: records, rejects,
gc_events) and applies one peer's rules, as documented in expected.json → definitions and
verified against the peers' sources, e.g.:

* GCViewer counts every UJL line on tag ``gc`` that names an event (so the start line of a
  concurrent phase logged on ``gc`` is an event of its own, one on ``gc,start`` is merged),
  the ``To-space exhausted`` marker of a pause logged without ``gc,start`` as a zero-length
  pause, each JDK 8 nested collection, and 'application stopped' lines as VM operations
  whose pause is only the overhead over the GC pause just before.
* garbagecat truncates durations to whole microseconds, takes heap after GC as young + old
  after where both are logged, and names event types (``PAR_NEW``, ``UNIFIED_SAFEPOINT`` …).
* gctoolkit counts events per type and measures time in truncated milliseconds of uptime.

Nothing here reads the log text again: only our records and gc_events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
from gclog_support import Parsed

from parsers.gc.model import PAUSE_KINDS

STOPPED = "Total time for which application threads were stopped"


@dataclass
class ViewerEvent:
    """One entry of GCViewer's GCModel, in model order."""

    position: tuple[int, int]
    type: str
    cls: str  # gc | full | concurrent | vmop | phase
    pause_s: float = 0.0
    timestamp: float | None = None
    row: dict[str, Any] = field(default_factory=dict)

    @property
    def stw(self) -> bool:
        return self.cls in ("gc", "full", "vmop")


def _rows(parsed: Parsed) -> list[dict[str, Any]]:
    return parsed.events.sort("line_end", "line_start").to_dicts()


def _loggers(parsed: Parsed) -> dict[int, str | None]:
    return dict(zip(parsed.records["line_start"].to_list(), parsed.records["logger"].to_list(), strict=True))


def _detail_labels(parsed: Parsed, row: dict[str, Any]) -> list[str]:
    """GCViewer appends the gc,heap / gc,metaspace lines of a pause (their label up to ':') to its type."""
    records = parsed.records.filter(
        pl.col("line_start").is_between(row["line_start"], row["line_end"])
        & pl.col("logger").is_in(["gc,heap", "gc,metaspace"])
    )
    labels = []
    for message in records["message"].to_list():
        text = message.split(") ", 1)[1] if message.startswith("GC(") else message
        labels.append(text.split(":", 1)[0].strip() + ":")
    return labels


def viewer_type(parsed: Parsed, row: dict[str, Any]) -> str:
    """GCViewer's type string for one of our event rows."""
    name, cause = row["name"] or "", row["cause"]
    if row["generations"]:
        return "; ".join([name, *row["generations"].split(",")])
    if parsed.records["logger"].null_count() == parsed.records.height:  # JDK 8: the record's name
        return name
    paired = row["line_start"] < row["line_end"]
    details = _detail_labels(parsed, row) if paired else []
    if paired and details:
        return "; ".join([name, *(["To-space exhausted"] if row["to_space_exhausted"] else []), *details])
    if cause and cause != "System.gc()":
        return name.replace(f" ({cause})", "")
    return name


def viewer_model(parsed: Parsed) -> list[ViewerEvent]:
    """GCViewer's GCModel (events in the order GCViewer adds them) for one of our parses."""
    rows = _rows(parsed)
    unified = parsed.records["logger"].null_count() < parsed.records.height
    logger = _loggers(parsed) if unified else {}
    zgc = any((row["collector"] or "").startswith("ZGC") for row in rows)
    model: list[ViewerEvent] = []
    for row in rows:
        kind, end, start = row["kind"], row["line_end"], row["line_start"]
        on_gc = not unified or logger.get(end) == "gc"
        order = 0 if row["nested"] else 1
        if kind in PAUSE_KINDS and zgc:
            model.append(
                ViewerEvent((end, order), row["name"], "phase", row["pause_ms"] / 1000.0, row["uptime_end_s"], row)
            )
        elif kind in PAUSE_KINDS and on_gc:
            cls = "full" if kind == "full" else "gc"
            timestamp = row["uptime_end_s"] if unified else row["uptime_s"]
            model.append(
                ViewerEvent(
                    (end, order), viewer_type(parsed, row), cls, (row["pause_ms"] or 0.0) / 1000.0, timestamp, row
                )
            )
        elif kind == "to_space_exhausted" and on_gc and _standalone_marker(rows, row):
            model.append(ViewerEvent((end, order), "To-space exhausted", "gc", 0.0, row["uptime_end_s"], row))
        elif kind == "concurrent" and (on_gc or (zgc and logger.get(end) == "gc,phases")):
            if start < end and (not unified or logger.get(start) == "gc"):
                model.append(ViewerEvent((start, order), row["name"], "concurrent", 0.0, row["uptime_s"], row))
            pause = (row["duration_ms"] or 0.0) / 1000.0
            model.append(ViewerEvent((end, order), row["name"], "concurrent", pause, row["uptime_end_s"], row))
        elif kind == "cycle":
            pause = sum(r["pause_ms"] for r in rows if r["kind"] in PAUSE_KINDS and r["gc_id"] == row["gc_id"]) / 1000.0
            model.append(ViewerEvent((end, order), "Garbage Collection", "gc", pause, row["uptime_end_s"], row))
        elif kind == "safepoint" and row["name"] == STOPPED:
            model.append(ViewerEvent((end, order), STOPPED, "vmop", row["pause_ms"] / 1000.0, row["uptime_end_s"], row))
    model.sort(key=lambda event: event.position)
    _adjust_vm_operations(model)
    return model


def _standalone_marker(rows: list[dict[str, Any]], marker: dict[str, Any]) -> bool:
    """A to-space marker is its own GCViewer event unless its pause was opened by a gc,start line."""
    return not any(
        r["kind"] in PAUSE_KINDS
        and r["gc_id"] == marker["gc_id"]
        and r["line_start"] < marker["line_end"] < r["line_end"]
        for r in rows
    )


def _adjust_vm_operations(model: list[ViewerEvent]) -> None:
    """GCModel.adjustPause/adjustTimeStamp: a VM operation right after a GC keeps only its overhead."""
    stw: list[ViewerEvent] = []
    for event in model:
        if not event.stw:
            continue
        stw.append(event)
        if event.cls != "vmop" or len(stw) < 2 or stw[-2].cls == "vmop":
            continue
        previous = stw[-2]
        adjusted = event.pause_s - previous.pause_s
        if adjusted > 0:
            event.pause_s = adjusted
            if (
                previous.timestamp is not None
                and event.timestamp is not None
                and previous.timestamp + previous.pause_s > event.timestamp
            ):
                event.timestamp = previous.timestamp + previous.pause_s


def viewer_events(model: list[ViewerEvent]) -> list[ViewerEvent]:
    """``model.get(i)`` order: phases are inside their ZGC cycle, not events of the model."""
    return [event for event in model if event.cls != "phase"]


def viewer_total_pause(model: list[ViewerEvent]) -> float:
    total = 0.0
    for event in viewer_events(model):
        if event.stw:
            total += event.pause_s
    return total


def viewer_throughput(model: list[ViewerEvent]) -> float:
    events = viewer_events(model)
    stamps = [event.timestamp for event in events if event.timestamp is not None]
    stw = [event for event in events if event.stw]
    running = max(stamps) - min(stamps) + (stw[-1].pause_s if stw else 0.0)
    return 100 * (running - viewer_total_pause(model)) / running


def viewer_generation(row: dict[str, Any]) -> str:
    return "ALL" if row["kind"] == "full" else "YOUNG" if row["kind"] == "young" else "TENURED"


def viewer_post_concurrent_cycle(model: list[ViewerEvent]) -> tuple[int, int]:
    """(tenured, heap) used before the first GC after each concurrent cycle end, max over the file."""
    events = viewer_events(model)
    tenured, heap = [], []
    for previous, event in zip(events, events[1:], strict=False):
        if previous.cls == "concurrent" and previous.type.endswith("concurrent-reset") and event.cls in ("gc", "full"):
            row = event.row
            heap.append(row["heap_before_kb"])
            tenured.append(row["heap_before_kb"] - (row["young_before_kb"] or 0))
    return max(tenured), max(heap)


# --- garbagecat -------------------------------------------------------------------------------------------

_GARBAGECAT_UNIFIED = {
    ("G1", "young"): "UNIFIED_G1_YOUNG_PAUSE",
    ("G1", "mixed"): "UNIFIED_G1_MIXED_PAUSE",
    ("G1", "initial_mark"): "UNIFIED_G1_YOUNG_INITIAL_MARK",
    ("G1", "remark"): "UNIFIED_REMARK",
    ("G1", "cleanup"): "UNIFIED_G1_CLEANUP",
    ("G1", "full"): "UNIFIED_G1_FULL_GC",
}
_GARBAGECAT_LEGACY = {
    ("G1", "young"): "G1_YOUNG_PAUSE",
    ("G1", "mixed"): "G1_MIXED_PAUSE",
    ("G1", "initial_mark"): "G1_YOUNG_INITIAL_MARK",
    ("G1", "remark"): "G1_REMARK",
    ("G1", "cleanup"): "G1_CLEANUP",
    ("G1", "full"): "G1_FULL_GC",
    ("G1", "concurrent"): "G1_CONCURRENT",
    ("CMS", "young"): "PAR_NEW",
    ("CMS", "full"): "CMS_SERIAL_OLD",
    ("CMS", "initial_mark"): "CMS_INITIAL_MARK",
    ("CMS", "remark"): "CMS_REMARK",
    ("CMS", "concurrent"): "CMS_CONCURRENT",
    ("Parallel", "young"): "PARALLEL_SCAVENGE",
    ("Serial", "young"): "SERIAL_NEW",
    ("Serial", "full"): "SERIAL_OLD",
    ("Shenandoah", "full"): "SHENANDOAH_FULL_GC",
    (None, "safepoint"): "APPLICATION_STOPPED_TIME",
}


def garbagecat_type(row: dict[str, Any], unified: bool) -> str:
    kind, collector = row["kind"], row["collector"]
    if unified:
        if kind == "safepoint":
            return "UNIFIED_SAFEPOINT"
        if kind == "concurrent":
            return "UNIFIED_CONCURRENT"
        if kind == "cycle":
            return "Z_CONCURRENT"
        if (collector or "").startswith("ZGC"):
            phase = {"initial_mark": "MARK_START", "remark": "MARK_END", "pause_other": "RELOCATE_START"}[kind]
            generation = {"Y": "_YOUNG", "O": "_OLD", None: ""}[row["generation"]]
            if "(Major)" in (row["name"] or ""):
                generation = "_YOUNG_AND_OLD"
            return f"Z_{phase}{generation}"
        return _GARBAGECAT_UNIFIED[(collector, kind)]
    if kind == "full" and collector == "Parallel":
        return "PARALLEL_SERIAL_OLD" if "PSOldGen" in (row["generations"] or "") else "PARALLEL_COMPACTING_OLD"
    return _GARBAGECAT_LEGACY.get((collector, kind)) or _GARBAGECAT_LEGACY[(None, kind)]


def garbagecat_event_types(parsed: Parsed) -> set[str]:
    unified = parsed.records["logger"].null_count() < parsed.records.height
    types = {garbagecat_type(row, unified) for row in _rows(parsed) if row["kind"] != "to_space_exhausted"}
    if unified and parsed.records.filter(pl.col("logger") == "gc,init").height:
        types.add("UNIFIED_HEADER")
    return types


def micros(pause_ms: float) -> int:
    """garbagecat's BigDecimal seconds → whole microseconds (truncated), from the logged 0.1 µs digits."""
    return int(round(pause_ms * 10_000)) // 10


def garbagecat_blocking(parsed: Parsed) -> list[dict[str, Any]]:
    return [row for row in _rows(parsed) if row["kind"] in PAUSE_KINDS and row["pause_ms"] is not None]


def garbagecat_heap_after(row: dict[str, Any]) -> int:
    """garbagecat's heap after GC: young + old after when both are logged, else the combined figure."""
    if row["young_after_kb"] is not None and row["old_after_kb"] is not None:
        return int(row["young_after_kb"] + row["old_after_kb"])
    return int(row["heap_after_kb"])


def safepoint_nanos(row: dict[str, Any]) -> int:
    """Unified safepoint time in ns: JDK 17+ Total; JDK 9–16 stopped + 'Stopping threads took'."""
    total = row["pause_ms"] + (row["safepoint_reach_ms"] or 0.0 if row["name"] == STOPPED else 0.0)
    return int(round(total * 1_000_000))


# --- gctoolkit --------------------------------------------------------------------------------------------


def gctoolkit_logged_time(row: dict[str, Any]) -> float:
    """The uptime stamp written on the event's line: end for safepoint lines, start for JDK 8 records."""
    return float(row["uptime_end_s"] if row["kind"] == "safepoint" else row["uptime_s"])


def gctoolkit_type(row: dict[str, Any]) -> str | None:
    if row["kind"] == "young" and "PSYoungGen" in (row["generations"] or ""):
        return "PSYoungGen"
    if row["kind"] == "full" and row["collector"] == "Parallel":
        return "FullGC(PSFull)"
    return None
