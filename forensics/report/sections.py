"""The report's sections as titled tables of text cells, shared by the Markdown and HTML renderers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from forensics.story.model import Report


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".").replace(",", " ")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _rows(records: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [tuple(cell(r.get(k)) for k in keys) for r in records]


def sections(report: Report) -> Iterator[Section]:
    yield Section(
        "coverage", "Data coverage",
        "Sources per host, the time range they cover, lines rejected, and how zone-less times were read "
        "(assumed:UTC means no zone was given for them).",
        ("host", "families", "formats", "files", "not ok", "first", "last", "records", "rejected", "times"),
        _rows(report.coverage, ("host", "families", "formats", "files", "files_not_ok", "first_ts", "last_ts", "records",
                                "lines_rejected", "time_origins")),
    )
    yield Section(
        "rollouts", "Rollout steps",
        f"Every rollout step, with new producers per hour and GC overhead (mean over brokers) in the hour before and "
        f"after it (at most until the feature's previous or next step). Suspect: {report.suspect_feature or 'none'}.",
        ("time", "feature", "from %", "to %", "by", "new/h before", "new/h after", "× baseline", "GC % before",
         "GC % after", "evidence"),
        [tuple(cell(s[k]) for k in ("ts", "feature", "from_pct", "to_pct", "actor", "new_producers_before_per_hour",
                                    "new_producers_after_per_hour", "ratio_to_baseline", "gc_overhead_before_pct",
                                    "gc_overhead_after_pct")) + (f"{s['source']}:{s['line_start']}" if s["source"] else "",)
         for s in report.rollout_steps],
    )
    yield Section(
        "producers", "Producer growth",
        "Per clock hour, cluster-wide: producer-ID blocks handed out and the IDs in them, the new producers "
        "estimated from where each broker stood in its blocks (see producer_id_growth), and the producer IDs held "
        "in the latest snapshots. The estimate sees a broker only between two of its block grants (or IDs its "
        "clients logged): 'estimate covers' is the share of the hour it sees, and where it sees nothing the "
        "new producers are left blank (unknown, not zero).",
        ("hour", "blocks", "IDs allocated", "new producers", "cumulative", "producer IDs held", "estimate covers"),
        _rows(report.producer_hours, ("bucket_start", "blocks", "ids_allocated", "new_producers",
                                      "cumulative_new_producers", "producer_ids_held", "estimate_coverage")),
    )
    yield Section(
        "gc", "GC pressure per broker",
        "Stop-the-world GC pauses over all of a host's GC logs, Full GCs, and the peak heap after GC.",
        ("host", "pauses", "pause total ms", "longest ms", "Full GCs", "first Full GC", "max heap after %", "max heap after MB"),
        _rows(report.gc, ("host", "pause_count", "pause_total_ms", "pause_max_ms", "full_gc_count", "first_full_gc",
                          "max_heap_after_pct", "max_heap_after_mb")),
    )
    yield Section(
        "correlation", "Correlation",
        f"Pearson and Spearman between per-bucket series ({cell(report.bucket.total_seconds() / 60)}-minute buckets), at "
        "lag 0 and at the best lag (y shifted by that many buckets; positive: y follows x).",
        ("x", "y", "host", "feature", "n", "Pearson", "Spearman", "best lag", "Pearson there", "Spearman there"),
        _rows(report.correlation, ("x_signal", "y_signal", "host", "feature", "n_lag0", "pearson_lag0", "spearman_lag0",
                                   "best_lag", "pearson", "spearman")),
    )
    yield Section(
        "cascade", "Cascade",
        "Per broker, in the order they fell, the first time of each stage and the line that shows it.",
        ("#", "host", "stage", "time", "what", "seen by", "evidence"),
        [tuple(cell(r[k]) for k in ("cascade_order", "host", "event", "ts", "detail", "seen_by"))
         + (f"{r['source']}:{r['line_start']}" if r["source"] else "",) for r in report.cascade],
    )
    yield Section(
        "episodes", "Broker lives",
        "Each broker's lives, from a start to the next: how each ended (crash, planned stop, failure seen by the "
        "cluster, killed: started again with no stop logged) and the line that shows it. Planned stops are "
        "maintenance, not part of the cascade.",
        ("host", "life", "started", "ending", "ended", "cause", "seen by the cluster", "restarted", "evidence"),
        [tuple(cell(e[k]) for k in ("host", "life", "started_at", "ending", "ended_at", "cause", "seen_at", "restarted_at"))
         + (f"{e['source']}:{e['line_start']}" if e["source"] else "",) for e in report.episodes],
    )
    yield Section(
        "timeline", "Timeline of notable events",
        "Warnings and worse from every source, in time order; alike events on one host less than 5 minutes apart "
        "are one row.",
        ("time", "severity", "host", "what", "evidence"),
        [(cell(t.ts), t.severity, t.host or "", t.description, t.evidence) for t in report.timeline],
    )
    yield Section(
        "alerts", "What to alert on next time",
        "Thresholds derived from the baseline before the first rollout step, and when each would have fired.",
        ("signal", "host", "baseline median", "baseline p99", "threshold", "rule", "would have fired", "minutes before OOM"),
        _rows(report.alerts, ("signal", "host", "baseline_median", "baseline_p99", "threshold", "rule", "first_crossed",
                              "lead_minutes")),
    )
